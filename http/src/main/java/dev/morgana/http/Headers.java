package dev.morgana.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Header fields in order, looked up case-insensitively (RFC 9110 §5.1). Immutable: {@link #with} returns
 * a copy. Names must be tokens and values must not contain CR, LF or NUL, so that a handler cannot split
 * a response.
 */
public final class Headers {

    private static final Headers EMPTY = new Headers(new String[0]);

    /** Name, value, name, value...; never changed once the instance exists (it is not copied for that). */
    private final String[] pairs;

    /**
     * The fields as a response head carries them, once asked for: a server that answers with the same
     * fields again (StaticFiles does) encodes them once. Computed at most a few times over, never wrong.
     */
    private volatile byte[] wire;

    private Headers(String[] pairs) {
        this.pairs = pairs;
    }

    public static Headers of() {
        return EMPTY;
    }

    /**
     * Fields given as name, value, name, value...
     *
     * @throws IllegalArgumentException as {@link #with} does, or for an odd number of strings
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values in pairs, got " + namesAndValues.length + " strings");
        }
        String[] pairs = namesAndValues.clone();
        for (int i = 0; i < pairs.length; i += 2) {
            check(pairs[i], pairs[i + 1]);
            pairs[i + 1] = pairs[i + 1].strip();
        }
        return new Headers(pairs);
    }

    /**
     * Fields the request parser has already checked, as name, value, name, value...; the array becomes
     * theirs, and nobody may change it afterwards.
     */
    static Headers parsed(String[] pairs) {
        return new Headers(pairs);
    }

    /**
     * Returns these fields and one more.
     *
     * @throws IllegalArgumentException when the name is not a token or the value holds CR, LF or NUL
     */
    public Headers with(String name, String value) {
        check(name, value);
        String[] more = Arrays.copyOf(pairs, pairs.length + 2);
        more[pairs.length] = name;
        more[pairs.length + 1] = value.strip();
        return new Headers(more);
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        return Optional.ofNullable(firstOrNull(name));
    }

    /** The first value of {@code name}, or null: {@link #first} for the server, without an Optional. */
    String firstOrNull(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                values.add(pairs[i + 1]);
            }
        }
        return values;
    }

    /** Whether a comma-separated field contains {@code token}, case-insensitively (as Connection does). */
    public boolean hasToken(String name, String token) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name) && listHas(pairs[i + 1], token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a member of the comma-separated {@code list}, without whitespace around it, is {@code token}. */
    private static boolean listHas(String list, String token) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            int from = start;
            int to = end;
            while (from < to && Character.isWhitespace(list.charAt(from))) {
                from++;
            }
            while (to > from && Character.isWhitespace(list.charAt(to - 1))) {
                to--;
            }
            if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    public int size() {
        return pairs.length / 2;
    }

    public String name(int index) {
        return pairs[2 * Objects.checkIndex(index, size())];
    }

    public String value(int index) {
        return pairs[2 * Objects.checkIndex(index, size()) + 1];
    }

    /**
     * The fields as lines of a response head, {@code Name: value} and CRLF each, in ISO-8859-1 ('?' for a
     * character it lacks); shared, so the caller must not change it.
     */
    byte[] wire() {
        byte[] encoded = wire;
        if (encoded == null) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < pairs.length; i += 2) {
                text.append(pairs[i]).append(": ").append(pairs[i + 1]).append("\r\n");
            }
            encoded = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            wire = encoded;
        }
        return encoded;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            text.append(pairs[i].toLowerCase(Locale.ROOT)).append(": ").append(pairs[i + 1]).append('\n');
        }
        return text.toString();
    }

    private static void check(String name, String value) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an empty field name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("not a field name: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("a field value with CR, LF or NUL: " + name);
            }
        }
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}

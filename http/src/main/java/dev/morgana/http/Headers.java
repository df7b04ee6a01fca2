package dev.morgana.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Header fields in order, looked up case-insensitively (RFC 9110 §5.1). Immutable: {@link #with} returns
 * a copy. Names must be tokens and values must not contain CR, LF or NUL, so that a handler cannot split
 * a response.
 */
public final class Headers {

    private static final Headers EMPTY = new Headers(List.of());

    private final List<String> pairs; // name, value, name, value...

    private Headers(List<String> pairs) {
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
        return new Headers(List.of(pairs));
    }

    /** Fields the request parser has already checked, as name, value, name, value... */
    static Headers parsed(String... pairs) {
        return new Headers(List.of(pairs));
    }

    /**
     * Returns these fields and one more.
     *
     * @throws IllegalArgumentException when the name is not a token or the value holds CR, LF or NUL
     */
    public Headers with(String name, String value) {
        check(name, value);
        List<String> more = new ArrayList<>(pairs);
        more.add(name);
        more.add(value.strip());
        return new Headers(List.copyOf(more));
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equalsIgnoreCase(name)) {
                return Optional.of(pairs.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equalsIgnoreCase(name)) {
                values.add(pairs.get(i + 1));
            }
        }
        return values;
    }

    /** Whether a comma-separated field contains {@code token}, case-insensitively (as Connection does). */
    public boolean hasToken(String name, String token) {
        for (String value : all(name)) {
            for (String member : value.split(",")) {
                if (member.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    public int size() {
        return pairs.size() / 2;
    }

    public String name(int index) {
        return pairs.get(2 * index);
    }

    public String value(int index) {
        return pairs.get(2 * index + 1);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pairs.size(); i += 2) {
            text.append(pairs.get(i).toLowerCase(Locale.ROOT)).append(": ").append(pairs.get(i + 1)).append('\n');
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

package dev.morgana.api.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A key in a key-value store: a path of segments, written {@code /docs/index.html}; the root, which names
 * the top dictionary, is {@code /}.
 *
 * <p>Keys come from untrusted places (URL paths, archive entries), so a key is valid by construction:
 * no segment is empty, {@code .} or {@code ..}, or contains {@code /}, NUL or an unpaired surrogate; a
 * segment is at most {@value #MAX_SEGMENT_BYTES} bytes of UTF-8, the whole key at most
 * {@value #MAX_KEY_BYTES}. A backend that maps keys onto a host file system can therefore never be
 * walked out of its root by a key.
 */
public final class KvKey {

    /** The largest segment, in bytes of UTF-8 (the usual file-name limit). */
    public static final int MAX_SEGMENT_BYTES = 255;

    /** The largest key, in bytes of UTF-8 as formatted (the usual path limit). */
    public static final int MAX_KEY_BYTES = 4096;

    /** The key of the top dictionary, {@code /}. */
    public static final KvKey ROOT = new KvKey(List.of());

    private final List<String> segments;

    private KvKey(List<String> segments) {
        this.segments = segments;
    }

    /**
     * Makes a key from its segments.
     *
     * @param segments the segments, top first; none may be empty, {@code .}, {@code ..}, or contain
     *     {@code /} or NUL
     * @return the key; {@link #ROOT} for no segments
     * @throws IllegalArgumentException when a segment or the whole key is invalid, saying which and why
     */
    public static KvKey of(List<String> segments) {
        List<String> copy = List.copyOf(segments);
        int bytes = 0;
        for (String segment : copy) {
            checkSegment(segment);
            bytes += 1 + utf8Length(segment);
        }
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "key too long: " + bytes + " bytes of UTF-8, at most " + MAX_KEY_BYTES + " allowed");
        }
        return copy.isEmpty() ? ROOT : new KvKey(copy);
    }

    /**
     * Makes a key from its segments.
     *
     * @param segments the segments, top first
     * @return the key
     * @throws IllegalArgumentException as {@link #of(List)} does
     */
    public static KvKey of(String... segments) {
        return of(List.of(segments));
    }

    /**
     * Parses a key written with {@code /} between segments. A leading {@code /} is optional ({@code a/b} and
     * {@code /a/b} are the same key); {@code /} alone is the root. Nothing is normalised: {@code a//b},
     * {@code a/}, {@code a/./b} and {@code a/../b} are refused, not rewritten.
     *
     * @param text for example {@code /docs/index.html}
     * @return the key
     * @throws IllegalArgumentException when a segment or the whole key is invalid, saying which and why
     */
    public static KvKey parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty key; the root is \"/\"");
        }
        if (text.equals("/")) {
            return ROOT;
        }
        String path = text.charAt(0) == '/' ? text.substring(1) : text;
        List<String> segments = new ArrayList<>();
        int at = 0;
        while (true) {
            int slash = path.indexOf('/', at);
            if (slash < 0) {
                segments.add(path.substring(at));
                break;
            }
            segments.add(path.substring(at, slash));
            at = slash + 1;
        }
        try {
            return of(segments);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid key \"" + printable(text) + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the segments.
     *
     * @return an immutable list, top first; empty for the root
     */
    public List<String> segments() {
        return segments;
    }

    /**
     * Tells whether this is the root.
     *
     * @return whether the key has no segments
     */
    public boolean isRoot() {
        return segments.isEmpty();
    }

    /**
     * Returns the last segment.
     *
     * @return the name of the entry this key designates
     * @throws IllegalStateException for the root, which has no name
     */
    public String name() {
        if (isRoot()) {
            throw new IllegalStateException("the root key has no name");
        }
        return segments.getLast();
    }

    /**
     * Returns the key of the dictionary containing this one.
     *
     * @return the parent; the root for a key of one segment
     * @throws IllegalStateException for the root, which has no parent
     */
    public KvKey parent() {
        if (isRoot()) {
            throw new IllegalStateException("the root key has no parent");
        }
        return segments.size() == 1 ? ROOT : new KvKey(segments.subList(0, segments.size() - 1));
    }

    /**
     * Returns the key of an entry in the dictionary this key designates.
     *
     * @param segment the entry's name
     * @return this key with {@code segment} appended
     * @throws IllegalArgumentException when {@code segment} is invalid or the result is too long
     */
    public KvKey resolve(String segment) {
        List<String> longer = new ArrayList<>(segments);
        longer.add(segment);
        return of(longer);
    }

    /**
     * Tells whether {@code prefix} is this key or one of its ancestors.
     *
     * @param prefix the candidate ancestor
     * @return whether this key is at or below {@code prefix}
     */
    public boolean startsWith(KvKey prefix) {
        return segments.size() >= prefix.segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KvKey key && segments.equals(key.segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    /**
     * Formats the key with a leading {@code /} and {@code /} between segments.
     *
     * @return for example {@code /docs/index.html}; {@code /} for the root
     */
    @Override
    public String toString() {
        return "/" + String.join("/", segments);
    }

    private static void checkSegment(String segment) {
        if (segment.isEmpty()) {
            throw new IllegalArgumentException("empty segment (two slashes in a row, or a trailing slash)");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw new IllegalArgumentException("segment \"" + segment + "\" is not allowed");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException("segment \"" + printable(segment) + "\" contains '/'");
            }
            if (c == '\0') {
                throw new IllegalArgumentException("segment \"" + printable(segment) + "\" contains NUL");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < segment.length()
                        && Character.isLowSurrogate(segment.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException(
                            "segment \"" + printable(segment) + "\" contains an unpaired surrogate");
                }
                i++;
            }
        }
        int bytes = utf8Length(segment);
        if (bytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segment too long: " + bytes + " bytes of UTF-8, at most "
                    + MAX_SEGMENT_BYTES + " allowed");
        }
    }

    private static int utf8Length(String segment) {
        return segment.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Shows control characters as escapes, so that an error message never carries raw NULs or newlines. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(text.length(), 80);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return shown < text.length() ? out.append("…").toString() : out.toString();
    }
}

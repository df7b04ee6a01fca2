package dev.morgana.fs.embedded.maven;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ant-style path patterns, as Maven's {@code <includes>} take them, matched against a key's segments:
 * {@code **} as a whole segment matches any number of segments, none included; {@code *} matches any run of
 * characters within one segment and {@code ?} one character. A pattern ending in {@code /} means that
 * folder and everything below it. So {@code **}{@code /*.html} matches {@code index.html} and
 * {@code docs/a.html}, {@code drafts/**} matches {@code drafts} and everything below it.
 */
final class Globs {

    private final List<List<Pattern>> patterns;

    private Globs(List<List<Pattern>> patterns) {
        this.patterns = patterns;
    }

    /**
     * Compiles patterns.
     *
     * @param patterns Ant-style patterns, segments separated by {@code /}; a leading {@code /} is ignored
     * @return the matcher of their union
     * @throws IllegalArgumentException for an empty pattern
     */
    static Globs of(List<String> patterns) {
        List<List<Pattern>> compiled = new ArrayList<>();
        for (String pattern : patterns) {
            String path = pattern.strip();
            if (path.startsWith("/")) {
                path = path.substring(1);
            }
            if (path.endsWith("/")) {
                path = path + "**";
            }
            if (path.isEmpty()) {
                throw new IllegalArgumentException("an empty pattern matches nothing; write ** for everything");
            }
            List<Pattern> segments = new ArrayList<>();
            for (String segment : path.split("/+")) {
                segments.add(segment.equals("**") ? null : segment(segment));
            }
            compiled.add(segments);
        }
        return new Globs(compiled);
    }

    private static Pattern segment(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
                literal.setLength(0);
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * Tells whether any pattern matches a path.
     *
     * @param segments the path's segments
     * @return whether one of the patterns matches the whole path
     */
    boolean matches(List<String> segments) {
        for (List<Pattern> pattern : patterns) {
            if (matches(pattern, 0, segments, 0)) {
                return true;
            }
        }
        return false;
    }

    /** {@code null} in a pattern stands for {@code **}. */
    private static boolean matches(List<Pattern> pattern, int p, List<String> path, int s) {
        if (p == pattern.size()) {
            return s == path.size();
        }
        Pattern segment = pattern.get(p);
        if (segment == null) {
            for (int skip = s; skip <= path.size(); skip++) {
                if (matches(pattern, p + 1, path, skip)) {
                    return true;
                }
            }
            return false;
        }
        return s < path.size() && segment.matcher(path.get(s)).matches() && matches(pattern, p + 1, path, s + 1);
    }
}

package dev.morgana.http.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed response head.
 *
 * @param status the status code, 100–999
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1 (and higher 1.x)
 * @param pairs the header fields as lower-case name, value, name, value..., values without surrounding
 *     whitespace and read as ISO-8859-1
 * @param length how many bytes the head took, final CRLF included
 */
public record ResponseHead(int status, int minorVersion, List<String> pairs, long length) {

    ResponseHead(int status, int minorVersion, String[] pairs, long length) {
        this(status, minorVersion, List.of(pairs), length);
    }

    /** Every value of field {@code lowerCaseName}, in order. */
    public List<String> all(String lowerCaseName) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equals(lowerCaseName)) {
                values.add(pairs.get(i + 1));
            }
        }
        return values;
    }
}

package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Finds and parses an HTTP/1.1 response head (RFC 9112 §4–5) in bytes as they arrive, without doing any I/O
 * itself: the client's connection reads into a buffer and calls {@link #parse} with what it has so far; the
 * parser remembers how far it looked, so each byte is scanned once.
 *
 * <p>As strict as the request parser where framing could be read two ways (lines end in CRLF only, no
 * obs-fold, field names are tokens, no control characters in values); lenient where RFC 9112 tells a
 * client to be: the reason phrase is skipped, and may be missing with its space.
 *
 * <p>Not thread-safe: one parser per connection, {@link #reset()} between responses.
 */
public final class ResponseHeadParser {

    private final HeadLimits limits;
    private final HeadScanner scanner = new HeadScanner(0); // no empty lines before a status line

    /** A parser within {@code limits}: the status line as the request line, the head, the field count. */
    public ResponseHeadParser(HeadLimits limits) {
        this.limits = limits;
    }

    /** Forgets the previous head: the next call parses from offset 0 of its buffer. */
    public void reset() {
        scanner.reset();
    }

    /**
     * Looks for a complete head at the start of {@code buffer}.
     *
     * @param buffer the bytes received so far, from offset 0; the same buffer, grown, on the next call
     * @param available how many bytes of {@code buffer} hold data
     * @return the head, or null when more bytes are needed
     * @throws RequestRejected (502) when the head is malformed or larger than the limits
     */
    public ResponseHead parse(MemorySegment buffer, long available) throws RequestRejected {
        long end;
        try {
            end = scanner.scan(buffer, available);
        } catch (RequestRejected refused) {
            throw malformed(refused.getMessage());
        }
        if (end >= 0) {
            return head(buffer, end);
        }
        if (scanner.firstLineEnd < 0 && available > limits.requestLine()) {
            throw malformed("a status line longer than " + limits.requestLine() + " bytes");
        }
        if (available > limits.head()) {
            throw malformed("a response head larger than " + limits.head() + " bytes");
        }
        return null;
    }

    private ResponseHead head(MemorySegment buffer, long end) throws RequestRejected {
        long statusLineEnd = scanner.firstLineEnd;
        if (statusLineEnd + 2 > limits.requestLine()) {
            throw malformed("a status line longer than " + limits.requestLine() + " bytes");
        }
        if (end > limits.head()) {
            throw malformed("a response head larger than " + limits.head() + " bytes");
        }
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        if (statusLineEnd < 12 || !ascii(buffer, 0, 5).equals("HTTP/") || buffer.get(ValueLayout.JAVA_BYTE, 6) != '.'
                || !isDigit(buffer, 5) || !isDigit(buffer, 7)) {
            throw malformed("a malformed status line");
        }
        if (buffer.get(ValueLayout.JAVA_BYTE, 5) != '1') {
            throw malformed("HTTP/" + (char) buffer.get(ValueLayout.JAVA_BYTE, 5) + " is not HTTP/1");
        }
        if (buffer.get(ValueLayout.JAVA_BYTE, 8) != ' ' || !isDigit(buffer, 9) || !isDigit(buffer, 10) || !isDigit(buffer, 11)
                || (statusLineEnd > 12 && buffer.get(ValueLayout.JAVA_BYTE, 12) != ' ')) {
            throw malformed("a malformed status line");
        }
        int status = Integer.parseInt(ascii(buffer, 9, 12));
        if (status < 100) {
            throw malformed("status " + status + " is not one");
        }
        for (long i = 13; i < statusLineEnd; i++) {
            int c = buffer.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw malformed("a control character in the reason phrase");
            }
        }
        try {
            scanner.fields(buffer, end, limits.fields());
        } catch (RequestRejected refused) {
            throw malformed(refused.getMessage());
        }
        int count = scanner.fieldCount;
        long[] fields = scanner.fields;
        String[] pairs = new String[2 * count];
        for (int i = 0; i < count; i++) {
            pairs[2 * i] = ascii(buffer, fields[4 * i], fields[4 * i + 1]).toLowerCase(Locale.ROOT);
            pairs[2 * i + 1] = new String(buffer.asSlice(fields[4 * i + 2], fields[4 * i + 3] - fields[4 * i + 2])
                    .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        }
        return new ResponseHead(status, buffer.get(ValueLayout.JAVA_BYTE, 7) - '0', pairs, end);
    }

    private static boolean isDigit(MemorySegment buffer, long at) {
        byte b = buffer.get(ValueLayout.JAVA_BYTE, at);
        return b >= '0' && b <= '9';
    }

    private static String ascii(MemorySegment buffer, long start, long end) {
        return RequestHead.ascii(buffer, start, end);
    }

    private static RequestRejected malformed(String why) {
        return new RequestRejected(502, why);
    }
}

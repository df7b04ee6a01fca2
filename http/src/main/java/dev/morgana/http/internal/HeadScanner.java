package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * What the request and response parsers share: finding the end of a head line by line as its bytes arrive,
 * each byte looked at once however the head is split (lines end in CRLF only: a bare CR or LF is refused),
 * and checking its field lines into a table of bounds that is reused from head to head.
 *
 * <p>Not thread-safe: one per parser.
 */
final class HeadScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** How many bytes of empty lines may come before the first line (RFC 9112 §2.2); 0 for none. */
    private final int emptyLinesAllowed;

    // How far the previous calls looked.
    private long scanned;
    private long lineStart;
    /** Where the first line starts: past the empty lines before it. */
    long headStart;
    /** Where the first line's CR is; -1 while it has not all arrived. */
    long firstLineEnd = -1;

    /** Per field: name start, name end, value start, value end; valid for {@link #fieldCount} fields. */
    long[] fields = new long[4 * 16];
    int fieldCount;

    HeadScanner(int emptyLinesAllowed) {
        this.emptyLinesAllowed = emptyLinesAllowed;
    }

    void reset() {
        scanned = 0;
        lineStart = 0;
        headStart = 0;
        firstLineEnd = -1;
    }

    /**
     * Scans what arrived since the last call.
     *
     * @return the end of the head, just past its empty line; -1 when it has not all arrived
     * @throws RequestRejected (400) for a CR or LF that does not end a line, or too many empty lines first
     */
    long scan(MemorySegment buffer, long available) throws RequestRejected {
        for (long i = scanned; i < available; i++) {
            byte b = buffer.get(ValueLayout.JAVA_BYTE, i);
            if (i > 0 && buffer.get(ValueLayout.JAVA_BYTE, i - 1) == CR && b != LF) {
                throw new RequestRejected(400, "a CR not followed by LF");
            }
            if (b != LF) {
                continue;
            }
            if (i == 0 || buffer.get(ValueLayout.JAVA_BYTE, i - 1) != CR) {
                throw new RequestRejected(400, "a line ending in a bare LF");
            }
            long lineEnd = i - 1; // the CR
            if (firstLineEnd < 0) {
                if (lineEnd == lineStart && emptyLinesAllowed > 0) {
                    headStart = i + 1;
                    if (headStart > emptyLinesAllowed) {
                        throw new RequestRejected(400, "more than " + emptyLinesAllowed + " bytes of empty lines");
                    }
                } else {
                    firstLineEnd = lineEnd;
                }
            } else if (lineEnd == lineStart) {
                scanned = i + 1;
                return i + 1;
            }
            lineStart = i + 1;
        }
        scanned = available;
        return -1;
    }

    /**
     * Checks the field lines of the head ending at {@code end} (as {@link #scan} returned it) into
     * {@link #fields}.
     *
     * @throws RequestRejected 431 for more than {@code maxFields} fields; 400 for a malformed field line
     */
    void fields(MemorySegment buffer, long end, int maxFields) throws RequestRejected {
        fieldCount = 0;
        long line = firstLineEnd + 2;
        while (line < end - 2) {
            long lineEnd = line;
            while (buffer.get(ValueLayout.JAVA_BYTE, lineEnd) != CR) {
                lineEnd++;
            }
            if (fieldCount == maxFields) {
                throw new RequestRejected(431, "more than " + maxFields + " header fields");
            }
            if (fields.length < 4 * (fieldCount + 1)) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            RequestHeadParser.field(buffer, line, lineEnd, fields, 4 * fieldCount);
            fieldCount++;
            line = lineEnd + 2;
        }
    }
}

package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Finds and parses an HTTP/1.1 request head (RFC 9112 §2–5) in bytes as they arrive, without doing any I/O
 * itself (a sans-IO core, CONVENTIONS 4): the connection reads into a buffer and calls {@link #parse} with
 * what it has so far; the parser remembers how far it looked, so a head that arrives a byte at a time is
 * still scanned once.
 *
 * <p>Deliberately strict where RFC 9112 allows leniency: lines end in CRLF only (a bare LF or CR is
 * refused, not read as an end of line); exactly one SP separates the parts of the request line; obs-fold
 * is refused. Empty lines before the request line are skipped (§2.2).
 *
 * <p>Not thread-safe: one parser per connection, {@link #reset()} between requests. A head it returned is
 * valid until it parses the next one.
 */
public final class RequestHeadParser {

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'A'; c <= 'Z'; c++) {
            TCHAR[c] = true;
            TCHAR[c + ('a' - 'A')] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private final HeadLimits limits;
    /** Finds heads and holds the fields of the last one, reused from head to head (see {@link RequestHead}). */
    private final HeadScanner scanner;

    public RequestHeadParser(HeadLimits limits) {
        this.limits = limits;
        this.scanner = new HeadScanner(limits.requestLine()); // empty lines first: RFC 9112 §2.2
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
     * @return the head, whose slices point into {@code buffer}; or null when more bytes are needed
     * @throws RequestRejected when the head is malformed or too large
     */
    public RequestHead parse(MemorySegment buffer, long available) throws RequestRejected {
        long end = scanner.scan(buffer, available);
        if (end >= 0) {
            return head(buffer, end);
        }
        if (scanner.firstLineEnd < 0 && available - scanner.headStart > limits.requestLine()) {
            throw new RequestRejected(414, "request line longer than " + limits.requestLine() + " bytes");
        }
        if (available - scanner.headStart > limits.head()) {
            throw new RequestRejected(431, "request head larger than " + limits.head() + " bytes");
        }
        return null;
    }

    private RequestHead head(MemorySegment buffer, long end) throws RequestRejected {
        long headStart = scanner.headStart;
        long requestLineEnd = scanner.firstLineEnd;
        if (requestLineEnd + 2 - headStart > limits.requestLine()) {
            throw new RequestRejected(414, "request line longer than " + limits.requestLine() + " bytes");
        }
        if (end - headStart > limits.head()) {
            throw new RequestRejected(431, "request head larger than " + limits.head() + " bytes");
        }
        // Request line: method SP request-target SP HTTP-version.
        long p = headStart;
        long methodEnd = token(buffer, p, requestLineEnd);
        if (methodEnd == p) {
            throw new RequestRejected(400, "no method in the request line");
        }
        expectSpace(buffer, methodEnd, "after the method");
        long targetStart = methodEnd + 1;
        long targetEnd = targetStart;
        while (targetEnd < requestLineEnd && isVisible(buffer.get(ValueLayout.JAVA_BYTE, targetEnd))) {
            targetEnd++;
        }
        if (targetEnd == targetStart) {
            throw new RequestRejected(400, "no request target");
        }
        expectSpace(buffer, targetEnd, "after the request target");
        int minor = version(buffer, targetEnd + 1, requestLineEnd);

        scanner.fields(buffer, end, limits.fields());
        return new RequestHead(buffer, method(buffer, headStart, methodEnd), targetStart, targetEnd, minor,
                scanner.fields, scanner.fieldCount, end);
    }

    /** Checks one field line, {@code [start, end)} without its CRLF, and puts its name's and value's bounds at {@code into[at..at+3]}. */
    static void field(MemorySegment buffer, long start, long end, long[] into, int at)
            throws RequestRejected {
        byte first = buffer.get(ValueLayout.JAVA_BYTE, start);
        if (first == ' ' || first == '\t') {
            throw new RequestRejected(400, "obs-fold (a field line starting with whitespace)");
        }
        long nameEnd = token(buffer, start, end);
        if (nameEnd == start) {
            throw new RequestRejected(400, "a field line without a name");
        }
        if (nameEnd == end || buffer.get(ValueLayout.JAVA_BYTE, nameEnd) != ':') {
            throw new RequestRejected(400, "a field name followed by something other than a colon");
        }
        long valueStart = nameEnd + 1;
        while (valueStart < end && isWhitespace(buffer.get(ValueLayout.JAVA_BYTE, valueStart))) {
            valueStart++;
        }
        long valueEnd = end;
        while (valueEnd > valueStart && isWhitespace(buffer.get(ValueLayout.JAVA_BYTE, valueEnd - 1))) {
            valueEnd--;
        }
        for (long i = valueStart; i < valueEnd; i++) {
            int c = buffer.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new RequestRejected(400, "a control character in a field value");
            }
        }
        into[at] = start;
        into[at + 1] = nameEnd;
        into[at + 2] = valueStart;
        into[at + 3] = valueEnd;
    }

    /** The end of the token starting at {@code from}: {@code from} itself when there is none. */
    static long token(MemorySegment buffer, long from, long limit) {
        long p = from;
        while (p < limit && TCHAR[buffer.get(ValueLayout.JAVA_BYTE, p) & 0xFF]) {
            p++;
        }
        return p;
    }

    private void expectSpace(MemorySegment buffer, long at, String where) throws RequestRejected {
        if (at >= scanner.firstLineEnd || buffer.get(ValueLayout.JAVA_BYTE, at) != ' ') {
            throw new RequestRejected(400, "the request line needs one space " + where);
        }
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT, up to the end of the request line; returns the minor digit. */
    private static int version(MemorySegment buffer, long from, long end) throws RequestRejected {
        if (end - from != 8 || !prefix(buffer, from, "HTTP/") || buffer.get(ValueLayout.JAVA_BYTE, from + 6) != '.') {
            throw new RequestRejected(400, "a malformed HTTP version");
        }
        int major = buffer.get(ValueLayout.JAVA_BYTE, from + 5) - '0';
        int minor = buffer.get(ValueLayout.JAVA_BYTE, from + 7) - '0';
        if (major < 0 || major > 9 || minor < 0 || minor > 9) {
            throw new RequestRejected(400, "a malformed HTTP version");
        }
        if (major != 1) {
            throw new RequestRejected(505, "HTTP/" + major + "." + minor + " is not supported");
        }
        return minor;
    }

    private static boolean prefix(MemorySegment buffer, long from, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, from + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final String[] KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
        "CONNECT", "TRACE"};

    /** The method as a string; the common ones without allocating. */
    private static String method(MemorySegment buffer, long start, long end) {
        for (String known : KNOWN_METHODS) {
            if (known.length() == end - start && prefix(buffer, start, known)) {
                return known;
            }
        }
        return RequestHead.ascii(buffer, start, end);
    }

    static boolean isTokenChar(byte b) {
        return TCHAR[b & 0xFF];
    }

    private static boolean isVisible(byte b) {
        return b > 0x20 && b < 0x7F;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }
}

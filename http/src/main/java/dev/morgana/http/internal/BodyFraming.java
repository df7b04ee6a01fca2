package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a message's body is delimited (RFC 9112 §6), decided from its head; and the checks that make
 * request smuggling and response splitting impossible: whatever two parsers could read differently is
 * refused.
 */
public sealed interface BodyFraming {

    /** No body: neither Transfer-Encoding nor Content-Length. */
    record None() implements BodyFraming {}

    /** A body of exactly {@code bytes} bytes. */
    record Length(long bytes) implements BodyFraming {}

    /** A chunked body, ended by a zero-size chunk and trailers. */
    record Chunked() implements BodyFraming {}

    /** A response body that ends when the server closes the connection (RFC 9112 §6.3, the last rule). */
    record UntilClose() implements BodyFraming {}

    None NONE = new None();
    Chunked CHUNKED = new Chunked();
    UntilClose UNTIL_CLOSE = new UntilClose();

    /**
     * The framing of {@code head}'s body, after checking the fields it depends on.
     *
     * @throws RequestRejected 400 for Transfer-Encoding with Content-Length, differing or malformed
     *     Content-Length values, Transfer-Encoding in HTTP/1.0, a coding list not ending in chunked, chunked
     *     twice, or an HTTP/1.1 request without exactly one Host; 501 for a coding other than chunked
     */
    static BodyFraming of(RequestHead head) throws RequestRejected {
        int hosts = 0;
        boolean transferEncoding = false;
        boolean chunked = false;
        long length = -1;
        for (int i = 0; i < head.fieldCount(); i++) {
            if (head.nameIs(i, "host")) {
                hosts++;
            } else if (head.nameIs(i, "content-length")) {
                length = contentLength(head.value(i), length);
            } else if (head.nameIs(i, "transfer-encoding")) {
                transferEncoding = true;
                chunked = codings(head.valueString(i), chunked);
            }
        }
        if (head.minorVersion() >= 1 && hosts != 1) {
            throw new RequestRejected(400, hosts == 0 ? "no Host field" : "more than one Host field");
        }
        if (transferEncoding) {
            if (length >= 0) {
                throw new RequestRejected(400, "both Transfer-Encoding and Content-Length");
            }
            if (head.minorVersion() == 0) {
                throw new RequestRejected(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!chunked) {
                throw new RequestRejected(400, "a Transfer-Encoding that does not end in chunked");
            }
            return CHUNKED;
        }
        return length >= 0 ? new Length(length) : NONE;
    }

    /**
     * The framing of a response's body (RFC 9112 §6.3), given the method of the request it answers.
     *
     * @throws RequestRejected 502 for Transfer-Encoding with Content-Length, differing or malformed
     *     Content-Length values, and transfer codings other than chunked (which the client cannot decode)
     */
    static BodyFraming ofResponse(String requestMethod, ResponseHead head) throws RequestRejected {
        int status = head.status();
        if (requestMethod.equals("HEAD") || status < 200 || status == 204 || status == 304) {
            return NONE;
        }
        long length = -1;
        boolean chunked = false;
        List<String> codings = head.all("transfer-encoding");
        try {
            for (String value : head.all("content-length")) {
                length = contentLength(MemorySegment.ofArray(value.getBytes(StandardCharsets.ISO_8859_1)), length);
            }
            for (String value : codings) {
                chunked = codings(value, chunked);
            }
        } catch (RequestRejected refused) {
            throw new RequestRejected(502, refused.getMessage());
        }
        if (!codings.isEmpty() && length >= 0) {
            throw new RequestRejected(502, "both Transfer-Encoding and Content-Length");
        }
        if (chunked) {
            return CHUNKED;
        }
        return length >= 0 ? new Length(length) : UNTIL_CLOSE;
    }

    /**
     * Reads one Content-Length field value, a comma-separated list whose members must all equal each other
     * and the value seen before ({@code seen}, -1 for none).
     */
    private static long contentLength(MemorySegment value, long seen) throws RequestRejected {
        long result = seen;
        long i = 0;
        long size = value.byteSize();
        do {
            while (i < size && (value.get(ValueLayout.JAVA_BYTE, i) == ' ' || value.get(ValueLayout.JAVA_BYTE, i) == '\t')) {
                i++;
            }
            long digits = 0;
            long n = 0;
            while (i < size && value.get(ValueLayout.JAVA_BYTE, i) >= '0' && value.get(ValueLayout.JAVA_BYTE, i) <= '9') {
                if (n > (Long.MAX_VALUE - 9) / 10) {
                    throw new RequestRejected(400, "a Content-Length too large to represent");
                }
                n = n * 10 + (value.get(ValueLayout.JAVA_BYTE, i) - '0');
                digits++;
                i++;
            }
            while (i < size && (value.get(ValueLayout.JAVA_BYTE, i) == ' ' || value.get(ValueLayout.JAVA_BYTE, i) == '\t')) {
                i++;
            }
            if (digits == 0 || (i < size && value.get(ValueLayout.JAVA_BYTE, i) != ',')) {
                throw new RequestRejected(400, "a malformed Content-Length");
            }
            if (result >= 0 && result != n) {
                throw new RequestRejected(400, "differing Content-Length values");
            }
            result = n;
            i++; // past the comma
        } while (i < size);
        return result;
    }

    /**
     * Reads one Transfer-Encoding field value. Returns whether the list so far ends in chunked; refuses
     * chunked anywhere but last and codings this server cannot decode.
     */
    private static boolean codings(String value, boolean chunkedBefore) throws RequestRejected {
        boolean chunked = chunkedBefore;
        for (String member : value.split(",", -1)) {
            String coding = member.strip();
            if (coding.isEmpty()) {
                continue; // empty list elements are allowed (RFC 9110 §5.6.1)
            }
            if (chunked) {
                throw new RequestRejected(400, "a transfer coding after chunked");
            }
            if (!coding.equalsIgnoreCase("chunked")) {
                throw new RequestRejected(501, "the transfer coding " + coding + " is not supported");
            }
            chunked = true;
        }
        return chunked;
    }
}

package dev.morgana.http;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sends what a {@link BodyWriter} writes: as a chunked body (RFC 9112 §7.1), each write one chunk, or as
 * it comes when the end of the connection delimits the body (a response to HTTP/1.0).
 */
final class StreamedBody {

    private static final MemorySegment CRLF = MemorySegment.ofArray("\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final MemorySegment LAST_CHUNK = MemorySegment.ofArray("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private StreamedBody() {}

    /**
     * Runs {@code writer} over {@code flow}, then ends a chunked body.
     *
     * @throws NetworkException when the flow fails, or (reason CLOSED) when the writer throws: the body is cut
     *     short, without its last chunk, and the caller must close the connection
     */
    static void send(Flow flow, BodyWriter writer, boolean chunked) throws NetworkException {
        byte[] sizeLine = new byte[16 + 2]; // a long in hex, CRLF; reused chunk to chunk (the flow keeps no buffer)
        try {
            writer.writeTo(data -> {
                long size = data.byteSize();
                if (size == 0) {
                    return; // an empty chunk would end the body
                }
                if (!chunked) {
                    flow.write(data);
                    return;
                }
                int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(size) + 3) / 4);
                for (int i = 0; i < digits; i++) {
                    sizeLine[i] = HEX[(int) (size >>> (4 * (digits - 1 - i))) & 0xF];
                }
                sizeLine[digits] = '\r';
                sizeLine[digits + 1] = '\n';
                flow.write(List.of(MemorySegment.ofArray(sizeLine).asSlice(0, digits + 2), data, CRLF));
            });
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException(Reason.CLOSED, "the body failed midway: " + e, e);
        }
        if (chunked) {
            flow.write(LAST_CHUNK);
        }
    }
}

package dev.morgana.http;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Sends what a {@link BodyWriter} writes as a chunked body (RFC 9112 §7.1): each write one chunk. */
final class ChunkedWriter {

    private static final MemorySegment CRLF = ascii("\r\n");
    private static final MemorySegment LAST_CHUNK = ascii("0\r\n\r\n");

    private ChunkedWriter() {}

    /**
     * Runs {@code writer} over {@code flow}, then ends the body.
     *
     * @throws NetworkException when the flow fails, or (reason CLOSED) when the writer throws: the body is cut
     *     short without its last chunk, and the caller must close the connection
     */
    static void send(Flow flow, BodyWriter writer) throws NetworkException {
        try {
            writer.writeTo(data -> {
                if (data.byteSize() > 0) {
                    flow.write(List.of(ascii(Long.toHexString(data.byteSize()) + "\r\n"), data, CRLF));
                }
            });
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException(Reason.CLOSED, "the body failed midway: " + e, e);
        }
        flow.write(LAST_CHUNK);
    }

    private static MemorySegment ascii(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.US_ASCII));
    }
}

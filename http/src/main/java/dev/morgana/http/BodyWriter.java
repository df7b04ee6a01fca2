package dev.morgana.http;

import dev.morgana.api.net.NetworkException;
import java.lang.foreign.MemorySegment;

/**
 * Writes a body as it is produced — a response's on the server, a request's on the client — sent chunked
 * (RFC 9112 §7.1), each write as one chunk.
 */
@FunctionalInterface
public interface BodyWriter {

    /**
     * Writes the whole body to {@code sink}, then returns; throwing cuts the message short (its connection
     * is then closed, so that the peer cannot take a part for the whole).
     */
    void writeTo(Sink sink) throws Exception;

    /** Where a {@link BodyWriter} writes. */
    @FunctionalInterface
    interface Sink {

        /**
         * Sends {@code data}, blocking while the connection's send buffer is full.
         *
         * @throws NetworkException when the connection fails
         */
        void write(MemorySegment data) throws NetworkException;
    }
}

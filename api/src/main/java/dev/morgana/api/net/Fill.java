package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * Writes an outgoing payload into a buffer that the lower layer allocated, so that nothing is copied
 * twice (the {@code fill} function of MirageOS's {@code write}).
 */
@FunctionalInterface
public interface Fill {

    /**
     * Writes the payload at the start of {@code buffer}.
     *
     * @param buffer writable, exactly as large as the size the caller asked for; owned by the lower layer
     *     and valid only during this call
     * @return how many bytes were written, from 0 to {@code buffer.byteSize()}; only those are sent
     */
    int into(MemorySegment buffer);

    /**
     * A fill that copies {@code payload}, for callers that already hold their bytes in a segment.
     *
     * @param payload the bytes to send; read during the fill call only
     * @return a fill that writes {@code payload} and reports its size
     */
    static Fill copyOf(MemorySegment payload) {
        return buffer -> {
            MemorySegment.copy(payload, 0, buffer, 0, payload.byteSize());
            return Math.toIntExact(payload.byteSize());
        };
    }
}

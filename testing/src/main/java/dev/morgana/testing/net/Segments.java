package dev.morgana.testing.net;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Network.FrameHandler;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How the simulated devices hand out memory: every buffer a {@link Fill} writes into and every frame a
 * {@link FrameHandler} reads lives in a confined arena that is closed when the call returns, so a stack
 * that keeps a segment beyond the call (which the {@code Network} contract forbids) fails at its next
 * access with an {@link IllegalStateException} instead of reading bytes that changed under it.
 */
final class Segments {

    private Segments() {}

    /**
     * Runs {@code fill} on a fresh buffer of {@code size} bytes and returns a copy of what it wrote.
     *
     * @throws IllegalStateException when the fill reports a length outside 0 … {@code size}
     */
    static byte[] fill(int size, Fill fill) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(size, 1)).asSlice(0, size);
            int length = fill.into(buffer);
            if (length < 0 || length > size) {
                throw new IllegalStateException("the fill wrote " + length + " bytes into a buffer of " + size);
            }
            return buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Hands {@code frame} to {@code handler} as a read-only segment valid only during the call. */
    static void deliver(byte[] frame, FrameHandler handler) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(Math.max(frame.length, 1)).asSlice(0, frame.length);
            MemorySegment.copy(frame, 0, segment, ValueLayout.JAVA_BYTE, 0, frame.length);
            handler.frame(segment.asReadOnly());
        }
    }

    /** A fill that writes {@code frame}. */
    static Fill copyOf(byte[] frame) {
        return buffer -> {
            MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
            return frame.length;
        };
    }

    /** The six bytes at {@code offset} as a MAC address's bits. */
    static long mac(byte[] frame, int offset) {
        long bits = 0;
        for (int i = 0; i < 6; i++) {
            bits = bits << 8 | (frame[offset + i] & 0xFF);
        }
        return bits;
    }
}

package dev.morgana.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * RANDOM: bytes from a cryptographically secure generator, for keys, nonces, initial sequence numbers,
 * ephemeral ports and DHCP transaction ids.
 *
 * <p>Implementations are thread-safe. Tests may substitute a seeded generator to make a simulation
 * replayable; production targets use a DRBG seeded from the host or hypervisor.
 */
public interface Entropy {

    /**
     * Fills {@code bytes} entirely with random bytes.
     *
     * @param bytes the array to overwrite; owned by the caller
     */
    void fill(byte[] bytes);

    /**
     * Fills {@code segment} entirely with random bytes.
     *
     * @param segment the writable segment to overwrite; owned by the caller, used only during this call
     * @throws IllegalArgumentException when {@code segment} is read-only
     */
    default void fill(MemorySegment segment) {
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("cannot fill a read-only segment");
        }
        byte[] bytes = new byte[Math.toIntExact(segment.byteSize())];
        fill(bytes);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /**
     * Returns 64 random bits.
     *
     * @return a uniformly distributed {@code long}
     */
    default long nextLong() {
        byte[] bytes = new byte[Long.BYTES];
        fill(bytes);
        long value = 0;
        for (byte b : bytes) {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }
}

package dev.morgana.net.tcpip.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit hash of
 * short messages, the pseudorandom function F of RFC 6528's initial sequence numbers and RFC 6056's
 * ephemeral ports. Two compression rounds a message word, four finalization rounds.
 *
 * <p>The message is read as 64-bit little-endian words; the last word holds the bytes left over and the
 * message's length modulo 256 in its top byte.
 */
final class SipHash {

    private final long k0;
    private final long k1;

    /**
     * A hash under the 128-bit key {@code k0 ‖ k1}, each half read little-endian from the key's bytes.
     *
     * @param k0 key bytes 0–7 as a little-endian number
     * @param k1 key bytes 8–15 as a little-endian number
     */
    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * Hashes {@code message}.
     *
     * @param message the bytes; not kept
     * @return the 64-bit tag, the little-endian number of the reference implementation's 8 output bytes
     */
    long hash(byte[] message) {
        // v0 to v3, in an array so that one method holds the round; a hash is made once a connection.
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L,
            k1 ^ 0x7465646279746573L};
        int whole = message.length & ~7;
        for (int i = 0; i < whole; i += 8) {
            compress(v, littleEndian(message, i, 8));
        }
        compress(v, (long) (message.length & 0xFF) << 56 | littleEndian(message, whole, message.length - whole));
        v[2] ^= 0xFF;
        rounds(v, 4);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    /**
     * Hashes the 12-byte message of {@code a}, {@code b} and {@code c}, each big-endian as on the wire: two
     * addresses and a port or two, the inputs of RFC 6528 and RFC 6056.
     *
     * @param a the first four bytes
     * @param b the next four
     * @param c the last four
     * @return the tag of those 12 bytes
     */
    long hash(int a, int b, int c) {
        byte[] message = new byte[12];
        for (int i = 0; i < 4; i++) {
            int shift = 24 - 8 * i;
            message[i] = (byte) (a >>> shift);
            message[4 + i] = (byte) (b >>> shift);
            message[8 + i] = (byte) (c >>> shift);
        }
        return hash(message);
    }

    /** Takes in one message word: two rounds between xoring it into v3 and into v0. */
    private static void compress(long[] v, long m) {
        v[3] ^= m;
        rounds(v, 2);
        v[0] ^= m;
    }

    /** {@code count} SipRounds. */
    private static void rounds(long[] v, int count) {
        long v0 = v[0];
        long v1 = v[1];
        long v2 = v[2];
        long v3 = v[3];
        for (int round = 0; round < count; round++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        v[0] = v0;
        v[1] = v1;
        v[2] = v2;
        v[3] = v3;
    }

    /** The {@code count} (0–8) bytes from {@code offset} as a little-endian number. */
    private static long littleEndian(byte[] bytes, int offset, int count) {
        long value = 0;
        for (int i = count - 1; i >= 0; i--) {
            value = value << 8 | (bytes[offset + i] & 0xFF);
        }
        return value;
    }
}

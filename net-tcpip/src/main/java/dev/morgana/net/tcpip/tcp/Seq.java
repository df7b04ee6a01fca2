package dev.morgana.net.tcpip.tcp;

/**
 * Sequence-number arithmetic (RFC 9293 §3.4, RFC 1982): 32-bit numbers that wrap, compared by the sign of
 * their difference, so that {@code a} is before {@code b} when {@code b} is less than 2³¹ ahead of it.
 */
public final class Seq {

    private Seq() {}

    /**
     * Tells whether {@code a} comes before {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return {@code a < b} modulo 2³²
     */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /**
     * Tells whether {@code a} comes before {@code b} or is {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return {@code a ≤ b} modulo 2³²
     */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /**
     * Tells whether {@code a} comes after {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return {@code a > b} modulo 2³²
     */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /**
     * Tells whether {@code a} comes after {@code b} or is {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return {@code a ≥ b} modulo 2³²
     */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /**
     * Tells whether {@code x} lies in the half-open range from {@code start} to {@code end}.
     *
     * @param start the first sequence number in the range
     * @param x the sequence number tested
     * @param end the sequence number just after the range
     * @return {@code start ≤ x < end} modulo 2³²
     */
    public static boolean within(int start, int x, int end) {
        return le(start, x) && lt(x, end);
    }

    /**
     * Returns the later of two sequence numbers.
     *
     * @param a a sequence number
     * @param b another
     * @return whichever comes after the other
     */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /**
     * Returns the earlier of two sequence numbers.
     *
     * @param a a sequence number
     * @param b another
     * @return whichever comes before the other
     */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }
}

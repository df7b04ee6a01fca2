package dev.morgana.net.tcpip.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) that IPv4, ICMP, UDP and TCP share: the 16-bit one's complement of the
 * one's complement sum of the data taken as big-endian 16-bit words, an odd last byte padded with zero.
 *
 * <p>Sums compose: the sum of a pseudo-header (see {@code Ipv4.pseudoHeaderSum}) is the {@code initial} of
 * the payload's, and a datagram split at an even offset sums as its two parts added.
 */
public final class InternetChecksum {

    private static final ValueLayout.OfInt WORD32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort WORD16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {}

    /**
     * Adds {@code length} bytes of {@code data} from {@code offset} to a running sum.
     *
     * @param data the bytes
     * @param offset where they start
     * @param length how many; when odd, the last byte counts as the high half of a word
     * @param initial a running sum (0 to start), 0–0xFFFF
     * @return the folded sum, 0–0xFFFF
     * @throws IndexOutOfBoundsException when the range is outside {@code data}
     */
    public static int sum(MemorySegment data, long offset, long length, int initial) {
        MemorySegment range = data.asSlice(offset, length);
        // 32-bit words added into a long and folded once: the one's complement sum does not depend on the
        // word size (RFC 1071, section 2), and fewer, wider reads are faster.
        long sum = initial & 0xFFFFL;
        long i = 0;
        for (; i + 4 <= length; i += 4) {
            sum += range.get(WORD32, i) & 0xFFFF_FFFFL;
        }
        if (i + 2 <= length) {
            sum += range.get(WORD16, i) & 0xFFFF;
            i += 2;
        }
        if (i < length) {
            sum += (range.get(ValueLayout.JAVA_BYTE, i) & 0xFF) << 8;
        }
        return fold(sum);
    }

    /**
     * The checksum to put in a header: the complement of a finished sum.
     *
     * @param sum a folded sum, 0–0xFFFF
     * @return the checksum field, 0–0xFFFF
     */
    public static int complement(int sum) {
        return ~sum & 0xFFFF;
    }

    /**
     * The checksum of {@code length} bytes of {@code data} from {@code offset}, after {@code initial}.
     *
     * @param data the bytes
     * @param offset where they start
     * @param length how many
     * @param initial a running sum, such as a pseudo-header's (0 for none)
     * @return the checksum field, 0–0xFFFF; a range that holds its own correct checksum gives 0
     */
    public static int of(MemorySegment data, long offset, long length, int initial) {
        return complement(sum(data, offset, length, initial));
    }

    /** Folds the carries of a wide sum back into 16 bits (end-around carry). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}

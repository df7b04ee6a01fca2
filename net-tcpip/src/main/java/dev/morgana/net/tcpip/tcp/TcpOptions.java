package dev.morgana.net.tcpip.tcp;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * The TCP options the stack understands (RFC 9293 §3.2): maximum segment size (RFC 9293 §3.7.1), window
 * scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018). Others are skipped on receive
 * and never sent.
 *
 * <p>On the wire they are laid out as Linux lays them out ({@code tcp_options_write}), every option starting
 * its own 32-bit word, so that no padding is ever needed at the end: MSS; timestamps, after SACK-permitted
 * when both are present and after two NOPs when not; SACK-permitted after two NOPs when there are no
 * timestamps; a NOP and the window scale; two NOPs and the SACK blocks. A SYN with everything is
 * {@code MSS, SACK-permitted, timestamps, NOP, window scale}; a segment with data {@code NOP, NOP,
 * timestamps}, then {@code NOP, NOP, SACK} when it carries blocks.
 *
 * @param maxSegmentSize the MSS option, 0–65535, or {@link #ABSENT}; sent only on a SYN
 * @param windowScale the window-scale shift count, 0–14, or {@link #ABSENT}; sent only on a SYN. A received
 *     shift above 14 is taken as 14 (RFC 7323 §2.3), so this record never holds one
 * @param sackPermitted whether the SACK-permitted option is present; sent only on a SYN
 * @param timestamps whether the timestamps option is present; {@code timestampValue} and {@code timestampEcho}
 *     are 0 when not
 * @param timestampValue TSval, an unsigned 32-bit value
 * @param timestampEcho TSecr, an unsigned 32-bit value
 * @param sackBlocks up to four SACK blocks (three beside timestamps, which is all that fits)
 */
public record TcpOptions(int maxSegmentSize, int windowScale, boolean sackPermitted, boolean timestamps,
        int timestampValue, int timestampEcho, List<SackBlock> sackBlocks) {

    /** The value of an absent numeric option. */
    public static final int ABSENT = -1;

    /** The largest window-scale shift (RFC 7323 §2.3). */
    public static final int MAX_WINDOW_SCALE = 14;

    /** No options at all. */
    public static final TcpOptions NONE = new TcpOptions(ABSENT, ABSENT, false, false, 0, 0, List.of());

    /**
     * Checks the fields and copies the blocks.
     *
     * @throws IllegalArgumentException when a value is out of range, or there are more SACK blocks than fit
     *     (four, or three beside timestamps)
     */
    public TcpOptions {
        if (maxSegmentSize < ABSENT || maxSegmentSize > 0xFFFF) {
            throw new IllegalArgumentException("an MSS is 0–65535, got " + maxSegmentSize);
        }
        if (windowScale < ABSENT || windowScale > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("a window scale is 0–14, got " + windowScale);
        }
        if (!timestamps && (timestampValue != 0 || timestampEcho != 0)) {
            throw new IllegalArgumentException("timestamp values without the timestamps option");
        }
        sackBlocks = List.copyOf(Objects.requireNonNull(sackBlocks, "sackBlocks"));
        if (sackBlocks.size() > (timestamps ? 3 : 4)) {
            throw new IllegalArgumentException(sackBlocks.size() + " SACK blocks do not fit beside "
                    + (timestamps ? "timestamps" : "the header"));
        }
    }

    /**
     * Returns how many bytes these options take in a header, laid out as described above.
     *
     * @return a multiple of 4; more than 40 when they do not fit in a header (for example MSS, window scale
     *     and four SACK blocks), which {@link TcpHeader#length} refuses
     */
    public int length() {
        int length = 0;
        if (maxSegmentSize != ABSENT) {
            length += 4;
        }
        if (timestamps) {
            length += 12;
        } else if (sackPermitted) {
            length += 4;
        }
        if (windowScale != ABSENT) {
            length += 4;
        }
        if (!sackBlocks.isEmpty()) {
            length += 4 + 8 * sackBlocks.size();
        }
        return length;
    }

    /**
     * Writes the options at {@code offset}, {@link #length} bytes.
     *
     * @param segment the segment
     * @param offset where the options start, 20 in a TCP header
     */
    void write(MemorySegment segment, int offset) {
        int at = offset;
        if (maxSegmentSize != ABSENT) {
            at = word(segment, at, TcpPacket.MAXIMUM_SEGMENT_SIZE, 4, maxSegmentSize >>> 8, maxSegmentSize);
        }
        if (timestamps) {
            at = sackPermitted
                    ? word(segment, at, TcpPacket.SACK_PERMITTED, 2, TcpPacket.TIMESTAMPS, 10)
                    : word(segment, at, TcpPacket.NO_OPERATION, TcpPacket.NO_OPERATION, TcpPacket.TIMESTAMPS, 10);
            segment.set(TcpPacket.I32, at, timestampValue);
            segment.set(TcpPacket.I32, at + 4, timestampEcho);
            at += 8;
        } else if (sackPermitted) {
            at = word(segment, at, TcpPacket.NO_OPERATION, TcpPacket.NO_OPERATION, TcpPacket.SACK_PERMITTED, 2);
        }
        if (windowScale != ABSENT) {
            at = word(segment, at, TcpPacket.NO_OPERATION, TcpPacket.WINDOW_SCALE, 3, windowScale);
        }
        if (!sackBlocks.isEmpty()) {
            at = word(segment, at, TcpPacket.NO_OPERATION, TcpPacket.NO_OPERATION, TcpPacket.SACK,
                    2 + 8 * sackBlocks.size());
            for (SackBlock block : sackBlocks) {
                segment.set(TcpPacket.I32, at, block.left());
                segment.set(TcpPacket.I32, at + 4, block.right());
                at += 8;
            }
        }
    }

    /** Writes four bytes (each taken modulo 256) at {@code at} and returns the offset after them. */
    private static int word(MemorySegment segment, int at, int a, int b, int c, int d) {
        segment.set(TcpPacket.I32, at, (a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | d & 0xFF);
        return at + 4;
    }

    /**
     * Returns these options with timestamps {@code value} and {@code echo}.
     *
     * @param value TSval
     * @param echo TSecr
     * @return the new options
     */
    public TcpOptions withTimestamps(int value, int echo) {
        return new TcpOptions(maxSegmentSize, windowScale, sackPermitted, true, value, echo, sackBlocks);
    }

    /**
     * A block of data received out of order (RFC 2018 §3): sequence numbers from {@code left} up to, not
     * including, {@code right}.
     *
     * @param left the first sequence number of the block
     * @param right the sequence number just after the block
     */
    public record SackBlock(int left, int right) {}
}

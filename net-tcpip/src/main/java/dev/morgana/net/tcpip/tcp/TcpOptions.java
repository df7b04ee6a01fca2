package dev.morgana.net.tcpip.tcp;

import java.util.List;
import java.util.Objects;

/**
 * The TCP options the stack understands (RFC 9293 §3.2): maximum segment size (RFC 9293 §3.7.1), window
 * scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018). Others are skipped on receive
 * and never sent.
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

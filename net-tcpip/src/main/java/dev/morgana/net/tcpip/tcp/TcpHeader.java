package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The header of a TCP segment (RFC 9293 §3.1) as the stack acts on it: ports, sequence and acknowledgment
 * numbers, flags, the window as sent (not scaled) and the options. The data offset, the checksum and the
 * padding are derived when the header is written, never stored.
 *
 * <p>Sequence and acknowledgment numbers are unsigned 32-bit values held in an {@code int}: compare them
 * only with {@link Seq}.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on a segment shorter than its
 * fixed header, whose data offset is below 5 words or beyond the bytes received, whose checksum is wrong, or
 * whose options are malformed: an option without a length byte, with a length below 2 or running past the
 * header, or a known option with a length other than its own (MSS 4, window scale 3, SACK-permitted 2,
 * timestamps 10, SACK 2 + 8n with n from 1 to 4). RFC 9293 §3.1 asks that an illegal option length be
 * handled, and refusing the segment is the safe way; Linux instead ignores a known option of the wrong
 * length. Unknown options are skipped by their length, and what follows an end-of-options is padding. When an
 * option appears twice the first one counts and later copies are only checked for their length (Linux keeps
 * the last). The reserved bits beside the data offset are ignored, and sent as zero.
 *
 * @param sourcePort 0–65535
 * @param destinationPort 0–65535
 * @param sequence the sequence number of the first byte (or of the SYN or FIN)
 * @param acknowledgment the next sequence number the sender expects; meaningful only with {@link #ACK}
 * @param flags the eight flag bits, {@link #FIN} … {@link #CWR}
 * @param window the window field as sent, 0–65535, before any window scaling
 * @param urgentPointer the urgent pointer field, 0–65535; meaningful only with {@link #URG}
 * @param options the options, {@link TcpOptions#NONE} for none
 */
public record TcpHeader(int sourcePort, int destinationPort, int sequence, int acknowledgment, int flags,
        int window, int urgentPointer, TcpOptions options) {

    /** The largest segment over IPv4: 65535 less the 20-byte IPv4 header. */
    public static final int MAX_SEGMENT = 65_515;

    /** No more data from the sender. */
    public static final int FIN = 0x01;
    /** Synchronise sequence numbers. */
    public static final int SYN = 0x02;
    /** Reset the connection. */
    public static final int RST = 0x04;
    /** Push function. */
    public static final int PSH = 0x08;
    /** The acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** The urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECN echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** Congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when a port, the window or the urgent pointer is outside 0–65535, or
     *     {@code flags} outside 0–255
     * @throws NullPointerException when {@code options} is null
     */
    public TcpHeader {
        requireU16("source port", sourcePort);
        requireU16("destination port", destinationPort);
        requireU16("window", window);
        requireU16("urgent pointer", urgentPointer);
        if ((flags & ~0xFF) != 0) {
            throw new IllegalArgumentException("flags are 8 bits, got 0x" + Integer.toHexString(flags));
        }
        Objects.requireNonNull(options, "options");
    }

    /**
     * Tells whether every one of {@code mask}'s flags is set.
     *
     * @param mask one or more of the flag constants
     * @return whether all are set
     */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }

    /**
     * Returns how much sequence space a segment with this header and {@code payloadLength} bytes of data
     * takes: the data, plus one for a SYN and one for a FIN (RFC 9293 §3.4, SEG.LEN).
     *
     * @param payloadLength the bytes of data
     * @return SEG.LEN
     */
    public int sequenceLength(int payloadLength) {
        return payloadLength + (flags & SYN) / SYN + (flags & FIN);
    }

    /**
     * Parses and validates the segment that is {@code segment}.
     *
     * @param segment the IPv4 payload, exactly: TCP has no length of its own
     * @param pseudoHeaderSum the sum of the IPv4 pseudo-header for this segment's length
     *     ({@code Ipv4.pseudoHeaderSum(source, destination, Ipv4.TCP, (int) segment.byteSize())})
     * @return the header; its options are {@link TcpOptions#NONE} when there are none
     * @throws MalformedPacketException when the bytes are not a valid TCP segment
     */
    public static TcpHeader parse(MemorySegment segment, int pseudoHeaderSum) {
        checkSegmentAndChecksum(segment, pseudoHeaderSum);
        return new TcpHeader(TcpPacket.sourcePort(segment), TcpPacket.destinationPort(segment),
                TcpPacket.sequence(segment), TcpPacket.acknowledgment(segment), TcpPacket.flags(segment),
                TcpPacket.window(segment), TcpPacket.urgentPointer(segment), readOptions(segment, true));
    }

    /**
     * Checks what {@link #parse} checks without building anything, allocating nothing on a valid segment:
     * for the receive path, which reads the fields through {@link TcpPacket} afterwards and finds options
     * with {@link TcpPacket#option}.
     *
     * @param segment as for {@link #parse}
     * @param pseudoHeaderSum as for {@link #parse}
     * @throws MalformedPacketException when the bytes are not a valid TCP segment
     */
    public static void validate(MemorySegment segment, int pseudoHeaderSum) {
        checkSegmentAndChecksum(segment, pseudoHeaderSum);
        readOptions(segment, false);
    }

    private static void checkSegmentAndChecksum(MemorySegment segment, int pseudoHeaderSum) {
        TcpPacket.check(segment);
        if (InternetChecksum.of(segment, 0, segment.byteSize(), pseudoHeaderSum) != 0) {
            throw new MalformedPacketException("wrong TCP checksum 0x" + Integer.toHexString(TcpPacket.checksum(segment)));
        }
    }

    /**
     * Walks the options of a checked segment, checking each, and collects them when {@code build}.
     *
     * @return the options, {@link TcpOptions#NONE} when there are none; null when not {@code build}
     */
    private static TcpOptions readOptions(MemorySegment segment, boolean build) {
        int end = TcpPacket.headerLength(segment);
        int maxSegmentSize = TcpOptions.ABSENT;
        int windowScale = TcpOptions.ABSENT;
        boolean sackPermitted = false;
        int timestampsAt = -1;
        int sackAt = -1;
        for (int at = TcpPacket.HEADER; at < end; ) {
            int next = TcpPacket.nextOption(segment, at, end);
            int kind = TcpPacket.u8(segment, at);
            int length = next - at;
            switch (kind) {
                case TcpPacket.MAXIMUM_SEGMENT_SIZE -> {
                    requireLength(kind, length, length == 4, at);
                    if (maxSegmentSize == TcpOptions.ABSENT) {
                        maxSegmentSize = segment.get(TcpPacket.U16, at + 2) & 0xFFFF;
                    }
                }
                case TcpPacket.WINDOW_SCALE -> {
                    requireLength(kind, length, length == 3, at);
                    if (windowScale == TcpOptions.ABSENT) {
                        // RFC 7323 §2.3: a shift above 14 is logged and taken as 14.
                        windowScale = Math.min(TcpPacket.u8(segment, at + 2), TcpOptions.MAX_WINDOW_SCALE);
                    }
                }
                case TcpPacket.SACK_PERMITTED -> {
                    requireLength(kind, length, length == 2, at);
                    sackPermitted = true;
                }
                case TcpPacket.TIMESTAMPS -> {
                    requireLength(kind, length, length == 10, at);
                    timestampsAt = timestampsAt < 0 ? at : timestampsAt;
                }
                case TcpPacket.SACK -> {
                    // At most four blocks fit in the 40 bytes of options, which nextOption has enforced.
                    requireLength(kind, length, length >= 10 && (length - 2) % 8 == 0, at);
                    sackAt = sackAt < 0 ? at : sackAt;
                }
                default -> {
                    // End of options, NOP, or a kind the stack does not know: RFC 9293 §3.1 has it ignored.
                }
            }
            at = next;
        }
        if (!build) {
            return null;
        }
        if (maxSegmentSize == TcpOptions.ABSENT && windowScale == TcpOptions.ABSENT && !sackPermitted
                && timestampsAt < 0 && sackAt < 0) {
            return TcpOptions.NONE;
        }
        List<TcpOptions.SackBlock> blocks = List.of();
        if (sackAt >= 0) {
            int count = (TcpPacket.u8(segment, sackAt + 1) - 2) / 8;
            blocks = new ArrayList<>(count);
            for (int i = 0, block = sackAt + 2; i < count; i++, block += 8) {
                blocks.add(new TcpOptions.SackBlock(segment.get(TcpPacket.I32, block),
                        segment.get(TcpPacket.I32, block + 4)));
            }
        }
        boolean timestamps = timestampsAt >= 0;
        return new TcpOptions(maxSegmentSize, windowScale, sackPermitted, timestamps,
                timestamps ? segment.get(TcpPacket.I32, timestampsAt + 2) : 0,
                timestamps ? segment.get(TcpPacket.I32, timestampsAt + 6) : 0, blocks);
    }

    private static void requireLength(int kind, int length, boolean right, int at) {
        if (!right) {
            throw new MalformedPacketException("TCP option " + kind + " at byte " + at + " has length " + length);
        }
    }

    /**
     * Returns the length of the header this record emits: the fixed 20 bytes and the options.
     *
     * @return 20–60, a multiple of 4
     * @throws IllegalArgumentException when the options take more than 40 bytes
     */
    public int length() {
        int length = options.length();
        if (length > TcpPacket.MAX_HEADER - TcpPacket.HEADER) {
            throw new IllegalArgumentException("TCP options of " + length + " bytes do not fit in 40: " + options);
        }
        return TcpPacket.HEADER + length;
    }

    /**
     * Writes the header, options included, and the checksum over it, the data already in place after it,
     * and the pseudo-header. The options are laid out as {@link TcpOptions} describes.
     *
     * @param segment the whole segment, exactly as long as it is to be sent, the data written from byte
     *     {@link #length()} on
     * @param pseudoHeaderSum the sum of the IPv4 pseudo-header for {@code segment.byteSize()} bytes
     * @return the segment's length
     * @throws IndexOutOfBoundsException when {@code segment} is shorter than the header
     * @throws IllegalArgumentException when {@code segment} is longer than {@link #MAX_SEGMENT} bytes or the
     *     options do not fit
     */
    public int emit(MemorySegment segment, int pseudoHeaderSum) {
        int size = put(segment);
        TcpPacket.putChecksum(segment, InternetChecksum.of(segment, 0, size, pseudoHeaderSum));
        return size;
    }

    /**
     * Writes the header as {@link #emit} does but leaves the checksum to the device: the field holds
     * {@code pseudoHeaderSum}, the pseudo-header's sum for the whole segment, folded and not complemented
     * (Linux's {@code CHECKSUM_PARTIAL}), as {@link dev.morgana.api.net.Ipv4#writeTcpSegments} asks.
     *
     * @param segment the whole segment, as for {@link #emit}
     * @param pseudoHeaderSum the sum of the IPv4 pseudo-header for {@code segment.byteSize()} bytes
     * @return the segment's length
     * @throws IndexOutOfBoundsException when {@code segment} is shorter than the header
     * @throws IllegalArgumentException as {@link #emit} does
     */
    public int emitPartial(MemorySegment segment, int pseudoHeaderSum) {
        int size = put(segment);
        TcpPacket.putChecksum(segment, pseudoHeaderSum);
        return size;
    }

    /** Checks the segment's size and writes the header and options, the checksum field zero; returns the size. */
    private int put(MemorySegment segment) {
        int header = length();
        long size = segment.byteSize();
        if (size < header) {
            throw new IndexOutOfBoundsException("this TCP header needs " + header + " bytes, got " + size);
        }
        if (size > MAX_SEGMENT) {
            throw new IllegalArgumentException("a TCP segment over IPv4 has at most 65515 bytes, got " + size);
        }
        TcpPacket.put(segment, this, header);
        options.write(segment, TcpPacket.HEADER);
        return (int) size;
    }

    private static void requireU16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("the " + name + " is 0–65535, got " + value);
        }
    }
}

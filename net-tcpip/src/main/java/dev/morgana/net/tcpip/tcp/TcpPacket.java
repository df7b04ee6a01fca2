package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The view of a TCP segment (RFC 9293 §3.1): static accessors at constant offsets over the IPv4 payload.
 *
 * <pre>
 *  0      2      4          8        12       13      14       16         18        20
 *  | src  | dst  | sequence | ack.   | offset | flags | window | checksum | urgent  | options … | data …
 *  | port | port | number   | number | rsvd   |       |        |          | pointer |
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the
 * 20-byte fixed header is there and the data offset is at least 5 words and within the bytes received, after
 * which no accessor can fail. Neither the checksum nor the options are checked here: {@link TcpHeader#parse}
 * and {@link TcpHeader#validate} do that, after which {@link #option} can walk the options. TCP has no
 * length field: the segment is the whole IPv4 payload, so the payload is every byte after the header.
 */
public final class TcpPacket {

    /** Bytes of the fixed header, without options. */
    public static final int HEADER = 20;
    /** The most bytes a header can have: a data offset of 15 words. */
    public static final int MAX_HEADER = 60;

    /** Option kind: end of option list (RFC 9293 §3.2). */
    public static final int END_OF_OPTIONS = 0;
    /** Option kind: no operation, padding between options (RFC 9293 §3.2). */
    public static final int NO_OPERATION = 1;
    /** Option kind: maximum segment size, 4 bytes (RFC 9293 §3.2). */
    public static final int MAXIMUM_SEGMENT_SIZE = 2;
    /** Option kind: window scale, 3 bytes (RFC 7323 §2.2). */
    public static final int WINDOW_SCALE = 3;
    /** Option kind: SACK permitted, 2 bytes (RFC 2018 §2). */
    public static final int SACK_PERMITTED = 4;
    /** Option kind: SACK, 2 + 8 bytes a block (RFC 2018 §3). */
    public static final int SACK = 5;
    /** Option kind: timestamps, 10 bytes (RFC 7323 §3.2). */
    public static final int TIMESTAMPS = 8;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int SEQUENCE = 4;
    private static final int ACKNOWLEDGMENT = 8;
    private static final int DATA_OFFSET = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT_POINTER = 18;

    private TcpPacket() {}

    /**
     * Checks that {@code segment} holds the fixed header and as many bytes as its data offset says.
     *
     * @param segment the IPv4 payload
     * @throws MalformedPacketException when it is shorter than 20 bytes, or the data offset is below 5 words
     *     or beyond the bytes received
     */
    public static void check(MemorySegment segment) {
        long size = segment.byteSize();
        if (size < HEADER) {
            throw new MalformedPacketException("a TCP segment has a 20-byte header, got " + size + " bytes");
        }
        int header = headerLength(segment);
        if (header < HEADER || header > size) {
            throw new MalformedPacketException("a TCP data offset of " + dataOffset(segment) + " words in "
                    + size + " bytes");
        }
    }

    /**
     * Returns the source port.
     *
     * @param segment a checked segment
     * @return 0–65535
     */
    public static int sourcePort(MemorySegment segment) {
        return segment.get(U16, SOURCE_PORT) & 0xFFFF;
    }

    /**
     * Returns the destination port.
     *
     * @param segment a checked segment
     * @return 0–65535
     */
    public static int destinationPort(MemorySegment segment) {
        return segment.get(U16, DESTINATION_PORT) & 0xFFFF;
    }

    /**
     * Returns the sequence number.
     *
     * @param segment a checked segment
     * @return an unsigned 32-bit value in an {@code int}; compare with {@link Seq}
     */
    public static int sequence(MemorySegment segment) {
        return segment.get(I32, SEQUENCE);
    }

    /**
     * Returns the acknowledgment number.
     *
     * @param segment a checked segment
     * @return an unsigned 32-bit value in an {@code int}; meaningful only with {@link TcpHeader#ACK}
     */
    public static int acknowledgment(MemorySegment segment) {
        return segment.get(I32, ACKNOWLEDGMENT);
    }

    /**
     * Returns the data offset field: the header's length in 32-bit words.
     *
     * @param segment a checked segment
     * @return 5–15
     */
    public static int dataOffset(MemorySegment segment) {
        return (segment.get(ValueLayout.JAVA_BYTE, DATA_OFFSET) & 0xF0) >>> 4;
    }

    /**
     * Returns the header's length in bytes: the data offset times four.
     *
     * @param segment a checked segment
     * @return 20–60
     */
    public static int headerLength(MemorySegment segment) {
        return dataOffset(segment) * 4;
    }

    /**
     * Returns the eight flag bits. The four bits between the data offset and the flags (reserved, and the
     * AccECN bit) are not among them: the stack ignores them on receive and sends them as zero.
     *
     * @param segment a checked segment
     * @return {@link TcpHeader#FIN} … {@link TcpHeader#CWR}, 0–255
     */
    public static int flags(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_BYTE, FLAGS) & 0xFF;
    }

    /**
     * Returns the window field as sent, before any window scaling.
     *
     * @param segment a checked segment
     * @return 0–65535
     */
    public static int window(MemorySegment segment) {
        return segment.get(U16, WINDOW) & 0xFFFF;
    }

    /**
     * Returns the checksum field.
     *
     * @param segment a checked segment
     * @return 0–0xFFFF
     */
    public static int checksum(MemorySegment segment) {
        return segment.get(U16, CHECKSUM) & 0xFFFF;
    }

    /**
     * Returns the urgent pointer field.
     *
     * @param segment a checked segment
     * @return 0–65535; meaningful only with {@link TcpHeader#URG}
     */
    public static int urgentPointer(MemorySegment segment) {
        return segment.get(U16, URGENT_POINTER) & 0xFFFF;
    }

    /**
     * Returns the options area: the bytes between the fixed header and the data, padding included.
     *
     * @param segment a checked segment
     * @return a slice of {@code segment}, 0–40 bytes
     */
    public static MemorySegment options(MemorySegment segment) {
        return segment.asSlice(HEADER, headerLength(segment) - HEADER);
    }

    /**
     * Returns the data: every byte after the header.
     *
     * @param segment a checked segment
     * @return a slice of {@code segment}
     */
    public static MemorySegment payload(MemorySegment segment) {
        return segment.asSlice(headerLength(segment));
    }

    /**
     * Finds the first option of kind {@code kind}, without allocating: for the receive path, which reads a
     * timestamp or a SACK block in place.
     *
     * @param segment a segment that {@link TcpHeader#validate} accepted, so that its options are well formed
     * @param kind an option kind other than {@link #END_OF_OPTIONS} and {@link #NO_OPERATION}
     * @return the offset in {@code segment} of the option's kind byte, its length byte after it, or -1 when
     *     the segment has none
     */
    public static int option(MemorySegment segment, int kind) {
        int end = headerLength(segment);
        for (int at = HEADER; at < end; at = nextOption(segment, at, end)) {
            if (u8(segment, at) == kind) {
                return at;
            }
        }
        return -1;
    }

    /**
     * Returns where the option after the one at {@code at} starts, the one walk of the options area every
     * reader shares.
     *
     * @param segment a checked segment
     * @param at the offset of an option's kind byte, below {@code end}
     * @param end the end of the options area, the header's length
     * @return the next option's offset, or {@code end} after an end-of-options (what follows it is padding)
     * @throws MalformedPacketException when the option has no length byte, a length below 2, or runs past
     *     {@code end} (RFC 9293 §3.1: "must be prepared to handle an illegal option length")
     */
    static int nextOption(MemorySegment segment, int at, int end) {
        int kind = u8(segment, at);
        if (kind == END_OF_OPTIONS) {
            return end;
        }
        if (kind == NO_OPERATION) {
            return at + 1;
        }
        if (at + 1 >= end) {
            throw new MalformedPacketException("TCP option " + kind + " at byte " + at + " has no length");
        }
        int length = u8(segment, at + 1);
        if (length < 2 || at + length > end) {
            throw new MalformedPacketException("TCP option " + kind + " at byte " + at + " has length " + length
                    + " in a header of " + end + " bytes");
        }
        return at + length;
    }

    static int u8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /**
     * Writes the fixed header with a zero checksum.
     *
     * @param segment at least 20 writable bytes
     * @param header the fields
     * @param headerLength the header's length in bytes, a multiple of 4 from 20 to 60
     */
    static void put(MemorySegment segment, TcpHeader header, int headerLength) {
        segment.set(U16, SOURCE_PORT, (short) header.sourcePort());
        segment.set(U16, DESTINATION_PORT, (short) header.destinationPort());
        segment.set(I32, SEQUENCE, header.sequence());
        segment.set(I32, ACKNOWLEDGMENT, header.acknowledgment());
        segment.set(ValueLayout.JAVA_BYTE, DATA_OFFSET, (byte) (headerLength / 4 << 4));
        segment.set(ValueLayout.JAVA_BYTE, FLAGS, (byte) header.flags());
        segment.set(U16, WINDOW, (short) header.window());
        segment.set(U16, CHECKSUM, (short) 0);
        segment.set(U16, URGENT_POINTER, (short) header.urgentPointer());
    }

    /**
     * Writes the checksum field.
     *
     * @param segment a segment with its header
     * @param checksum 0–0xFFFF
     */
    static void putChecksum(MemorySegment segment, int checksum) {
        segment.set(U16, CHECKSUM, (short) checksum);
    }
}

package dev.morgana.net.tcpip.ipv4;

import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The view of an IPv4 datagram (RFC 791 §3.1): static accessors at constant offsets over a segment that
 * starts at the version nibble.
 *
 * <pre>
 *  0       4       8              16    19                 31
 *  |version|  IHL  |  DSCP/ECN    |       total length      |
 *  |        identification        |flags| fragment offset   |
 *  |   TTL         |  protocol    |     header checksum     |
 *  |                       source address                   |
 *  |                    destination address                 |
 *  |              options (IHL − 5 words) …                 |
 * </pre>
 *
 * <p>On untrusted input call {@link #problem} (or {@link #check}) first: once it reports none, the whole
 * header, options included, and {@link #totalLength} bytes are there and consistent, and no accessor can
 * fail. A received packet may be longer than its total length (Ethernet pads short frames to 60 bytes): the
 * extra bytes are not part of the datagram, and {@link #payload} leaves them out. The accessors allocate
 * nothing; addresses are {@code int}s, first byte highest.
 */
public final class Ipv4Packet {

    /** Bytes of a header without options, the only kind this stack sends. */
    public static final int HEADER = 20;
    /** Bytes of the longest header: IHL 15. */
    public static final int MAX_HEADER = 60;
    /** The largest total length, header included. */
    public static final int MAX_LENGTH = 65_535;
    /** The flag that forbids fragmenting the datagram (RFC 791 §3.1). */
    public static final int DONT_FRAGMENT = 0x4000;
    /** The flag that says more fragments follow this one. */
    public static final int MORE_FRAGMENTS = 0x2000;
    /** The reserved flag, which must be zero on send and is ignored on receive. */
    public static final int RESERVED_FLAG = 0x8000;

    /** Nothing wrong: the packet may be read. */
    public static final int OK = 0;
    /** Shorter than 20 bytes, than its header length or than its total length. */
    public static final int TRUNCATED = 1;
    /** A version other than 4. */
    public static final int BAD_VERSION = 2;
    /** An IHL below 5 words, or a total length below the header length. */
    public static final int BAD_LENGTH = 3;
    /** A header checksum that does not add up. */
    public static final int BAD_CHECKSUM = 4;
    /**
     * A fragment that would end beyond 65,535 bytes (the "ping of death"), or a fragment other than the last
     * whose payload is not a multiple of 8 bytes (RFC 791 §3.2 "Fragmentation and reassembly").
     */
    public static final int BAD_FRAGMENT = 5;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int VERSION_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_OFFSET = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private Ipv4Packet() {}

    /**
     * Tells what, if anything, is wrong with the datagram at the start of {@code packet}, without throwing
     * or allocating: the receive path counts each problem separately.
     *
     * @param packet received bytes from the version nibble on, perhaps padded
     * @return {@link #OK}, or one of {@link #TRUNCATED}, {@link #BAD_VERSION}, {@link #BAD_LENGTH},
     *     {@link #BAD_CHECKSUM}, {@link #BAD_FRAGMENT}
     */
    public static int problem(MemorySegment packet) {
        long size = packet.byteSize();
        if (size < HEADER) {
            return TRUNCATED;
        }
        // The first eight bytes in one read: on the receive path every access costs C2 dozens of nodes, and
        // the whole path must stay under its inlining budget (see UdpLayer.datagram).
        long first = packet.get(U64, VERSION_IHL);
        int versionIhl = (int) (first >>> 56);
        if (versionIhl >>> 4 != 4) {
            return BAD_VERSION;
        }
        int headerLength = (versionIhl & 0xF) * 4;
        if (headerLength < HEADER) {
            return BAD_LENGTH;
        }
        if (headerLength > size) {
            return TRUNCATED;
        }
        int total = (int) (first >>> 32) & 0xFFFF;
        if (total < headerLength) {
            return BAD_LENGTH;
        }
        if (total > size) {
            return TRUNCATED;
        }
        if (InternetChecksum.sum(packet, 0, headerLength, 0) != 0xFFFF) {
            return BAD_CHECKSUM;
        }
        int flagsOffset = (int) first & 0xFFFF;
        int offset = (flagsOffset & 0x1FFF) * 8;
        if (offset + total > MAX_LENGTH
                || (flagsOffset & MORE_FRAGMENTS) != 0 && ((total - headerLength) % 8 != 0 || total == headerLength)) {
            return BAD_FRAGMENT;
        }
        return OK;
    }

    /**
     * Checks the datagram at the start of {@code packet}.
     *
     * @param packet received bytes from the version nibble on
     * @throws MalformedPacketException saying what {@link #problem} found, if anything
     */
    public static void check(MemorySegment packet) {
        int problem = problem(packet);
        if (problem != OK) {
            throw new MalformedPacketException(describe(problem) + " (" + packet.byteSize() + " bytes)");
        }
    }

    /**
     * Names a problem, for messages and logs.
     *
     * @param problem a code from {@link #problem}
     * @return a short description
     */
    public static String describe(int problem) {
        return switch (problem) {
            case OK -> "a valid IPv4 datagram";
            case TRUNCATED -> "an IPv4 datagram cut short of its header or total length";
            case BAD_VERSION -> "not IPv4: the version is not 4";
            case BAD_LENGTH -> "an IPv4 header length below 20 bytes or a total length below the header length";
            case BAD_CHECKSUM -> "an IPv4 header whose checksum does not add up";
            case BAD_FRAGMENT -> "an IPv4 fragment beyond 65,535 bytes or a non-final one not a multiple of 8 bytes";
            default -> throw new IllegalArgumentException("no such problem: " + problem);
        };
    }

    /**
     * Returns the header length.
     *
     * @param packet a checked packet
     * @return 20–60 bytes
     */
    public static int headerLength(MemorySegment packet) {
        return (u8(packet, VERSION_IHL) & 0xF) * 4;
    }

    /**
     * Returns the DSCP and ECN byte (the old type of service).
     *
     * @param packet a checked packet
     * @return 0–255
     */
    public static int tos(MemorySegment packet) {
        return u8(packet, TOS);
    }

    /**
     * Returns the total length, header included.
     *
     * @param packet a checked packet
     * @return bytes of the datagram (or fragment), at most the segment's size
     */
    public static int totalLength(MemorySegment packet) {
        return u16(packet, TOTAL_LENGTH);
    }

    /**
     * Returns the identification that ties the fragments of one datagram together.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF
     */
    public static int identification(MemorySegment packet) {
        return u16(packet, IDENTIFICATION);
    }

    /**
     * Returns the flags and fragment offset word.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF: the flags in the top three bits, the offset in 8-byte units below
     */
    public static int flagsAndOffset(MemorySegment packet) {
        return u16(packet, FLAGS_OFFSET);
    }

    /**
     * Tells whether the packet is a fragment: more fragments follow, or it does not start at offset 0.
     *
     * @param packet a checked packet
     * @return whether it must be reassembled
     */
    public static boolean isFragment(MemorySegment packet) {
        return (flagsAndOffset(packet) & (MORE_FRAGMENTS | 0x1FFF)) != 0;
    }

    /**
     * Returns the fragment offset.
     *
     * @param packet a checked packet
     * @return where this fragment's payload starts in the datagram's, in bytes (a multiple of 8)
     */
    public static int fragmentOffset(MemorySegment packet) {
        return (flagsAndOffset(packet) & 0x1FFF) * 8;
    }

    /**
     * Returns the time to live.
     *
     * @param packet a checked packet
     * @return 0–255
     */
    public static int ttl(MemorySegment packet) {
        return u8(packet, TTL);
    }

    /**
     * Returns the protocol of the payload.
     *
     * @param packet a checked packet
     * @return 0–255
     */
    public static int protocol(MemorySegment packet) {
        return u8(packet, PROTOCOL);
    }

    /**
     * Returns the header checksum as received.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF
     */
    public static int checksum(MemorySegment packet) {
        return u16(packet, CHECKSUM);
    }

    /**
     * Returns the source address.
     *
     * @param packet a checked packet
     * @return the address, first byte highest
     */
    public static int source(MemorySegment packet) {
        return packet.get(I32, SOURCE);
    }

    /**
     * Returns the destination address.
     *
     * @param packet a checked packet
     * @return the address, first byte highest
     */
    public static int destination(MemorySegment packet) {
        return packet.get(I32, DESTINATION);
    }

    /**
     * Returns the payload: the bytes after the header (and its options) up to the total length, without any
     * link-layer padding.
     *
     * @param packet a checked packet
     * @return a slice of {@code packet}
     */
    public static MemorySegment payload(MemorySegment packet) {
        int header = headerLength(packet);
        return packet.asSlice(header, totalLength(packet) - header);
    }

    /**
     * Writes a 20-byte header without options, its checksum included.
     *
     * @param packet at least 20 writable bytes
     * @param tos the DSCP and ECN byte
     * @param totalLength the header's 20 bytes plus the payload's
     * @param identification the datagram's identification
     * @param flagsAndOffset {@link #DONT_FRAGMENT}, {@link #MORE_FRAGMENTS} and the offset in 8-byte units
     * @param ttl the time to live
     * @param protocol the payload's protocol
     * @param source the source address
     * @param destination the destination address
     */
    public static void putHeader(MemorySegment packet, int tos, int totalLength, int identification,
            int flagsAndOffset, int ttl, int protocol, int source, int destination) {
        packet.set(ValueLayout.JAVA_BYTE, VERSION_IHL, (byte) 0x45);
        packet.set(ValueLayout.JAVA_BYTE, TOS, (byte) tos);
        packet.set(U16, TOTAL_LENGTH, (short) totalLength);
        packet.set(U16, IDENTIFICATION, (short) identification);
        packet.set(U16, FLAGS_OFFSET, (short) flagsAndOffset);
        packet.set(ValueLayout.JAVA_BYTE, TTL, (byte) ttl);
        packet.set(ValueLayout.JAVA_BYTE, PROTOCOL, (byte) protocol);
        packet.set(U16, CHECKSUM, (short) 0);
        packet.set(I32, SOURCE, source);
        packet.set(I32, DESTINATION, destination);
        packet.set(U16, CHECKSUM, (short) InternetChecksum.of(packet, 0, HEADER, 0));
    }

    private static int u8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private static int u16(MemorySegment segment, long offset) {
        return segment.get(U16, offset) & 0xFFFF;
    }
}

package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The few fields of an IPv4 header (RFC 791 §3.1) that ICMP reads in a datagram it quotes or is given to
 * quote: static accessors at constant offsets. ICMP keeps its own reader, rather than the IPv4 layer's, so
 * that it depends on the {@code Ipv4} signature alone.
 *
 * <p>On untrusted input call {@link #check} first; after it no accessor can fail.
 */
final class QuotedIpv4Packet {

    /** Bytes of a header without options. */
    static final int MIN_HEADER = 20;

    private static final int VERSION_IHL = 0;
    private static final int TOTAL_LENGTH = 2;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int PROTOCOL = 9;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private QuotedIpv4Packet() {}

    /**
     * Checks that {@code datagram} starts with a whole IPv4 header followed by at least {@code after}
     * bytes.
     *
     * @param datagram the bytes from the header on
     * @param after how many bytes must follow the header (RFC 1122 §3.2.2: a quote holds at least 8)
     * @throws MalformedPacketException when the version is not 4, the header length below 20 bytes, or the
     *     bytes too few
     */
    static void check(MemorySegment datagram, int after) {
        if (datagram.byteSize() < MIN_HEADER) {
            throw new MalformedPacketException("a quoted IPv4 header has at least 20 bytes, got " + datagram.byteSize());
        }
        int first = datagram.get(ValueLayout.JAVA_BYTE, VERSION_IHL) & 0xFF;
        if (first >>> 4 != 4 || (first & 0xF) < 5) {
            throw new MalformedPacketException("a quoted datagram is not IPv4: version " + (first >>> 4)
                    + ", header length " + (first & 0xF) * 4);
        }
        if (datagram.byteSize() < headerLength(datagram) + after) {
            throw new MalformedPacketException("a quote holds the IPv4 header and " + after + " bytes after it, got "
                    + datagram.byteSize() + " bytes with a " + headerLength(datagram) + "-byte header");
        }
    }

    static int headerLength(MemorySegment datagram) {
        return (datagram.get(ValueLayout.JAVA_BYTE, VERSION_IHL) & 0xF) * 4;
    }

    static int totalLength(MemorySegment datagram) {
        return datagram.get(IcmpPacket.U16, TOTAL_LENGTH) & 0xFFFF;
    }

    /** The fragment offset in 8-byte units: zero for a whole datagram and for a first fragment. */
    static int fragmentOffset(MemorySegment datagram) {
        return datagram.get(IcmpPacket.U16, FLAGS_FRAGMENT) & 0x1FFF;
    }

    static int protocol(MemorySegment datagram) {
        return datagram.get(ValueLayout.JAVA_BYTE, PROTOCOL) & 0xFF;
    }

    static int source(MemorySegment datagram) {
        return datagram.get(IcmpPacket.I32, SOURCE);
    }

    static int destination(MemorySegment datagram) {
        return datagram.get(IcmpPacket.I32, DESTINATION);
    }
}

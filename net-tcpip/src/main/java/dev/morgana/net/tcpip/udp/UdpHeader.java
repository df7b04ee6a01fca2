package dev.morgana.net.tcpip.udp;

import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;

/**
 * The validated header of a UDP datagram (RFC 768): its two ports. The length and the checksum are derived
 * from the payload and the pseudo-header, never stored.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on a datagram shorter than
 * its header, whose length field is below 8 or beyond the bytes received, or whose non-zero checksum is
 * wrong. A zero checksum means that the sender computed none (RFC 768) and is accepted.
 *
 * @param sourcePort 0–65535; 0 when the sender expects no answer
 * @param destinationPort 0–65535
 */
public record UdpHeader(int sourcePort, int destinationPort) {

    /** The largest payload over IPv4: 65535 less the IPv4 header (20) and the UDP header (8). */
    public static final int MAX_PAYLOAD = 65_507;

    /**
     * Checks the ports.
     *
     * @throws IllegalArgumentException when one is outside 0–65535
     */
    public UdpHeader {
        if (sourcePort < 0 || sourcePort > 0xFFFF || destinationPort < 0 || destinationPort > 0xFFFF) {
            throw new IllegalArgumentException("ports are 0–65535, got " + sourcePort + " and " + destinationPort);
        }
    }

    /**
     * Parses and validates the datagram at the start of {@code packet}.
     *
     * @param packet the IPv4 payload
     * @param pseudoHeaderSum the sum of the IPv4 pseudo-header for this datagram's length
     *     ({@code Ipv4.pseudoHeaderSum(source, destination, 17, UdpPacket.length(packet))})
     * @return the header
     * @throws MalformedPacketException when the bytes are not a valid UDP datagram
     */
    public static UdpHeader parse(MemorySegment packet, int pseudoHeaderSum) {
        validate(packet, pseudoHeaderSum);
        return new UdpHeader(UdpPacket.sourcePort(packet), UdpPacket.destinationPort(packet));
    }

    /**
     * Checks what {@link #parse} checks, without building the record: for the receive path, which reads the
     * fields through {@link UdpPacket} afterwards.
     *
     * @param packet the IPv4 payload
     * @param pseudoHeaderSum as for {@link #parse}
     * @throws MalformedPacketException when the bytes are not a valid UDP datagram
     */
    public static void validate(MemorySegment packet, int pseudoHeaderSum) {
        UdpPacket.check(packet);
        if (UdpPacket.checksum(packet) != 0
                && InternetChecksum.of(packet, 0, UdpPacket.length(packet), pseudoHeaderSum) != 0) {
            throw new MalformedPacketException("wrong UDP checksum 0x" + Integer.toHexString(UdpPacket.checksum(packet)));
        }
    }

    /**
     * Writes the header and the checksum over it, the payload already in place after it, and the
     * pseudo-header. A computed checksum of 0 is sent as 0xFFFF (RFC 768), which is the same in one's
     * complement, since 0 on the wire means "none".
     *
     * @param packet the whole datagram, exactly as long as it is to be sent, the payload written from byte 8 on
     * @param pseudoHeaderSum the sum of the IPv4 pseudo-header for {@code packet.byteSize()} bytes
     * @return the datagram's length
     * @throws IndexOutOfBoundsException when {@code packet} is shorter than the header
     * @throws IllegalArgumentException when {@code packet} is longer than 65515 bytes
     */
    public int emit(MemorySegment packet, int pseudoHeaderSum) {
        return emit(packet, sourcePort, destinationPort, pseudoHeaderSum);
    }

    /**
     * Does what {@link #emit(MemorySegment, int)} does without a record, for a send path that allocates
     * nothing.
     *
     * @param packet as for {@link #emit(MemorySegment, int)}
     * @param sourcePort 0–65535
     * @param destinationPort 0–65535
     * @param pseudoHeaderSum as for {@link #emit(MemorySegment, int)}
     * @return the datagram's length
     */
    static int emit(MemorySegment packet, int sourcePort, int destinationPort, int pseudoHeaderSum) {
        long length = packet.byteSize();
        if (length < UdpPacket.HEADER) {
            throw new IndexOutOfBoundsException("a UDP header needs 8 bytes, got " + length);
        }
        if (length > MAX_PAYLOAD + UdpPacket.HEADER) {
            throw new IllegalArgumentException("a UDP datagram over IPv4 has at most 65515 bytes, got " + length);
        }
        UdpPacket.put(packet, sourcePort, destinationPort, (int) length);
        int checksum = InternetChecksum.of(packet, 0, length, pseudoHeaderSum);
        UdpPacket.putChecksum(packet, checksum == 0 ? 0xFFFF : checksum);
        return (int) length;
    }
}

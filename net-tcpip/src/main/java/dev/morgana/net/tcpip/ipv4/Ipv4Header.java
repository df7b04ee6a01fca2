package dev.morgana.net.tcpip.ipv4;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;

/**
 * The validated header of an IPv4 datagram or fragment (RFC 791 §3.1): what the stack acts on. The header
 * length, total length and checksum are derived, not stored; options are skipped on parse (this host acts
 * on none of them, RFC 1122 §3.2.1.8 lets it ignore those it does not implement) and never emitted; the
 * reserved flag is ignored on parse and sent as zero.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on any bytes that are not a
 * whole, consistent IPv4 header (see {@link Ipv4Packet#problem}).
 *
 * @param tos the DSCP and ECN byte, 0–255
 * @param identification ties fragments together, 0–0xFFFF
 * @param dontFragment whether routers may not fragment the datagram
 * @param moreFragments whether more fragments follow this one
 * @param fragmentOffset where this fragment's payload starts in the datagram's, in bytes: a multiple of 8,
 *     at most 65,528
 * @param ttl the time to live, 0–255 (a received TTL of 0 or 1 is not a reason to drop: RFC 1122
 *     §3.2.1.7; the layer never sends 0)
 * @param protocol the payload's protocol, 0–255
 * @param source the sender
 * @param destination the receiver
 */
public record Ipv4Header(int tos, int identification, boolean dontFragment, boolean moreFragments,
        int fragmentOffset, int ttl, int protocol, Ipv4Address source, Ipv4Address destination) {

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when a field is out of its range
     */
    public Ipv4Header {
        checkRange(tos, 0xFF, "tos");
        checkRange(identification, 0xFFFF, "identification");
        checkRange(ttl, 0xFF, "ttl");
        checkRange(protocol, 0xFF, "protocol");
        if (fragmentOffset < 0 || fragmentOffset > 0x1FFF * 8 || fragmentOffset % 8 != 0) {
            throw new IllegalArgumentException("a fragment offset is a multiple of 8 up to 65528, got " + fragmentOffset);
        }
        java.util.Objects.requireNonNull(source, "source");
        java.util.Objects.requireNonNull(destination, "destination");
    }

    private static void checkRange(int value, int max, String name) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " is 0–" + max + ", got " + value);
        }
    }

    /**
     * Parses and validates the header at the start of {@code packet}.
     *
     * @param packet received bytes from the version nibble on, perhaps padded
     * @return the header
     * @throws MalformedPacketException when the bytes are not a whole, consistent IPv4 datagram
     */
    public static Ipv4Header parse(MemorySegment packet) {
        Ipv4Packet.check(packet);
        int flags = Ipv4Packet.flagsAndOffset(packet);
        return new Ipv4Header(Ipv4Packet.tos(packet), Ipv4Packet.identification(packet),
                (flags & Ipv4Packet.DONT_FRAGMENT) != 0, (flags & Ipv4Packet.MORE_FRAGMENTS) != 0,
                Ipv4Packet.fragmentOffset(packet), Ipv4Packet.ttl(packet), Ipv4Packet.protocol(packet),
                new Ipv4Address(Ipv4Packet.source(packet)), new Ipv4Address(Ipv4Packet.destination(packet)));
    }

    /**
     * Tells whether this is a fragment rather than a whole datagram.
     *
     * @return whether more fragments follow or the offset is not 0
     */
    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    /**
     * Returns the flags and offset word as sent.
     *
     * @return the 16 bits after the identification
     */
    public int flagsAndOffset() {
        return (dontFragment ? Ipv4Packet.DONT_FRAGMENT : 0) | (moreFragments ? Ipv4Packet.MORE_FRAGMENTS : 0)
                | fragmentOffset / 8;
    }

    /**
     * Writes a 20-byte header, without options, for a payload of {@code payloadLength} bytes.
     *
     * @param packet at least 20 writable bytes; the payload follows them
     * @param payloadLength the payload's bytes
     * @return 20, where the payload starts
     * @throws IllegalArgumentException when the datagram would exceed 65,535 bytes, or a fragment other than the
     *     last would not carry a positive multiple of 8 bytes
     * @throws IndexOutOfBoundsException when {@code packet} is shorter than 20 bytes
     */
    public int emit(MemorySegment packet, int payloadLength) {
        if (payloadLength < 0 || Ipv4Packet.HEADER + payloadLength + fragmentOffset > Ipv4Packet.MAX_LENGTH) {
            throw new IllegalArgumentException("a payload of " + payloadLength + " bytes at offset " + fragmentOffset
                    + " exceeds the 65535 bytes of an IPv4 datagram");
        }
        if (moreFragments && (payloadLength == 0 || payloadLength % 8 != 0)) {
            throw new IllegalArgumentException("a fragment other than the last carries a positive multiple of 8 bytes, got "
                    + payloadLength);
        }
        if (packet.byteSize() < Ipv4Packet.HEADER) {
            throw new IndexOutOfBoundsException("an IPv4 header needs 20 bytes, got " + packet.byteSize());
        }
        Ipv4Packet.putHeader(packet, tos, Ipv4Packet.HEADER + payloadLength, identification, flagsAndOffset(), ttl,
                protocol, source.bits(), destination.bits());
        return Ipv4Packet.HEADER;
    }
}

package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;

/**
 * A validated ARP packet for IPv4 over Ethernet (RFC 826): a {@link Request} or a {@link Reply}, each with
 * the four addresses.
 *
 * <p>Two kinds of request matter beyond RFC 826 (RFC 5227 §2.1.1 and §2.3): a <em>probe</em>, whose sender
 * IPv4 address is 0.0.0.0 (a host checking that nobody uses an address before it takes it), and an
 * <em>announcement</em> or gratuitous ARP, whose sender and target IPv4 addresses are the same.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on any packet that is not
 * Ethernet/IPv4 ARP with operation 1 or 2 (RARP's 3 and 4, InARP's 8 and 9 included).
 */
public sealed interface ArpMessage {

    /**
     * Returns the sender's MAC.
     *
     * @return the hardware address of the host that sent the packet
     */
    MacAddress senderMac();

    /**
     * Returns the sender's IPv4 address.
     *
     * @return 0.0.0.0 in a probe
     */
    Ipv4Address senderIp();

    /**
     * Returns the target's MAC.
     *
     * @return what a request asks for (usually zero in a request); the requester's MAC in a reply
     */
    MacAddress targetMac();

    /**
     * Returns the target's IPv4 address.
     *
     * @return the address a request asks about; the requester's in a reply
     */
    Ipv4Address targetIp();

    /**
     * Returns the operation code on the wire.
     *
     * @return {@link ArpPacket#REQUEST} or {@link ArpPacket#REPLY}
     */
    int operation();

    /**
     * A request: who has {@code targetIp}? Tell {@code senderIp}.
     *
     * @param senderMac the requester's MAC
     * @param senderIp the requester's address, 0.0.0.0 in a probe
     * @param targetMac ignored by receivers; zero from most senders
     * @param targetIp the address asked about
     */
    record Request(MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
            implements ArpMessage {

        /**
         * A request as a host sends one: target MAC zero.
         *
         * @param senderMac the requester's MAC
         * @param senderIp the requester's address
         * @param targetIp the address asked about
         * @return the request
         */
        public static Request of(MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
            return new Request(senderMac, senderIp, new MacAddress(0), targetIp);
        }

        /**
         * An announcement (gratuitous ARP, RFC 5227 §2.3): a request for one's own address.
         *
         * @param senderMac our MAC
         * @param address the address announced
         * @return the request
         */
        public static Request announcement(MacAddress senderMac, Ipv4Address address) {
            return of(senderMac, address, address);
        }

        /**
         * Tells whether this is an ARP probe (RFC 5227 §2.1.1): the sender claims no address yet.
         *
         * @return whether the sender IPv4 address is 0.0.0.0
         */
        public boolean isProbe() {
            return senderIp.isUnspecified();
        }

        @Override
        public int operation() {
            return ArpPacket.REQUEST;
        }
    }

    /**
     * A reply: {@code senderIp} is at {@code senderMac}.
     *
     * @param senderMac the answering host's MAC
     * @param senderIp the address asked about
     * @param targetMac the requester's MAC
     * @param targetIp the requester's address (0.0.0.0 when answering a probe)
     */
    record Reply(MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
            implements ArpMessage {

        @Override
        public int operation() {
            return ArpPacket.REPLY;
        }
    }

    /**
     * Parses and validates an ARP packet.
     *
     * @param packet the Ethernet payload; bytes after the 28 (padding) are ignored
     * @return the request or reply
     * @throws MalformedPacketException when the bytes are not an Ethernet/IPv4 ARP request or reply
     */
    static ArpMessage parse(MemorySegment packet) {
        validate(packet);
        MacAddress senderMac = new MacAddress(ArpPacket.senderMac(packet));
        Ipv4Address senderIp = new Ipv4Address(ArpPacket.senderIp(packet));
        MacAddress targetMac = new MacAddress(ArpPacket.targetMac(packet));
        Ipv4Address targetIp = new Ipv4Address(ArpPacket.targetIp(packet));
        return ArpPacket.operation(packet) == ArpPacket.REQUEST ? new Request(senderMac, senderIp, targetMac, targetIp)
                : new Reply(senderMac, senderIp, targetMac, targetIp);
    }

    /**
     * Checks what {@link #parse} checks, without building the message: for a receive path that reads the
     * fields through {@link ArpPacket} afterwards.
     *
     * @param packet the Ethernet payload
     * @throws MalformedPacketException when the bytes are not an Ethernet/IPv4 ARP request or reply
     */
    static void validate(MemorySegment packet) {
        ArpPacket.check(packet);
        if (ArpPacket.hardwareType(packet) != ArpPacket.HTYPE_ETHERNET || ArpPacket.hardwareLength(packet) != 6) {
            throw new MalformedPacketException("ARP for hardware type " + ArpPacket.hardwareType(packet)
                    + " with " + ArpPacket.hardwareLength(packet) + "-byte addresses, not Ethernet");
        }
        if (ArpPacket.protocolType(packet) != ArpPacket.PTYPE_IPV4 || ArpPacket.protocolLength(packet) != 4) {
            throw new MalformedPacketException("ARP for protocol 0x" + Integer.toHexString(ArpPacket.protocolType(packet))
                    + " with " + ArpPacket.protocolLength(packet) + "-byte addresses, not IPv4");
        }
        int operation = ArpPacket.operation(packet);
        if (operation != ArpPacket.REQUEST && operation != ArpPacket.REPLY) {
            throw new MalformedPacketException("ARP operation " + operation + " is neither a request (1) nor a reply (2)");
        }
    }

    /**
     * Writes the packet.
     *
     * @param packet at least 28 writable bytes
     * @return 28, the bytes written
     * @throws IndexOutOfBoundsException when {@code packet} is too short
     */
    default int emit(MemorySegment packet) {
        if (packet.byteSize() < ArpPacket.LENGTH) {
            throw new IndexOutOfBoundsException("an ARP packet needs 28 bytes, got " + packet.byteSize());
        }
        ArpPacket.put(packet, operation(), senderMac().bits(), senderIp().bits(), targetMac().bits(), targetIp().bits());
        return ArpPacket.LENGTH;
    }
}

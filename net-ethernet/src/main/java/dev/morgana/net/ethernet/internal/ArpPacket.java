package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;

/**
 * The view of an ARP packet for IPv4 over Ethernet (RFC 826): static accessors at constant offsets.
 *
 * <pre>
 *  0      2      4    5    6      8            14       18           24       28
 *  | hrd  | pro  | hln| pln| op   | sender MAC | sender | target MAC | target |
 *  |   1  | 0800 |  6 |  4 | 1, 2 |            | IPv4   |            | IPv4   |
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the
 * 28 bytes are there (a received packet is usually longer, padded to the Ethernet minimum), after which no
 * accessor can fail. The values are not checked here: {@link ArpMessage#parse} does that.
 */
public final class ArpPacket {

    /** Bytes of an ARP packet for IPv4 over Ethernet. */
    public static final int LENGTH = 28;
    /** ARP's hardware type for Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** ARP's protocol type for IPv4: its EtherType. */
    public static final int PTYPE_IPV4 = 0x0800;
    /** The operation of a request. */
    public static final int REQUEST = 1;
    /** The operation of a reply. */
    public static final int REPLY = 2;

    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPERATION = 6;
    private static final int SENDER_MAC = 8;
    private static final int SENDER_IP = 14;
    private static final int TARGET_MAC = 18;
    private static final int TARGET_IP = 24;

    private ArpPacket() {}

    /**
     * Checks that {@code packet} is long enough.
     *
     * @param packet the Ethernet payload
     * @throws MalformedPacketException when it is shorter than 28 bytes
     */
    public static void check(MemorySegment packet) {
        if (packet.byteSize() < LENGTH) {
            throw new MalformedPacketException("an ARP packet for IPv4 over Ethernet has 28 bytes, got " + packet.byteSize());
        }
    }

    /**
     * Returns the hardware type.
     *
     * @param packet a checked packet
     * @return the hardware type
     */
    public static int hardwareType(MemorySegment packet) {
        return Wire.u16(packet, HTYPE);
    }

    /**
     * Returns the protocol type.
     *
     * @param packet a checked packet
     * @return the protocol type
     */
    public static int protocolType(MemorySegment packet) {
        return Wire.u16(packet, PTYPE);
    }

    /**
     * Returns the hardware address length.
     *
     * @param packet a checked packet
     * @return the hardware address length
     */
    public static int hardwareLength(MemorySegment packet) {
        return Wire.u8(packet, HLEN);
    }

    /**
     * Returns the protocol address length.
     *
     * @param packet a checked packet
     * @return the protocol address length
     */
    public static int protocolLength(MemorySegment packet) {
        return Wire.u8(packet, PLEN);
    }

    /**
     * Returns the operation.
     *
     * @param packet a checked packet
     * @return the operation
     */
    public static int operation(MemorySegment packet) {
        return Wire.u16(packet, OPERATION);
    }

    /**
     * Returns the sender's MAC in the low 48 bits.
     *
     * @param packet a checked packet
     * @return the sender's MAC in the low 48 bits
     */
    public static long senderMac(MemorySegment packet) {
        return Wire.mac(packet, SENDER_MAC);
    }

    /**
     * Returns the sender's IPv4 address.
     *
     * @param packet a checked packet
     * @return the sender's IPv4 address
     */
    public static int senderIp(MemorySegment packet) {
        return Wire.i32(packet, SENDER_IP);
    }

    /**
     * Returns the target's MAC in the low 48 bits.
     *
     * @param packet a checked packet
     * @return the target's MAC in the low 48 bits
     */
    public static long targetMac(MemorySegment packet) {
        return Wire.mac(packet, TARGET_MAC);
    }

    /**
     * Returns the target's IPv4 address.
     *
     * @param packet a checked packet
     * @return the target's IPv4 address
     */
    public static int targetIp(MemorySegment packet) {
        return Wire.i32(packet, TARGET_IP);
    }

    /**
     * Writes a whole packet for IPv4 over Ethernet.
     *
     * @param packet at least 28 writable bytes
     * @param operation {@link #REQUEST} or {@link #REPLY}
     * @param senderMac the sender's MAC bits
     * @param senderIp the sender's IPv4 bits
     * @param targetMac the target's MAC bits
     * @param targetIp the target's IPv4 bits
     */
    public static void put(MemorySegment packet, int operation, long senderMac, int senderIp, long targetMac,
            int targetIp) {
        Wire.putU16(packet, HTYPE, HTYPE_ETHERNET);
        Wire.putU16(packet, PTYPE, PTYPE_IPV4);
        Wire.putU8(packet, HLEN, 6);
        Wire.putU8(packet, PLEN, 4);
        Wire.putU16(packet, OPERATION, operation);
        Wire.putMac(packet, SENDER_MAC, senderMac);
        Wire.putI32(packet, SENDER_IP, senderIp);
        Wire.putMac(packet, TARGET_MAC, targetMac);
        Wire.putI32(packet, TARGET_IP, targetIp);
    }
}

package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;

/**
 * The view of a DHCP message (RFC 2131 §2, the BOOTP layout of RFC 951 with RFC 2132's magic cookie): static
 * accessors at constant offsets into a UDP payload.
 *
 * <pre>
 *   0    1      2    3     4     8      10     12       16       20       24       28        44      108     236      240
 *   | op | htype| hlen| hops| xid | secs | flags| ciaddr | yiaddr | siaddr | giaddr | chaddr  | sname | file  | cookie | options…
 *   | 1,2|  1   |  6  |     |     |      | B... |        |        |        |        | 16 bytes| 64    | 128   |99.130.83.99|
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the 240
 * bytes up to the options are there, after which no accessor of the fixed part can fail. The values are not
 * checked here: {@link DhcpMessage#parse} does that, and walks the options.
 */
public final class DhcpPacket {

    /** Bytes before the options: the BOOTP header and the magic cookie. */
    public static final int HEADER_LENGTH = 240;
    /**
     * The shortest message we send (RFC 1542 §2.1: BOOTP relays and servers may drop anything shorter than
     * the 300 bytes of the original BOOTP message); dhclient and dnsmasq pad to it too.
     */
    public static final int MIN_LENGTH = 300;
    /** RFC 2132 §2: the first four option bytes, 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** {@code op} of a message from a client. */
    public static final int BOOTREQUEST = 1;
    /** {@code op} of a message from a server. */
    public static final int BOOTREPLY = 2;
    /** {@code htype} for Ethernet (RFC 1700's ARP hardware types). */
    public static final int HTYPE_ETHERNET = 1;
    /** The broadcast bit of {@code flags} (RFC 2131 §2, figure 2). */
    public static final int FLAG_BROADCAST = 0x8000;
    /** The UDP port servers listen on. */
    public static final int SERVER_PORT = 67;
    /** The UDP port clients listen on. */
    public static final int CLIENT_PORT = 68;

    static final int OP = 0;
    static final int HTYPE = 1;
    static final int HLEN = 2;
    static final int HOPS = 3;
    static final int XID = 4;
    static final int SECS = 8;
    static final int FLAGS = 10;
    static final int CIADDR = 12;
    static final int YIADDR = 16;
    static final int SIADDR = 20;
    static final int GIADDR = 24;
    static final int CHADDR = 28;
    static final int SNAME = 44;
    static final int SNAME_LENGTH = 64;
    static final int FILE = 108;
    static final int FILE_LENGTH = 128;
    static final int COOKIE = 236;
    static final int OPTIONS = 240;

    private DhcpPacket() {}

    /**
     * Checks that {@code packet} holds the fixed part and the cookie.
     *
     * @param packet the UDP payload
     * @throws MalformedPacketException when it is shorter than 240 bytes
     */
    public static void check(MemorySegment packet) {
        if (packet.byteSize() < HEADER_LENGTH) {
            throw new MalformedPacketException("a DHCP message has at least 240 bytes before its options, got "
                    + packet.byteSize());
        }
    }

    /**
     * Returns the operation.
     *
     * @param packet a checked packet
     * @return {@link #BOOTREQUEST} or {@link #BOOTREPLY} in a valid message
     */
    public static int op(MemorySegment packet) {
        return Wire.u8(packet, OP);
    }

    /**
     * Returns the hardware address type.
     *
     * @param packet a checked packet
     * @return {@link #HTYPE_ETHERNET} for Ethernet
     */
    public static int hardwareType(MemorySegment packet) {
        return Wire.u8(packet, HTYPE);
    }

    /**
     * Returns the hardware address length.
     *
     * @param packet a checked packet
     * @return 6 for Ethernet
     */
    public static int hardwareLength(MemorySegment packet) {
        return Wire.u8(packet, HLEN);
    }

    /**
     * Returns the relay hop count.
     *
     * @param packet a checked packet
     * @return 0 from a client; relays increment it
     */
    public static int hops(MemorySegment packet) {
        return Wire.u8(packet, HOPS);
    }

    /**
     * Returns the transaction identifier.
     *
     * @param packet a checked packet
     * @return the client's random number that pairs replies with requests
     */
    public static int xid(MemorySegment packet) {
        return Wire.i32(packet, XID);
    }

    /**
     * Returns the seconds since the client began the exchange.
     *
     * @param packet a checked packet
     * @return 0–65535
     */
    public static int secs(MemorySegment packet) {
        return Wire.u16(packet, SECS);
    }

    /**
     * Returns the flags.
     *
     * @param packet a checked packet
     * @return 16 bits, of which only {@link #FLAG_BROADCAST} has a meaning
     */
    public static int flags(MemorySegment packet) {
        return Wire.u16(packet, FLAGS);
    }

    /**
     * Returns the client's address, when it has one it can answer ARP for (BOUND, RENEWING, REBINDING).
     *
     * @param packet a checked packet
     * @return the IPv4 bits
     */
    public static int clientAddress(MemorySegment packet) {
        return Wire.i32(packet, CIADDR);
    }

    /**
     * Returns "your" address: the one a server offers or acknowledges.
     *
     * @param packet a checked packet
     * @return the IPv4 bits
     */
    public static int yourAddress(MemorySegment packet) {
        return Wire.i32(packet, YIADDR);
    }

    /**
     * Returns the next server's address (for booting; DHCP's server identifier is option 54).
     *
     * @param packet a checked packet
     * @return the IPv4 bits
     */
    public static int serverAddress(MemorySegment packet) {
        return Wire.i32(packet, SIADDR);
    }

    /**
     * Returns the relay agent's address.
     *
     * @param packet a checked packet
     * @return the IPv4 bits, 0 without a relay
     */
    public static int relayAddress(MemorySegment packet) {
        return Wire.i32(packet, GIADDR);
    }

    /**
     * Returns the first six bytes of {@code chaddr}: the client's MAC for Ethernet.
     *
     * @param packet a checked packet
     * @return the MAC in the low 48 bits
     */
    public static long clientMac(MemorySegment packet) {
        return Wire.mac(packet, CHADDR);
    }

    /**
     * Returns the four bytes after {@code file}.
     *
     * @param packet a checked packet
     * @return {@link #MAGIC_COOKIE} in a DHCP message
     */
    public static int cookie(MemorySegment packet) {
        return Wire.i32(packet, COOKIE);
    }
}

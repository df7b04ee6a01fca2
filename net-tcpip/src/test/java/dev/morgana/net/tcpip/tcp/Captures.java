package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.testing.net.Pcap;
import java.util.Arrays;
import java.util.List;

/**
 * The golden bytes of the TCP tests, captured once from Linux 6.18 ({@code linux-tcp.pcap}, 56 frames). Made
 * with two network namespaces joined by a veth pair, {@code mtta} (192.0.2.10, 02:00:00:00:00:0a) and
 * {@code mttb} (192.0.2.11, 02:00:00:00:00:0b), MTU 1500, with transmit checksum, TSO, GSO, GRO and
 * scatter-gather turned off on both ends (SIOCETHTOOL with ETHTOOL_STXCSUM, _STSO, _SGSO, _SGRO, _SSG and 0)
 * so that every checksum on the wire is complete and every segment is as sent. {@code tcpdump -i mtta -U -w
 * linux-tcp.pcap tcp} ran in the first namespace while Python sockets there connected to Python listeners in
 * the second, which read until end of stream and closed:
 *
 * <ul>
 *   <li>frames 1–8: 192.0.2.10:40002 → 192.0.2.11:5002, default socket options, which sent
 *       {@code "hello morgana\n"}, slept 0.5 s and closed: SYN (MSS 1460, SACK-permitted, timestamps, window
 *       scale 10), SYN-ACK, ACK, the data with PSH, its ACK, FIN, FIN, ACK;
 *   <li>frames 9–56: 192.0.2.10:40003 → 192.0.2.11:5003 with {@code TCP_MAXSEG} 200 (so a SYN with MSS 200
 *       and 188-byte segments beside timestamps), sending 4000 bytes ({@code i % 251}) through
 *       {@code tc qdisc add dev mtta root tbf rate 2mbit burst 1600 limit 800}, whose drops made the receiver
 *       answer with SACK blocks (frames 28, 29, 31, 33, 35, 37); frame 52 carries the last 52 bytes with PSH
 *       and FIN.
 * </ul>
 *
 * <p>{@code tshark -o tcp.check_checksum:TRUE} finds every checksum right.
 */
final class Captures {

    /** The connecting host. */
    static final Ipv4Address A = Ipv4Address.parse("192.0.2.10");
    /** The listening host. */
    static final Ipv4Address B = Ipv4Address.parse("192.0.2.11");

    private static final int ETHERNET_HEADER = 14;

    private Captures() {}

    /** Every frame of the capture, in order. */
    static List<byte[]> frames() {
        return Pcap.frames(Captures.class, "linux-tcp.pcap");
    }

    /**
     * The IPv4 datagram of frame {@code number} (from 1, as tshark counts).
     *
     * @param number the frame
     * @return the bytes from the IPv4 header on
     */
    static byte[] datagram(int number) {
        byte[] frame = frames().get(number - 1);
        return Arrays.copyOfRange(frame, ETHERNET_HEADER, frame.length);
    }

    /**
     * The TCP segment of frame {@code number}: the IPv4 payload (Linux's IPv4 headers here have no options).
     *
     * @param number the frame
     * @return the bytes after the 20-byte IPv4 header
     */
    static byte[] segment(int number) {
        byte[] datagram = datagram(number);
        return Arrays.copyOfRange(datagram, 20, datagram.length);
    }

    /**
     * Tells whether frame {@code number} goes from A to B.
     *
     * @param number the frame
     * @return true from A, false from B
     */
    static boolean fromA(int number) {
        byte[] datagram = datagram(number);
        return Ipv4Address.ofBytes(Arrays.copyOfRange(datagram, 12, 16)).equals(A);
    }
}

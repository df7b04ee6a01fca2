package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.testing.net.Pcap;
import java.util.Arrays;
import java.util.List;

/**
 * Frames captured from Linux, the golden bytes of the ICMP and UDP tests ({@code linux-ping-udp.pcap}). Made
 * with two network namespaces joined by a veth pair (192.0.2.10 on 02:00:00:00:00:0a, 192.0.2.11 on
 * 02:00:00:00:00:0b), transmit checksum offload turned off on both ends (ETHTOOL_STXCSUM 0) so that the
 * checksums on the wire are complete, by {@code tcpdump -i mtua -w FILE 'icmp or udp'} in the first while it
 * ran {@code ping -c 1 -p 6d6f7267616e61 192.0.2.11} (frames 1 and 2), then
 * {@code echo "hello morgana" | nc -u -w1 -p 40000 192.0.2.11 5000} to {@code nc -u -l} in the second
 * (frame 3), then {@code echo "anybody there?" | nc -u -w1 -p 40001 192.0.2.11 5001}, a closed port (frame 4),
 * which Linux answered with a port unreachable (frame 5). {@code tshark -r} finds every checksum right.
 */
public final class Captures {

    /** The pinging, sending host. */
    public static final Ipv4Address A = Ipv4Address.parse("192.0.2.10");
    /** The pinged host, with a UDP listener on port 5000 and none on 5001. */
    public static final Ipv4Address B = Ipv4Address.parse("192.0.2.11");

    private static final int ETHERNET_HEADER = 14;

    private Captures() {}

    /** The frames of the capture, a classic little-endian pcap file of Ethernet frames. */
    private static List<byte[]> frames() {
        return Pcap.frames(Captures.class, "linux-ping-udp.pcap");
    }

    /**
     * The IPv4 datagram of frame {@code number} (from 1, as tshark counts): 1 echo request A → B, 2 its
     * reply, 3 UDP A:40000 → B:5000, 4 UDP A:40001 → B:5001, 5 B's port unreachable about 4.
     *
     * @param number the frame
     * @return the bytes from the IPv4 header on
     */
    public static byte[] datagram(int number) {
        byte[] frame = frames().get(number - 1);
        return Arrays.copyOfRange(frame, ETHERNET_HEADER, frame.length);
    }

    /**
     * The IPv4 payload of frame {@code number}: its ICMP message or UDP datagram (the captured headers have no
     * options).
     *
     * @param number the frame
     * @return the bytes after the 20-byte IPv4 header
     */
    public static byte[] payload(int number) {
        byte[] datagram = datagram(number);
        return Arrays.copyOfRange(datagram, 20, datagram.length);
    }
}

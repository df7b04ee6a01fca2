package dev.morgana.net.tcpip.ipv4;

import dev.morgana.testing.net.Pcap;
import java.util.List;

/**
 * The golden bytes of the IPv4 tests, captured from Linux: two namespaces joined by a veth pair
 * (02:00:00:00:00:0a as 192.0.2.10, 02:00:00:00:00:0b as 192.0.2.11, MTU 1500, offloads off), and
 * {@code tcpdump -i mtia -w linux-ping-fragments.pcap ip} in the first while it ran
 * {@code ping -c 1 -s 3000 192.0.2.11} then {@code ping -c 1 -s 56 192.0.2.11}. Frames 1–3 are the echo
 * request in three fragments (identification 0x2c03, offsets 0, 1480, 2960), 4–6 the reply's (0xce31),
 * 7 and 8 the small request (DF set) and reply.
 */
final class Captures {

    private Captures() {}

    /** Every frame of the capture, in order. */
    static List<byte[]> frames() {
        return Pcap.frames(Captures.class, "linux-ping-fragments.pcap");
    }

    /** Frame {@code number} (from 1, as tshark counts) without its 14-byte Ethernet header: the IPv4 packet. */
    static byte[] packet(int number) {
        byte[] frame = frames().get(number - 1);
        return java.util.Arrays.copyOfRange(frame, 14, frame.length);
    }
}

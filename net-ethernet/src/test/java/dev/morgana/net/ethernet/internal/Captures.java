package dev.morgana.net.ethernet.internal;

import dev.morgana.testing.net.Pcap;
import java.util.List;

/**
 * Frames captured from Linux, the golden bytes of the Ethernet and ARP tests. Made with two network
 * namespaces joined by a veth pair (02:00:00:00:00:0a as 192.0.2.10, 02:00:00:00:00:0b as 192.0.2.11), by
 * {@code tcpdump -i mtea -w FILE arp} in the first while it ran {@code arping -c 2 -I mtea 192.0.2.11},
 * {@code arping -c 1 -U -I mtea 192.0.2.10} and a third request ({@code linux-arping.pcap}), and
 * {@code arping -0 -c 1 -I mtea 192.0.2.11}, a probe ({@code linux-arping-probe.pcap}). Requests are 58
 * bytes as arping writes them (tcpdump sees them before the driver pads); Linux's replies are 42.
 */
final class Captures {

    private Captures() {}

    /** The frames of {@code resource}, a pcap file beside this class. */
    static List<byte[]> frames(String resource) {
        return Pcap.frames(Captures.class, resource);
    }

    /** Frame {@code number} (from 1, as tshark counts) of the arping capture. */
    static byte[] arping(int number) {
        return frames("linux-arping.pcap").get(number - 1);
    }

    /** The probe (frame 1) or its answer (frame 2). */
    static byte[] probe(int number) {
        return frames("linux-arping-probe.pcap").get(number - 1);
    }
}

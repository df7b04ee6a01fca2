package dev.morgana.net.ethernet.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** The frames of {@code resource}, a classic little-endian pcap file of Ethernet frames. */
    static List<byte[]> frames(String resource) {
        try (InputStream in = Captures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            ByteBuffer file = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            if (file.getInt(0) != 0xA1B2C3D4 || file.getInt(20) != 1) {
                throw new IllegalStateException(resource + " is not a little-endian pcap of Ethernet frames");
            }
            List<byte[]> frames = new ArrayList<>();
            int at = 24;
            while (at < file.limit()) {
                int captured = file.getInt(at + 8);
                frames.add(Arrays.copyOfRange(file.array(), at + 16, at + 16 + captured));
                at += 16 + captured;
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

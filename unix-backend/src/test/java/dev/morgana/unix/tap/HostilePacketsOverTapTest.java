package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Udp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The direct target's stack under hostile packets crafted with scapy in a namespace the test creates (the
 * network rule of TESTING.md): overlapping fragments, a bad IPv4 header checksum, a bad UDP checksum, an IHL
 * below 5, a total length beyond the frame and a truncated UDP header. Each is dropped — nothing is echoed or
 * answered — and counted under its reason by the layer that saw it; afterwards the stack still answers ping,
 * echoes, and hands Linux's port unreachable to the listener of the port whose datagram it refused.
 */
class HostilePacketsOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final MacAddress OURS = MacAddress.parse("02:00:5e:10:00:07");
    private static final int ECHO = 7;
    private static final int QUERY = 5300;
    private static final int CLOSED_ON_LINUX = 9;
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /** Sends the hostile frames from the namespace's side of the TAP: {@code IFACE DST_MAC}. */
    private static final String SCAPY = """
            import sys
            from scapy.all import Ether, IP, UDP, ICMP, Raw, sendp, conf
            conf.verb = 0
            iface, dst = sys.argv[1], sys.argv[2]
            L, M = "%s", "%s"
            e = Ether(dst=dst, type=0x0800)
            whole = IP(bytes(IP(src=L, dst=M, id=0x4242) / UDP(sport=40000, dport=%d) / Raw(b"o" * 56)))
            udp = bytes(whole.payload)
            frames = [
                # overlapping fragments: bytes 0-31 (more to come), then 16-63, which repeat 16-31
                e / IP(src=L, dst=M, id=0x4242, proto=17, flags="MF", frag=0) / Raw(udp[0:32]),
                e / IP(src=L, dst=M, id=0x4242, proto=17, frag=2) / Raw(udp[16:64]),
                # a header checksum that does not add up
                e / IP(src=L, dst=M, chksum=0xdead) / ICMP(id=7, seq=1) / Raw(b"bad header"),
                # a UDP checksum that does not add up
                e / IP(src=L, dst=M) / UDP(sport=40001, dport=%d, chksum=0x1234) / Raw(b"bad udp"),
                # an IHL of 4 (16 bytes), below the 20 of any header
                e / Raw(bytes(IP(src=L, dst=M, ihl=4) / Raw(b"x" * 20))),
                # a total length of 1000 in a frame of 60
                e / IP(src=L, dst=M, len=1000) / UDP(sport=40002, dport=%d) / Raw(b"short"),
                # a UDP header cut to 3 bytes
                e / IP(src=L, dst=M, proto=17) / Raw(b"\\x9c\\x43\\x00"),
            ]
            sendp(frames, iface=iface)
            print("sent", len(frames))
            """.formatted(LINUX, MORGANA, ECHO, ECHO, ECHO);

    record Fixture(String tap, Netns netns) {}

    /** Echoes on port 7 and records who it echoed to, while the test runs inside it. */
    static final class Node implements Application {
        private final Ipv4 ipv4;
        private final Udp udp;
        private final Fixture fixture;
        private final ConcurrentLinkedQueue<Integer> echoedTo = new ConcurrentLinkedQueue<>();

        @Inject
        Node(Ipv4 ipv4, Udp udp, Fixture fixture) {
            this.ipv4 = ipv4;
            this.udp = udp;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            udp.listen(ECHO, (source, destination, payload) -> {
                echoedTo.add(source.port());
                try {
                    udp.write(ECHO, source, payload);
                } catch (NetworkException e) {
                    throw new AssertionError(e);
                }
            });
            Netns netns = fixture.netns();
            netns.adopt(fixture.tap(), LINUX + "/24");
            assertAllReceived(1, awaitPing(netns));

            Map<String, Long> ipBefore = TapProbes.counters(ipv4);
            Map<String, Long> udpBefore = TapProbes.byName(udp);
            Netns.Result scapy = netns.exec(60, Netns.require("python3"), "-c", SCAPY, fixture.tap(), OURS.toString());
            assertEquals(0, scapy.exit(), scapy.output());
            assertTrue(scapy.output().contains("sent 7"), scapy.output());

            // The frames are read by the TAP's own thread: wait, bounded, until the last has been counted.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (TapProbes.byName(udp).get("MALFORMED").equals(udpBefore.get("MALFORMED")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Map<String, Long> ip = TapProbes.counters(ipv4);
            Map<String, Long> udpAfter = TapProbes.byName(udp);
            assertEquals(1, ip.get("reassembly.overlaps") - ipBefore.get("reassembly.overlaps"), ip.toString());
            assertEquals(1, ip.get("badChecksum") - ipBefore.get("badChecksum"), ip.toString());
            assertEquals(1, ip.get("badLength") - ipBefore.get("badLength"), ip.toString());
            assertEquals(1, ip.get("truncated") - ipBefore.get("truncated"), ip.toString());
            assertEquals(1, udpAfter.get("BAD_CHECKSUM") - udpBefore.get("BAD_CHECKSUM"), udpAfter.toString());
            assertEquals(1, udpAfter.get("MALFORMED") - udpBefore.get("MALFORMED"), udpAfter.toString());
            assertEquals(List.of(), List.copyOf(echoedTo), "nothing hostile was echoed");

            // Still standing: ping, and an honest datagram echoed.
            assertAllReceived(3, netns.exec(20, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", MORGANA));
            Netns.Result nc = netns.exec(15, "sh", "-c", "printf 'still here\\n' | nc -u -n -w 3 -W 1 " + MORGANA
                    + " " + ECHO);
            assertEquals("still here\n", nc.output(), nc.output());

            // And it still hears Linux: a datagram to a port nobody listens on there comes back as Linux's port
            // unreachable, handed to the listener of the port that sent it.
            BlockingQueue<String> errors = new LinkedBlockingQueue<>();
            udp.listen(QUERY, new Udp.DatagramHandler() {
                @Override
                public void datagram(Endpoint source, Endpoint destination, MemorySegment payload) {}

                @Override
                public void error(Endpoint local, Endpoint remote, NetworkException error) {
                    errors.add(local + " > " + remote + " " + error.reason());
                }
            });
            udp.write(QUERY, new Endpoint(Ipv4Address.parse(LINUX), CLOSED_ON_LINUX), MemorySegment.ofArray(new byte[8]));
            assertEquals(MORGANA + ":" + QUERY + " > " + LINUX + ":" + CLOSED_ON_LINUX + " CONNECTION_REFUSED",
                    errors.poll(10, TimeUnit.SECONDS), "Linux's port unreachable reached the sending port's listener");
        }
    }

    @Test
    void hostilePacketsAreDroppedAndCountedAndPingIsStillAnswered() throws Exception {
        Netns.requireTapAndNamespaces();
        TapProbes.requireScapy();
        try (Netns netns = Netns.create("hostile")) {
            Fixture fixture = new Fixture(Netns.tapName(), netns);
            List<Module> modules = TapProbes.directModules(List.of("--tap", fixture.tap(), "--ip", MORGANA + "/24",
                    "--mac", OURS.toString()), Fixture.class, fixture);
            Unikernel.of("hostile", Node.class, modules).run();
        }
    }

    private static Netns.Result awaitPing(Netns netns) throws Exception {
        Netns.Result ping = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            ping = netns.exec(5, "ping", "-n", "-c", "1", "-W", "1", MORGANA);
            if (ping.exit() == 0) {
                break;
            }
        }
        return ping;
    }

    private static void assertAllReceived(int count, Netns.Result ping) {
        Matcher summary = PING_SUMMARY.matcher(ping.output());
        assertTrue(summary.find(), ping.output());
        assertEquals(count + " packets transmitted, " + count + " received", summary.group(), ping.output());
    }
}

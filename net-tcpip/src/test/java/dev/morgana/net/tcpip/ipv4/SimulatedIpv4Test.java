package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.FaultInjectingNetwork;
import dev.morgana.testing.net.Faults;
import dev.morgana.testing.net.PcapRecordingNetwork;
import dev.morgana.testing.net.SimulatedSwitch;
import dev.morgana.testing.net.Tshark;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv4 on the simulated network: two nodes (Ethernet, ARP and IPv4 over ports of a {@link SimulatedSwitch},
 * behind a {@link FaultInjectingNetwork} that loses, duplicates, delays and reorders frames) exchange
 * datagrams larger than the MTU and small ones, and a third port is their gateway. Replay a failure with
 * {@code -Dmorgana.seed=N}.
 */
class SimulatedIpv4Test {

    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address ROUTER = Ipv4Address.parse("10.0.0.254");
    static final int PROTOCOL = 253; // RFC 3692: for experimentation

    /** Morgana's Ethernet and ARP over {@code device}, as their functors bind them, started. */
    record Link(Ethernet ethernet, Arp arp) {
        static Link over(Network device, VirtualClock clock) {
            Injector injector = Guice.createInjector(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(Network.class).toInstance(device);
                    bind(Clock.class).toInstance(clock);
                    bind(Timers.class).toInstance(clock);
                }
            }, new EthernetModule(), new ArpModule(ArpConfig.DEFAULT.withTimers(Duration.ofSeconds(60), 9,
                    Duration.ofMillis(200))));
            Link link = new Link(injector.getInstance(Ethernet.class), injector.getInstance(Arp.class));
            try {
                ((Service) link.ethernet()).start();
                ((Service) link.arp()).start();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return link;
        }
    }

    /** A node: the layers over one port, and what its IPv4 handler received. */
    static final class Node {
        final Ipv4Layer ipv4;
        final List<byte[]> received = new ArrayList<>();

        Node(Network device, VirtualClock clock, Ipv4Config config) {
            Link link = Link.over(device, clock);
            this.ipv4 = new Ipv4Layer(link.ethernet(), link.arp(), clock, clock, config);
            ipv4.start();
            ipv4.register(PROTOCOL, (source, destination, payload) -> received.add(payload.toArray(ValueLayout.JAVA_BYTE)));
        }
    }

    static byte[] datagram(int sequence, int size, RandomGenerator random) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ByteBuffer.wrap(bytes).putInt(sequence);
        return bytes;
    }

    static void write(Node from, Ipv4Address to, byte[] payload) {
        try {
            from.ipv4.write(to, PROTOCOL, payload.length, Fill.copyOf(MemorySegment.ofArray(payload)));
        } catch (NetworkException e) {
            throw new AssertionError("a write failed at once: " + e.getMessage(), e);
        }
    }

    /** Every datagram that arrived is one that was sent, byte for byte; returns how many distinct ones did. */
    static int checkIntact(List<byte[]> received, Map<Integer, byte[]> sent) {
        java.util.Set<Integer> distinct = new java.util.HashSet<>();
        for (byte[] datagram : received) {
            int sequence = ByteBuffer.wrap(datagram).getInt();
            byte[] original = sent.get(sequence);
            assertNotNull(original, "a datagram nobody sent: " + sequence);
            assertArrayEquals(original, datagram, "datagram " + sequence + " arrived damaged");
            distinct.add(sequence);
        }
        return distinct.size();
    }

    @Property(tries = 30)
    void datagramsLargeAndSmallArriveIntactOverALossySwitch(RandomGenerator random) {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        boolean lossy = random.nextInt(3) != 0;
        Faults faults = lossy
                ? Faults.builder().drop(random.nextDouble(0, 0.05)).duplicate(random.nextDouble(0, 0.05))
                        .reorder(random.nextDouble(0, 0.2), 3).delay(random.nextDouble(0, 0.2), Duration.ofMillis(5)).build()
                : Faults.builder().duplicate(random.nextDouble(0, 0.05)).reorder(random.nextDouble(0, 0.3), 4).build();
        Ipv4Config.Limits limits = new Ipv4Config.Limits(64 << 10, 16, 16, Duration.ofSeconds(5), 64);
        Node a = new Node(FaultInjectingNetwork.builder(lan.port(0), clock).seed(random.nextLong()).both(faults).build(),
                clock, Ipv4Config.of(A, 24).withGateway(ROUTER).withLimits(limits));
        Node b = new Node(FaultInjectingNetwork.builder(lan.port(1), clock).seed(random.nextLong()).both(faults).build(),
                clock, Ipv4Config.of(B, 24).withLimits(limits));
        // The gateway: Ethernet and ARP only, recording the IPv4 packets that reach it.
        Link router = Link.over(lan.port(2), clock);
        router.arp().addAddress(ROUTER);
        List<String> routed = new ArrayList<>();
        java.util.Set<Integer> routedIdentifications = new java.util.HashSet<>();
        router.ethernet().register(Ethernet.IPV4, (source, destination, packet) -> {
            routed.add(destination + " " + new Ipv4Address(Ipv4Packet.destination(packet)));
            routedIdentifications.add(Ipv4Packet.identification(packet));
        });

        Map<Integer, byte[]> toB = new HashMap<>();
        Map<Integer, byte[]> toA = new HashMap<>();
        int count = random.nextInt(10, 40);
        for (int i = 0; i < count; i++) {
            int size = random.nextBoolean() ? random.nextInt(4, 1481) : random.nextInt(1481, 9000);
            boolean forward = random.nextBoolean();
            byte[] payload = datagram(i, size, random);
            (forward ? toB : toA).put(i, payload);
            clock.schedule(random.nextLong(0, 2_000_000_000L), () -> write(forward ? a : b, forward ? B : A, payload));
        }
        Ipv4Address far = Ipv4Address.parse("198.51.100.7");
        for (int i = 0; i < 5; i++) {
            clock.schedule(random.nextLong(0, 2_000_000_000L), () -> write(a, far, new byte[] {1, 2, 3, 4}));
        }
        clock.advance(Duration.ofSeconds(60));

        int arrivedAtB = checkIntact(b.received, toB);
        int arrivedAtA = checkIntact(a.received, toA);
        if (!lossy) {
            assertEquals(toB.size(), arrivedAtB, "without loss every datagram arrives");
            assertEquals(toA.size(), arrivedAtA, "without loss every datagram arrives");
            assertEquals(5, routedIdentifications.size(), "without loss every datagram reaches the gateway");
        }
        assertFalse(routed.isEmpty(), "the gateway got some of A's datagrams for 198.51.100.7");
        for (String seen : routed) {
            assertEquals(lan.port(2).mac() + " 198.51.100.7", seen, "routed to the gateway's MAC, addressed to the far host");
        }
        for (Node node : List.of(a, b)) {
            Ipv4Layer.Counters c = node.ipv4.counters();
            assertEquals(0, c.truncated() + c.badVersion() + c.badLength() + c.badChecksum() + c.badFragment()
                    + c.badSource() + c.linkBroadcast() + c.noHandler(), "nothing malformed was sent: " + c);
            assertEquals(0, c.reassembly().overlaps() + c.reassembly().inconsistent(), c.toString());
            assertEquals(c.received(), c.delivered() - c.reassembly().reassembled() + c.notForUs() + c.fragments(),
                    c.toString());
            assertEquals(0, c.reassemblyBytes(), "every incomplete datagram timed out: " + c);
            assertEquals(0, c.waiting(), c.toString());
            assertEquals(0, c.noRoute() + c.tooLarge() + c.sendFailures(), c.toString());
            assertTrue(c.delivered() >= (node == a ? arrivedAtA : arrivedAtB), c.toString());
        }
        assertEquals(count + 5 - toB.size(), b.ipv4.counters().sent() + 5, "each write counted once");
        assertEquals(toB.size() + 5, a.ipv4.counters().sent());
    }

    @Test
    void aSimulatedExchangeIsAPcapThatTsharkReadsWithoutMalformedPackets(@TempDir Path folder) throws Exception {
        Path pcap = folder.resolve("ipv4.pcap");
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        Node a;
        try (PcapRecordingNetwork recorded = PcapRecordingNetwork.toFile(lan.port(0), clock, pcap)) {
            a = new Node(recorded, clock, Ipv4Config.of(A, 24));
            Node b = new Node(lan.port(1), clock, Ipv4Config.of(B, 24));
            byte[] large = datagram(1, 3008, RandomGenerator.of("L64X128MixRandom"));
            byte[] small = datagram(2, 56, RandomGenerator.of("L64X128MixRandom"));
            write(a, B, large);
            write(a, B, small);
            clock.advance(Duration.ofSeconds(1));
            write(b, A, large);
            clock.advance(Duration.ofSeconds(1));
            assertEquals(2, b.received.size());
            assertEquals(1, a.received.size());
            assertArrayEquals(large, a.received.getFirst());
        }
        Tshark tshark = Tshark.require();
        assertEquals(List.of(), tshark.problems(pcap));
        long fragments = tshark.read(pcap, "-Y", "ip.flags.mf == 1 || ip.frag_offset > 0").stream()
                .filter(line -> line.contains("10.0.0.")).count();
        assertEquals(6, fragments, "tshark sees three fragments each way");
    }
}

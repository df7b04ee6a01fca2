package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.morgana.api.Clock;
import dev.morgana.api.Entropy;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.IcmpModule;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.Ipv4Module;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.TcpModule;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two stacks with TCP on a simulated switch: connections, data both ways, close, refusal. */
class TcpLayerTest {

    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    /** Ethernet, ARP, IPv4, ICMP and TCP over one port of the switch, as their functors bind them, started. */
    static TcpLayer node(Network device, VirtualClock clock, Ipv4Address address, long seed) {
        return node(device, clock, clock, address, seed);
    }

    /** The same, on any clock and timers. */
    static TcpLayer node(Network device, Clock clock, Timers timers, Ipv4Address address, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Entropy entropy = random::nextBytes;
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Network.class).toInstance(device);
                bind(Clock.class).toInstance(clock);
                bind(Timers.class).toInstance(timers);
                bind(Entropy.class).toInstance(entropy);
            }
        }, new EthernetModule(), new ArpModule(), new Ipv4Module(Ipv4Config.of(address, 24)), new IcmpModule(),
                new TcpModule());
        for (Class<?> layer : new Class<?>[] {Ethernet.class, Arp.class, Ipv4.class, Icmp.class, Tcp.class}) {
            start((Service) injector.getInstance(layer));
        }
        return (TcpLayer) injector.getInstance(Tcp.class);
    }

    private static void start(Service service) {
        try {
            service.start();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Advances the clock in small steps until {@code done} completes, bounded in virtual and real time. */
    static <T> T run(VirtualClock clock, Future<T> done, Duration limit) throws Exception {
        long end = clock.monotonicNanos() + limit.toNanos();
        long realEnd = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.isDone()) {
            if (clock.monotonicNanos() > end || System.nanoTime() > realEnd) {
                throw new AssertionError("not done within " + limit + " of simulated time");
            }
            clock.advance(Duration.ofMillis(1));
            Thread.sleep(0, 100_000); // let the application's threads take what arrived
        }
        return done.get();
    }

    static byte[] readAll(Flow flow) throws NetworkException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        MemorySegment buffer = MemorySegment.ofArray(new byte[16384]);
        int n;
        while ((n = flow.read(buffer)) != -1) {
            out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void aConnectionCarriesDataBothWaysAndCloses() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        TcpLayer a = node(lan.port(0), clock, A, 1);
        TcpLayer b = node(lan.port(1), clock, B, 2);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(data);
        CompletableFuture<byte[]> served = new CompletableFuture<>();
        try (Tcp.Listener listener = a.listen(new Endpoint(Ipv4Address.ANY, 7), Tcp.Options.DEFAULT, flow -> {
            byte[] got = readAll(flow);
            flow.write(MemorySegment.ofArray(got)); // echo it all back after the client's FIN
            served.complete(got);
        })) {
            CompletableFuture<byte[]> echoed = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Flow flow = b.connect(new Endpoint(A, 7), Tcp.Options.DEFAULT)) {
                    assertEquals(new Endpoint(A, 7), flow.remote());
                    flow.write(MemorySegment.ofArray(data));
                    flow.shutdownOutput();
                    echoed.complete(readAll(flow));
                } catch (Throwable e) {
                    echoed.completeExceptionally(e);
                }
            });
            byte[] back = run(clock, echoed, Duration.ofMinutes(5));
            assertArrayEquals(data, served.get());
            assertArrayEquals(data, back);
            assertEquals(7, listener.local().port());
        }
        // Both ends close: one of them waits in TIME-WAIT for 2·MSL, then every table is empty.
        clock.advance(Duration.ofSeconds(61));
        clock.advance(Duration.ofSeconds(61));
        assertEquals(java.util.List.of(), a.connections());
        assertEquals(java.util.List.of(), b.connections());
    }

    @Test
    void aConnectionToAClosedPortIsRefused() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        TcpLayer a = node(lan.port(0), clock, A, 1);
        TcpLayer b = node(lan.port(1), clock, B, 2);
        CompletableFuture<NetworkException.Reason> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Flow flow = b.connect(new Endpoint(A, 9), Tcp.Options.DEFAULT)) {
                outcome.completeExceptionally(new AssertionError("connected to a closed port: " + flow.remote()));
            } catch (NetworkException e) {
                outcome.complete(e.reason());
            }
        });
        assertEquals(NetworkException.Reason.CONNECTION_REFUSED, run(clock, outcome, Duration.ofSeconds(10)));
        assertTrue(a.count(TcpLayer.Count.REFUSED) >= 1);
        assertEquals(java.util.List.of(), b.connections());
    }

    /** A layer over a recording IPv4 and the real ICMP layer, for errors crafted by hand. */
    private static TcpLayer overRecordingIpv4(TestingIpv4 ipv4, VirtualClock clock) {
        IcmpLayer icmp = new IcmpLayer(ipv4, clock, IcmpConfig.DEFAULT);
        icmp.start();
        SplittableRandom random = new SplittableRandom(3);
        TcpLayer tcp = new TcpLayer(ipv4, icmp, clock, clock, random::nextBytes, TcpConfig.DEFAULTS,
                TcpConfig.Limits.DEFAULT);
        tcp.start();
        return tcp;
    }

    /** An ICMP destination unreachable from {@code reporter} quoting the start of {@code segment}, sent from A to B. */
    private static byte[] unreachable(int code, byte[] segment) {
        MemorySegment icmp = MemorySegment.ofArray(new byte[8 + 20 + 8]);
        icmp.set(ValueLayout.JAVA_BYTE, 0, (byte) 3);
        icmp.set(ValueLayout.JAVA_BYTE, 1, (byte) code);
        MemorySegment quoted = icmp.asSlice(8);
        quoted.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        quoted.set(BIG_SHORT, 2, (short) (20 + segment.length));
        quoted.set(ValueLayout.JAVA_BYTE, 8, (byte) 64);
        quoted.set(ValueLayout.JAVA_BYTE, 9, (byte) Ipv4.TCP);
        quoted.set(BIG_INT, 12, A.bits());
        quoted.set(BIG_INT, 16, B.bits());
        quoted.set(BIG_SHORT, 10, (short) InternetChecksum.of(quoted, 0, 20, 0));
        MemorySegment.copy(MemorySegment.ofArray(segment), 0, quoted, 20, 8);
        icmp.set(BIG_SHORT, 2, (short) InternetChecksum.of(icmp, 0, icmp.byteSize(), 0));
        return icmp.toArray(ValueLayout.JAVA_BYTE);
    }

    private static final ValueLayout.OfShort BIG_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BIG_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /** Connects from A to B:80 on a virtual thread, and returns the SYN it sent and the outcome to come. */
    private static byte[] connecting(TcpLayer tcp, TestingIpv4 ipv4, CompletableFuture<Object> outcome)
            throws InterruptedException {
        Thread.ofVirtual().start(() -> {
            // A connect timeout beyond the SYNs' retries (about 2 minutes), which end the attempt first.
            try (Flow flow = tcp.connect(new Endpoint(B, 80), Tcp.Options.DEFAULT.withConnectTimeout(Duration.ofMinutes(10)))) {
                outcome.complete(flow);
            } catch (NetworkException e) {
                outcome.complete(e.reason());
            }
        });
        long end = System.nanoTime() + 10_000_000_000L;
        while (tcp.connections().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(1); // the connection is in the table, its SYN written, under the layer's lock
        }
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(1, written.size(), "one SYN");
        assertEquals(Ipv4.TCP, written.getFirst().protocol());
        return written.getFirst().payload();
    }

    @Test
    void aPortUnreachableForOurSynRefusesTheConnection() throws Exception {
        VirtualClock clock = new VirtualClock();
        TestingIpv4 ipv4 = new TestingIpv4(A, Ipv4Prefix.parse("10.0.0.0/24"));
        TcpLayer tcp = overRecordingIpv4(ipv4, clock);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        byte[] syn = connecting(tcp, ipv4, outcome);
        ipv4.deliver(Ipv4.ICMP, B, A, unreachable(3, syn));
        assertEquals(NetworkException.Reason.CONNECTION_REFUSED, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(1, tcp.count(TcpLayer.Count.ICMP_ERRORS));
        assertEquals(List.of(), tcp.connections());
    }

    @Test
    void aHostUnreachableIsReportedWhenTheSynsGoUnanswered() throws Exception {
        VirtualClock clock = new VirtualClock();
        TestingIpv4 ipv4 = new TestingIpv4(A, Ipv4Prefix.parse("10.0.0.0/24"));
        TcpLayer tcp = overRecordingIpv4(ipv4, clock);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        byte[] syn = connecting(tcp, ipv4, outcome);
        ipv4.deliver(Ipv4.ICMP, B, A, unreachable(1, syn));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(!outcome.isDone(), "a host unreachable is soft in SYN-SENT (RFC 1122 §4.2.3.9): the SYN is sent again");
        for (int i = 0; i < 300 && !outcome.isDone(); i++) {
            clock.advance(Duration.ofSeconds(1));
            Thread.sleep(1);
        }
        assertEquals(NetworkException.Reason.UNREACHABLE, outcome.get(10, TimeUnit.SECONDS),
                "once the SYNs give up, the error ICMP gave is the one reported");
    }

    @Test
    void anIcmpErrorQuotingNoConnectionOfOursIsIgnored() throws Exception {
        VirtualClock clock = new VirtualClock();
        TestingIpv4 ipv4 = new TestingIpv4(A, Ipv4Prefix.parse("10.0.0.0/24"));
        TcpLayer tcp = overRecordingIpv4(ipv4, clock);
        byte[] stranger = new byte[20];
        stranger[0] = (byte) 0xC3; // source port 50000, not a connection of ours
        stranger[1] = (byte) 0x50;
        stranger[3] = 80;
        ipv4.deliver(Ipv4.ICMP, B, A, unreachable(3, stranger));
        assertEquals(0, tcp.count(TcpLayer.Count.ICMP_ERRORS));
    }

    @Test
    void aClosedConnectionWhosePeerNeverClosesGivesUpInFinWait2() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        TcpLayer a = node(lan.port(0), clock, A, 1);
        TcpLayer b = node(lan.port(1), clock, B, 2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (Tcp.Listener listener = a.listen(new Endpoint(Ipv4Address.ANY, 7), Tcp.Options.DEFAULT, flow -> release.await())) {
            CompletableFuture<Flow> connected = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    connected.complete(b.connect(new Endpoint(A, 7), Tcp.Options.DEFAULT));
                } catch (NetworkException e) {
                    connected.completeExceptionally(e);
                }
            });
            run(clock, connected, Duration.ofSeconds(10)).close(); // the server's application never closes
            clock.advance(Duration.ofSeconds(1));
            assertEquals(1, b.connections().size());
            assertTrue(b.connections().getFirst().endsWith("FIN_WAIT_2"), b.connections().toString());
            assertTrue(a.connections().getFirst().endsWith("CLOSE_WAIT"), a.connections().toString());
            clock.advance(Duration.ofSeconds(59));
            assertEquals(1, b.connections().size(), "still waiting, until " + TcpLayer.ORPHANED_FIN_WAIT_2 + " ns");
            clock.advance(Duration.ofSeconds(2));
            assertEquals(List.of(), b.connections(), "given up");
            assertEquals(List.of(), a.connections(), "and the server's end was reset");
            assertEquals(7, listener.local().port());
        } finally {
            release.countDown();
        }
    }

    /** A segment from B to A as bytes on the wire, checksum included. */
    private static byte[] fromB(TestingIpv4 ipv4, TcpHeader header) {
        int length = header.length();
        MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        header.emit(segment, ipv4.pseudoHeaderSum(B, A, Ipv4.TCP, length));
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /** The one TCP segment A wrote since last asked, parsed. */
    private static TcpHeader sentByA(TestingIpv4 ipv4) {
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(1, written.size(), "one segment");
        byte[] bytes = written.getFirst().payload();
        return TcpHeader.parse(MemorySegment.ofArray(bytes), ipv4.pseudoHeaderSum(A, B, Ipv4.TCP, bytes.length));
    }

    @Test
    void aSynOnTheFourTupleOfAConnectionInTimeWaitOpensANewOne() throws Exception {
        VirtualClock clock = new VirtualClock();
        TestingIpv4 ipv4 = new TestingIpv4(A, Ipv4Prefix.parse("10.0.0.0/24"));
        TcpLayer tcp = overRecordingIpv4(ipv4, clock);
        java.util.concurrent.Semaphore handled = new java.util.concurrent.Semaphore(0);
        try (Tcp.Listener listener = tcp.listen(new Endpoint(Ipv4Address.ANY, 80), Tcp.Options.DEFAULT, flow -> handled.release())) {
            // B connects from port 5000; A's handler returns at once, so A closes first.
            ipv4.deliver(Ipv4.TCP, B, A, fromB(ipv4, new TcpHeader(5000, 80, 1000, 0, TcpHeader.SYN, 65535, 0, TcpOptions.NONE)));
            TcpHeader synAck = sentByA(ipv4);
            int iss = synAck.sequence();
            ipv4.deliver(Ipv4.TCP, B, A, fromB(ipv4, new TcpHeader(5000, 80, 1001, iss + 1, TcpHeader.ACK, 65535, 0, TcpOptions.NONE)));
            assertTrue(handled.tryAcquire(10, TimeUnit.SECONDS));
            long end = System.nanoTime() + 10_000_000_000L;
            while (!tcp.connections().getFirst().endsWith("FIN_WAIT_1") && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertEquals(TcpHeader.FIN | TcpHeader.ACK, sentByA(ipv4).flags() & (TcpHeader.FIN | TcpHeader.ACK));
            // B acknowledges the FIN and sends its own: A is in TIME-WAIT.
            ipv4.deliver(Ipv4.TCP, B, A, fromB(ipv4, new TcpHeader(5000, 80, 1001, iss + 2, TcpHeader.FIN | TcpHeader.ACK, 65535, 0, TcpOptions.NONE)));
            assertEquals(TcpHeader.ACK, sentByA(ipv4).flags());
            assertTrue(tcp.connections().getFirst().endsWith("TIME_WAIT"), tcp.connections().toString());
            // B opens a new connection from the same port, its ISN past the old stream: a SYN-ACK, not a challenge ACK.
            ipv4.deliver(Ipv4.TCP, B, A, fromB(ipv4, new TcpHeader(5000, 80, 900_000, 0, TcpHeader.SYN, 65535, 0, TcpOptions.NONE)));
            TcpHeader second = sentByA(ipv4);
            assertEquals(TcpHeader.SYN | TcpHeader.ACK, second.flags());
            assertEquals(900_001, second.acknowledgment());
            assertTrue(tcp.connections().getFirst().endsWith("SYN_RECEIVED"), tcp.connections().toString());
            assertEquals(80, listener.local().port());
        }
    }
}

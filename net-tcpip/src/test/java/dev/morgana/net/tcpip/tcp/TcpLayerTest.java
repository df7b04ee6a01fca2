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
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.IcmpModule;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.Ipv4Module;
import dev.morgana.net.tcpip.TcpModule;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two stacks with TCP on a simulated switch: connections, data both ways, close, refusal. */
class TcpLayerTest {

    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    /** Ethernet, ARP, IPv4, ICMP and TCP over one port of the switch, as their functors bind them, started. */
    static TcpLayer node(Network device, VirtualClock clock, Ipv4Address address, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Entropy entropy = random::nextBytes;
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Network.class).toInstance(device);
                bind(Clock.class).toInstance(clock);
                bind(Timers.class).toInstance(clock);
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
}

package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.FaultInjectingNetwork;
import dev.morgana.testing.net.Faults;
import dev.morgana.testing.net.SimulatedSwitch;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Two whole stacks (Ethernet, ARP, IPv4, ICMP, TCP, as their functors bind them) on a simulated switch whose
 * ports lose, duplicate, corrupt, truncate, delay and reorder frames, and whose links may go down for up to 90 s
 * and have their MTU lowered mid-connection (IPv4 then fragments), on a virtual clock: a connection carries a
 * random payload each way at once, then both ends close.
 *
 * <p>What must hold, whatever the faults: what each side reads is a prefix of what the other wrote, in order
 * and unharmed; a side that reads the end of the stream has read all of it; a side that does not see the end
 * sees a connection error; no exception escapes the stack into the clock's loop; and once every timer has run
 * out (TIME-WAIT's 2·MSL included) both tables are empty.
 *
 * <p>Deterministic, so that a failing seed replays exactly ({@code -Dmorgana.seed=N}): the applications run on
 * the thread that advances the clock and call the flows only when the call cannot block (the core says there
 * is something to read or room to write); the two calls that must block (connect, and the listener's handler
 * that receives the flow) are waited for, in real time, at the virtual instant their connection is
 * established.
 *
 * <p>300 seeds in the default build (about 5 s); {@code -Psoak} runs 3,000 (about 45 s, all passing when
 * written), {@code -Dmorgana.tries=N} any number.
 */
class TcpStackSimulationTest {

    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");
    static final int PORT = 80;
    static final Duration STEP = Duration.ofMillis(5);
    static final Duration GIVE_UP = Duration.ofHours(12);
    /**
     * Keep-alive on both ends: without it an end whose peer gave up silently (its retransmissions timed out,
     * which sends nothing) would wait for data forever, as on any TCP, and could not see the error.
     */
    static final Tcp.Options OPTIONS = Tcp.Options.DEFAULT.withKeepAlive(Duration.ofMinutes(10));

    /** One end's application: writes its payload, shuts down output, reads to the end, closes. */
    static final class Side {
        final String name;
        final TcpFlow flow;
        final byte[] out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        final MemorySegment buffer = MemorySegment.ofArray(new byte[32 * 1024]);
        int written;
        boolean outputShut;
        boolean endOfStream;
        NetworkException failure;
        boolean closed;

        Side(String name, Flow flow, byte[] out) {
            this.name = name;
            this.flow = (TcpFlow) flow;
            this.out = out;
        }

        boolean done() {
            return closed;
        }

        @Override
        public String toString() {
            return name + " wrote " + written + " of " + out.length + ", read " + in.size()
                    + (outputShut ? ", output shut" : "") + (endOfStream ? ", at the end" : "")
                    + (failure != null ? ", failed: " + failure.getMessage() : "");
        }

        /** Does what it can without blocking. */
        void step() {
            if (closed) {
                return;
            }
            TcpConnection core = flow.connection().core;
            try {
                boolean over = core.failure().isPresent() || core.state() == TcpConnection.State.CLOSED;
                while (written < out.length && (core.writable() > 0 || over)) {
                    // Over, the write throws at once: that is how the application learns why.
                    int n = Math.max(1, Math.min(core.writable(), out.length - written));
                    flow.write(MemorySegment.ofArray(out).asSlice(written, n));
                    written += n;
                }
                if (written == out.length && !outputShut && core.failure().isEmpty()) {
                    flow.shutdownOutput();
                    outputShut = true;
                }
                while (!endOfStream && (core.readable() > 0 || core.endOfStream() || core.failure().isPresent()
                        || core.state() == TcpConnection.State.CLOSED)) {
                    int n = flow.read(buffer);
                    if (n == -1) {
                        endOfStream = true;
                    } else {
                        in.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
                    }
                }
            } catch (NetworkException e) {
                failure = e;
            }
            if (failure != null || endOfStream && outputShut) {
                flow.close();
                closed = true;
            }
        }

        /** Checks what this side read against what the other side wrote. */
        void check(byte[] expected) {
            byte[] got = in.toByteArray();
            assertTrue(got.length <= expected.length, name + " read " + got.length + " bytes of " + expected.length);
            assertArrayEquals(Arrays.copyOf(expected, got.length), got, name + " read bytes not written, or out of order");
            if (failure == null) {
                assertTrue(endOfStream, name + " neither failed nor reached the end");
                assertEquals(expected.length, got.length, name + " saw the end of the stream early");
            }
        }
    }

    /**
     * A link that goes down for a while (every frame either way lost) and whose MTU drops at some moment: IPv4
     * then fragments the segments sized for the old one, and the peer reassembles them.
     */
    static final class ChangingLink implements Network {
        private final Network inner;
        private final VirtualClock clock;
        private final long downFrom;
        private final long downUntil;
        private final long mtuFrom;
        private final int laterMtu;

        ChangingLink(Network inner, VirtualClock clock, RandomGenerator random) {
            this.inner = inner;
            this.clock = clock;
            boolean outage = random.nextBoolean();
            this.downFrom = outage ? random.nextLong(Duration.ofSeconds(5).toNanos()) : Long.MAX_VALUE;
            this.downUntil = outage ? downFrom + random.nextLong(Duration.ofSeconds(90).toNanos()) : Long.MAX_VALUE;
            this.mtuFrom = random.nextBoolean() ? random.nextLong(Duration.ofSeconds(5).toNanos()) : Long.MAX_VALUE;
            this.laterMtu = 576 + random.nextInt(inner.mtu() - 576);
        }

        private boolean down() {
            long now = clock.monotonicNanos();
            return now >= downFrom && now < downUntil;
        }

        @Override
        public MacAddress mac() {
            return inner.mac();
        }

        @Override
        public int mtu() {
            return clock.monotonicNanos() >= mtuFrom ? laterMtu : inner.mtu();
        }

        @Override
        public void write(int size, Fill fill) throws NetworkException {
            if (!down()) {
                inner.write(size, fill);
            }
        }

        @Override
        public void listen(FrameHandler handler) {
            inner.listen(frame -> {
                if (!down()) {
                    handler.frame(frame);
                }
            });
        }

        @Override
        public Counters counters() {
            return inner.counters();
        }

        @Override
        public String toString() {
            return "down " + downFrom / 1_000_000 + "–" + downUntil / 1_000_000 + " ms, MTU " + laterMtu + " from "
                    + mtuFrom / 1_000_000 + " ms";
        }
    }

    static Faults faults(RandomGenerator random) {
        double severity = random.nextDouble();
        return Faults.builder()
                .drop(severity * 0.2)
                .duplicate(random.nextDouble() * 0.03)
                .corrupt(random.nextDouble() * 0.02)
                .truncate(random.nextDouble() * 0.01)
                .delay(random.nextDouble() * 0.05, Duration.ofMillis(1 + random.nextInt(50)))
                .reorder(random.nextDouble() * 0.1, 1 + random.nextInt(4))
                .build();
    }

    /** Up to 2 MiB, mostly much less: sizes spread over orders of magnitude, empty included. */
    static byte[] payload(RandomGenerator random) {
        int size = random.nextInt(8) == 0 ? 0 : (int) Math.min(2 << 20, Math.pow(2, random.nextDouble() * 21));
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    @Property(tries = 300)
    void payloadsArriveWholeAndInOrderOrBothEndsKnow(RandomGenerator random) throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        Faults faults = faults(random);
        // Each direction suffers the faults once: on the way out of its sender.
        FaultInjectingNetwork portA = FaultInjectingNetwork.builder(lan.port(0), clock).seed(random.nextLong())
                .outgoing(faults).build();
        FaultInjectingNetwork portB = FaultInjectingNetwork.builder(lan.port(1), clock).seed(random.nextLong())
                .outgoing(faults).build();
        ChangingLink linkA = new ChangingLink(portA, clock, random);
        ChangingLink linkB = new ChangingLink(portB, clock, random);
        String conditions = "faults " + faults + "; A's link " + linkA + "; B's link " + linkB;
        TcpLayer server = TcpLayerTest.node(linkA, clock, A, random.nextLong());
        TcpLayer client = TcpLayerTest.node(linkB, clock, B, random.nextLong());
        byte[] toServer = payload(random);
        byte[] toClient = payload(random);

        BlockingQueue<Flow> accepted = new LinkedBlockingQueue<>();
        CountDownLatch finished = new CountDownLatch(1);
        try (Tcp.Listener listener = server.listen(new Endpoint(Ipv4Address.ANY, PORT), OPTIONS, flow -> {
            accepted.add(flow);
            finished.await(); // the test drives the flow; it is closed when this returns
        })) {
            assertEquals(PORT, listener.local().port());
            CompletableFuture<Flow> connecting = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    connecting.complete(client.connect(new Endpoint(A, PORT),
                            OPTIONS.withConnectTimeout(Duration.ofMinutes(10))));
                } catch (Throwable e) {
                    connecting.completeExceptionally(e);
                }
            });
            // Until connect has put its connection in the table, nothing in the loop below knows to wait for it.
            long realEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.connections().isEmpty() && !connecting.isDone() && System.nanoTime() < realEnd) {
                Thread.sleep(1);
            }
            Side clientSide = null;
            Side serverSide = null;
            boolean connectFailed = false;
            long giveUp = clock.monotonicNanos() + GIVE_UP.toNanos();
            while (clock.monotonicNanos() < giveUp) {
                clock.advance(STEP);
                if (clientSide == null && !connectFailed && !client.connections().stream().anyMatch(c -> c.endsWith("SYN_SENT"))) {
                    try {
                        clientSide = new Side("the client", connecting.get(10, TimeUnit.SECONDS), toServer);
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(e.getCause() instanceof NetworkException, "connect failed with " + e.getCause());
                        connectFailed = true;
                    }
                }
                if (serverSide == null && server.count(TcpLayer.Count.ACCEPTED) > 0) {
                    serverSide = new Side("the server", accepted.poll(10, TimeUnit.SECONDS), toClient);
                }
                if (clientSide != null) {
                    clientSide.step();
                }
                if (serverSide != null) {
                    serverSide.step();
                }
                boolean clientOver = connectFailed || clientSide != null && clientSide.done();
                boolean serverOver = serverSide != null ? serverSide.done() : connectFailed;
                if (clientOver && serverOver) {
                    break;
                }
            }
            if (clientSide == null && !connectFailed) {
                fail("never connected in " + GIVE_UP + " of simulated time; " + conditions);
            }
            if (clientSide != null) {
                assertTrue(clientSide.done(), "the client is not done after " + GIVE_UP + ": " + clientSide
                        + client.connections() + server.connections() + "; " + conditions);
                clientSide.check(toClient);
            }
            if (serverSide != null) {
                assertTrue(serverSide.done(), "the server is not done after " + GIVE_UP + ": " + serverSide
                        + server.connections() + client.connections() + "; " + conditions);
                serverSide.check(toServer);
            }
        } finally {
            finished.countDown();
        }
        // Every timer runs out: retransmissions give up, TIME-WAIT ends, ARP forgets. Then nothing is left.
        clock.advance(Duration.ofMinutes(30));
        assertEquals(List.of(), server.connections(), "the server's table after every timer ran out");
        assertEquals(List.of(), client.connections(), "the client's table after every timer ran out");
    }
}

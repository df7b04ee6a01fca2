package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.morgana.api.net.Endpoint;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.tcp.TcpConnection.State;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * Two connections, a client and a server, joined by a channel that loses (up to 20 %), duplicates, delays
 * and so reorders segments, on virtual time: each side sends the other a random payload of up to 2 MiB and
 * shuts its output down, while reading at once or at a random pace per millisecond (a slow reader closes
 * the window). Checked: each side reads exactly the other's bytes, in order, then the end of the stream; both
 * end in CLOSED or TIME-WAIT, and TIME-WAIT lasts its 2·MSL; no side ever sends past the window the other
 * offered, nor moves its own window's right edge left, nor acknowledges what the other did not send; every
 * byte sent is the byte written at that place; every documented invariant of the connections holds after
 * every event. Configurations vary: MSS, buffer sizes, window scaling and timestamps each way, Nagle,
 * delayed ACKs, the initial sequence numbers (some about to wrap); one try in five opens simultaneously, both
 * ends sending a SYN. Replay a seed with -Dmorgana.seed=N; add -Dtcp.trace=T to print every segment sent and
 * delivered after T virtual seconds.
 */
class TcpConnectionSimulationTest {

    static final Endpoint CLIENT = Endpoint.parse("10.0.0.1:49152");
    static final Endpoint SERVER = Endpoint.parse("10.0.0.2:80");
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    /** Virtual time after which a try counts as stuck. */
    static final long LIMIT = 86_400 * S;

    /** A segment in flight. */
    record Delivery(long at, long order, boolean toServer, TcpHeader header, byte[] payload)
            implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** The channel: loss, duplication and a random delay per copy, which reorders. */
    static final class Channel {
        final RandomGenerator random;
        final double loss;
        final double duplication;
        final long minDelay;
        final long jitter;
        final PriorityQueue<Delivery> queue = new PriorityQueue<>();
        long order;
        long now;
        long start;
        /** When the channel dies: it drops everything sent from then on. */
        long deadAt = Long.MAX_VALUE;
        int segments;

        Channel(RandomGenerator random) {
            this.random = random;
            this.loss = random.nextDouble() < 0.2 ? 0 : random.nextDouble(0.2);
            this.duplication = random.nextDouble(0.05);
            this.minDelay = random.nextLong(1, 20) * MS;
            this.jitter = random.nextBoolean() ? 0 : random.nextLong(1, 30) * MS;
        }

        /** Per side, 0 the client and 1 the server: its SYN's window-scale option, or -2 before its SYN. */
        final int[] synScale = {-2, -2};
        /** Per side: the furthest right edge of the window it advertised, once it has sent an ACK. */
        final int[] edge = new int[2];
        final boolean[] advertised = new boolean[2];
        /** Per side: the sequence number after the last it sent, once it has sent something. */
        final int[] end = new int[2];
        final boolean[] started = new boolean[2];
        /** Per side: the payload its application writes, and its SYN's sequence number. */
        final byte[][] outgoing = new byte[2][];
        final int[] iss = new int[2];

        /**
         * Checks what a side sends against what the peer told it: data (and FIN) only within the peer's window,
         * acknowledgments only of what the peer sent.
         */
        void check(int from, TcpHeader header, MemorySegment payload) {
            int to = 1 - from;
            int length = (int) payload.byteSize();
            if (header.has(TcpHeader.RST)) {
                return;
            }
            if (header.has(TcpHeader.SYN)) {
                synScale[from] = header.options().windowScale();
                iss[from] = header.sequence();
            }
            if (length > 0) {
                int offset = header.sequence() + (header.has(TcpHeader.SYN) ? 1 : 0) - iss[from] - 1;
                assertTrue(offset >= 0 && offset + length <= outgoing[from].length, () -> "side " + from
                        + " sent bytes it was never given: " + header + " + " + length);
                assertTrue(MemorySegment.ofArray(outgoing[from]).asSlice(offset, length).mismatch(payload) < 0,
                        () -> "side " + from + " sent other bytes than written at " + header);
            }
            int segEnd = header.sequence() + header.sequenceLength(length);
            int dataLength = header.sequenceLength(length) - (header.has(TcpHeader.SYN) ? 1 : 0);
            if (dataLength > 0 && advertised[to]) {
                assertTrue(Seq.le(segEnd, edge[to]), () -> "side " + from + " sent past the window: " + header
                        + " + " + length + ", edge " + Integer.toUnsignedString(edge[to]));
            }
            if (header.has(TcpHeader.ACK)) {
                assertTrue(started[to] && Seq.le(header.acknowledgment(), end[to]),
                        () -> "side " + from + " acknowledged what was not sent: " + header);
                boolean scaled = synScale[0] >= 0 && synScale[1] >= 0;
                int window = header.has(TcpHeader.SYN) || !scaled ? header.window()
                        : header.window() << synScale[from];
                int right = header.acknowledgment() + window;
                int granularity = scaled && !header.has(TcpHeader.SYN) ? 1 << synScale[from] : 1;
                // A SYN-ACK sent again cannot scale its window (RFC 7323 §2.2): only the others are held to this.
                assertTrue(!advertised[from] || header.has(TcpHeader.SYN) || Seq.gt(right, edge[from] - granularity),
                        () -> "side " + from + " moved its window's right edge left: " + header);
                edge[from] = advertised[from] ? Seq.max(edge[from], right) : right;
                advertised[from] = true;
            }
            end[from] = started[from] ? Seq.max(end[from], segEnd) : segEnd;
            started[from] = true;
        }

        TcpConnection.Output toward(boolean toServer) {
            return (header, payload) -> {
                segments++;
                check(toServer ? 0 : 1, header, payload);
                if (System.getProperty("tcp.trace") != null && now - start > Long.getLong("tcp.trace") * S) {
                    System.err.println(((now - start) / 1_000_000) + (toServer ? " c>s " : " s>c ") + header + " len "
                            + payload.byteSize());
                }
                byte[] copy = payload.toArray(ValueLayout.JAVA_BYTE);
                int copies = random.nextDouble() < duplication ? 2 : 1;
                for (int i = 0; i < copies; i++) {
                    if (random.nextDouble() >= loss && now - deadAt < 0) {
                        long delay = minDelay + (jitter == 0 ? 0 : random.nextLong(jitter));
                        queue.add(new Delivery(now + delay, order++, toServer, header, copy));
                    }
                }
            };
        }
    }

    /** One side's application: writes its payload, reads the peer's, shuts output down when all is written. */
    static final class Side {
        final String name;
        final byte[] outgoing;
        final byte[] incoming;
        final int readPace;
        TcpConnection connection;
        int written;
        int read;
        boolean ended;
        long timeWaitSince = -1;
        /** Whether a RST reached this side in TIME-WAIT, which ends it early (RFC 9293 §3.10.7.4). */
        boolean resetInTimeWait;

        Side(String name, byte[] outgoing, int incomingLength, int readPace) {
            this.name = name;
            this.outgoing = outgoing;
            this.incoming = new byte[incomingLength];
            this.readPace = readPace;
        }

        /** When a reader held back by its pace reads again; {@link TcpConnection#NONE} when it is not waiting. */
        long wakeAt(long now) {
            return readPace != Integer.MAX_VALUE && connection != null && connection.readable() > 0 ? now + MS
                    : TcpConnection.NONE;
        }

        boolean unfinished() {
            return connection != null && !ended && (connection.readable() > 0
                    || connection.endOfStream() && connection.failure().isEmpty());
        }

        void run(long now) {
            if (connection == null) {
                return;
            }
            if (written < outgoing.length && connection.writable() > 0) {
                written += connection.write(now, MemorySegment.ofArray(outgoing).asSlice(written));
            }
            if (written == outgoing.length) {
                connection.shutdownOutput(now);
            }
            if (!ended) {
                int room = Math.min(readPace, incoming.length - read);
                if (room == 0) {
                    byte[] extra = new byte[1];
                    int n = connection.read(now, MemorySegment.ofArray(extra));
                    assertTrue(n <= 0, () -> name + " read more than the peer sent");
                    ended = n < 0;
                } else {
                    int n = connection.read(now, MemorySegment.ofArray(incoming).asSlice(read, room));
                    if (n < 0 && connection.failure().isPresent()) {
                        return; // a failed connection reads -1, and the stream is cut short
                    }
                    if (n < 0) {
                        fail(name + " saw the end of the stream after " + read + " of " + incoming.length + " bytes");
                    }
                    read += n;
                }
            }
        }
    }

    static TcpConfig randomConfig(RandomGenerator random) {
        int mss = random.nextInt(200, 1461);
        int sendBuffer = 1 << random.nextInt(12, 19);
        int receiveBuffer = 1 << random.nextInt(12, 19);
        return TcpConfig.DEFAULTS.withMaxSegmentSize(mss).withBuffers(sendBuffer, receiveBuffer)
                .withRetransmission(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(60), 15)
                .withAcking(random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(40), random.nextBoolean())
                .withExtensions(random.nextBoolean(), random.nextBoolean());
    }

    static byte[] payload(RandomGenerator random) {
        int length = random.nextInt(4) == 0 ? random.nextInt(2_000) : random.nextInt(2 << 20);
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** The two sides and the channel, run until nothing is left to happen. */
    static final class Simulation {
        final Channel channel;
        final TcpConfig clientConfig;
        final TcpConfig serverConfig;
        final int serverIss;
        final Side client;
        final Side server;
        final long start;
        long now;

        Simulation(RandomGenerator random, Channel channel, TcpConfig clientConfig, TcpConfig serverConfig) {
            this.channel = channel;
            this.clientConfig = clientConfig;
            this.serverConfig = serverConfig;
            byte[] up = payload(random);
            byte[] down = payload(random);
            int clientIss = random.nextBoolean() ? random.nextInt() : -random.nextInt(1, 100_000);
            serverIss = random.nextInt();
            client = new Side("client", up, down.length, random.nextBoolean() ? Integer.MAX_VALUE
                    : random.nextInt(1_000, 50_000));
            server = new Side("server", down, up.length, random.nextBoolean() ? Integer.MAX_VALUE
                    : random.nextInt(1_000, 50_000));
            channel.outgoing[0] = up;
            channel.outgoing[1] = down;
            now = random.nextLong(1L << 50); // any origin: the core only subtracts times
            start = now;
            channel.now = now;
            channel.start = now;
            client.connection = TcpConnection.connect(CLIENT, SERVER, clientIss, clientConfig, now,
                    channel.toward(true));
            if (random.nextInt(5) == 0) { // simultaneous open (RFC 9293 figure 8): both ends connect
                server.connection = TcpConnection.connect(SERVER, CLIENT, serverIss, serverConfig, now,
                        channel.toward(false));
            }
        }

        void run() {
            TcpConnection.Output toClient = channel.toward(false);
            while (true) {
                client.run(now);
                server.run(now);
                track(client, now, clientConfig);
                track(server, now, serverConfig);
                long next = TcpConnection.NONE;
                for (Side side : new Side[] {client, server}) {
                    if (side.connection != null && side.connection.deadline() != TcpConnection.NONE) {
                        next = earliest(next, side.connection.deadline());
                    }
                }
                if (!channel.queue.isEmpty()) {
                    next = earliest(next, channel.queue.peek().at());
                }
                next = earliest(next, earliest(client.wakeAt(now), server.wakeAt(now)));
                if (next == TcpConnection.NONE) {
                    if (client.unfinished() || server.unfinished()) {
                        continue; // nothing on the wire or the clocks, but an application still has reading to do
                    }
                    return;
                }
                assertTrue(next - now >= 0, "time runs forward");
                now = next;
                channel.now = now;
                if (now - start > LIMIT) {
                    fail("stuck after a day: " + this);
                }
                while (!channel.queue.isEmpty() && channel.queue.peek().at() - now <= 0) {
                    Delivery d = channel.queue.poll();
                    if (System.getProperty("tcp.trace") != null && now - start > Long.getLong("tcp.trace") * S) {
                        System.err.println(((now - start) / 1_000_000) + (d.toServer() ? " >s " : " >c ")
                                + d.header() + " len " + d.payload().length);
                    }
                    MemorySegment data = MemorySegment.ofArray(d.payload());
                    Side to = d.toServer() ? server : client;
                    if (d.header().has(TcpHeader.RST) && to.connection != null
                            && to.connection.state() == State.TIME_WAIT) {
                        to.resetInTimeWait = true;
                    }
                    if (!d.toServer()) {
                        client.connection.receive(now, d.header(), data);
                    } else if (server.connection != null) {
                        server.connection.receive(now, d.header(), data);
                    } else if (d.header().has(TcpHeader.SYN) && !d.header().has(TcpHeader.ACK)
                            && !d.header().has(TcpHeader.RST)) {
                        server.connection = TcpConnection.accept(SERVER, CLIENT, d.header(), serverIss, serverConfig,
                                now, toClient);
                    } else {
                        TcpConnection.refuse(d.header(), d.payload().length, toClient);
                    }
                }
                for (Side side : new Side[] {client, server}) {
                    if (side.connection != null && side.connection.deadline() - now <= 0) {
                        side.connection.tick(now);
                    }
                    if (side.connection != null) {
                        side.connection.checkInvariants();
                    }
                }
            }
        }

        @Override
        public String toString() {
            return "loss " + channel.loss + ", " + channel.segments + " segments, " + (now - start) / S + " s, "
                    + client.connection + ", " + server.connection;
        }
    }

    @Property(tries = 100)
    void bothPayloadsArriveWholeAndInOrderThenBothClose(RandomGenerator random) {
        Simulation sim = new Simulation(random, new Channel(random), randomConfig(random), randomConfig(random));
        sim.run();
        for (Side side : new Side[] {sim.client, sim.server}) {
            assertEquals(Optional.empty(), side.connection.failure(), () -> side.name + " failed: " + sim);
            assertEquals(State.CLOSED, side.connection.state(), sim::toString);
            assertTrue(side.ended, () -> side.name + " did not see the end of the stream: " + sim);
        }
        assertArrayEquals(sim.client.outgoing, sim.server.incoming, "client → server");
        assertArrayEquals(sim.server.outgoing, sim.client.incoming, "server → client");
    }

    /**
     * The channel dies at a random moment (possibly before the first SYN, possibly after the last FIN) and
     * drops everything from then on. With keep-alive on, nothing waits forever: both sides end CLOSED, and a
     * side that did not get the whole of the peer's stream, or did not get its own acknowledged, failed with
     * TIMED_OUT. A side that did not fail got everything.
     */
    @Property(tries = 30)
    void aDeadChannelEndsBothSides(RandomGenerator random) {
        Channel channel = new Channel(random);
        TcpConfig clientConfig = randomConfig(random).withKeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3);
        TcpConfig serverConfig = randomConfig(random).withKeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3);
        Simulation sim = new Simulation(random, channel, clientConfig, serverConfig);
        channel.deadAt = sim.start + random.nextLong(0, 20 * S);
        sim.run();
        for (Side side : new Side[] {sim.client, sim.server}) {
            if (side.connection == null) {
                continue; // the server never heard the SYN
            }
            assertEquals(State.CLOSED, side.connection.state(), sim::toString);
            side.connection.failure().ifPresentOrElse(
                    f -> assertEquals(TcpConnection.Failure.TIMED_OUT, f, sim::toString),
                    () -> assertTrue(side.ended && side.read == side.incoming.length,
                            () -> side.name + " closed cleanly without the whole stream: " + sim));
        }
        assertTrue(sim.client.connection.failure().isPresent() || sim.server.connection != null, sim::toString);
    }

    /** Checks that TIME-WAIT, once entered, lasts at least 2·MSL. */
    private static void track(Side side, long now, TcpConfig config) {
        if (side.connection == null) {
            return;
        }
        State state = side.connection.state();
        if (state == State.TIME_WAIT && side.timeWaitSince < 0) {
            side.timeWaitSince = now;
        } else if (state == State.CLOSED && side.timeWaitSince >= 0) {
            assertTrue(now - side.timeWaitSince >= config.timeWait().toNanos()
                    || side.resetInTimeWait, side.name + " left TIME-WAIT early");
            side.timeWaitSince = Long.MIN_VALUE / 2;
        }
    }

    private static long earliest(long a, long b) {
        return a == TcpConnection.NONE ? b : b == TcpConnection.NONE ? a : a - b <= 0 ? a : b;
    }
}

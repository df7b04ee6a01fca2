package dev.morgana.testing.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract of {@link Tcp} and {@link Flow}, as their Javadoc states it, for every implementation to
 * pass: connecting and accepting, streams in order both ways at once, end of stream, half-close, timeouts,
 * backpressure, closing, interrupts and many connections at once.
 *
 * <p>A subclass supplies the implementation under test through {@link #start()}: a {@link Tcp} that
 * listens, a {@link Tcp} that connects, and the addresses between them. Both may be the same stack (the
 * {@code unix} target over loopback) or two stacks on one network.
 *
 * <pre>{@code
 * class UnixTcpContractTest extends TcpContract {
 *     @Override
 *     protected Sides start() throws Exception {
 *         Stack stack = ...; // started for this case
 *         return new Sides() {
 *             public Tcp server() { return stack.tcp(); }
 *             public Tcp client() { return stack.tcp(); }
 *             public Ipv4Address serverAddress() { return Ipv4Address.LOOPBACK; }
 *             public Ipv4Address clientAddress() { return Ipv4Address.LOOPBACK; }
 *             public void stop() throws Exception { ...; }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>Each case gets fresh sides and runs on a virtual thread, as {@link Flow} asks, within
 * {@link #CASE_BOUND}; each wait inside it is bounded by {@link #WAIT}, so a hang fails the case instead of
 * stalling the build. Before the sides stop, the flows and listeners a case opened are closed and every
 * handler must have returned; an assertion that fails inside a handler fails the case.
 *
 * <p>Not here, because the API cannot cause it: a reset. Neither {@code Tcp} nor {@code Flow} aborts a
 * connection (a handler that throws closes its flow gracefully), so {@code CONNECTION_RESET} is for each
 * implementation's own tests, with a peer that can send one (a socket with {@code SO_LINGER} 0, say).
 */
@ExtendWith(TcpContract.OnVirtualThreads.class)
public abstract class TcpContract {

    /** How long one case may run before it fails as hung. */
    public static final Duration CASE_BOUND = Duration.ofSeconds(60);

    /** How long one wait inside a case (for data, a handler, a parked thread) may take. */
    public static final Duration WAIT = Duration.ofSeconds(15);

    /** A timeout short enough to keep the suite fast, long enough to be told from no wait at all. */
    private static final Duration SHORT = Duration.ofMillis(250);

    /** Slack for timers of coarse granularity: a timeout may fire this much before its duration. */
    private static final Duration TIMER_SLACK = Duration.ofMillis(20);

    /**
     * The two sides of the connections a case opens, started by {@link #start()} and stopped by
     * {@link #stop()}.
     */
    public interface Sides {

        /**
         * Returns the TCP that listens and accepts.
         *
         * @return the server side
         */
        Tcp server();

        /**
         * Returns the TCP that connects.
         *
         * @return the client side; may be {@link #server()} itself
         */
        Tcp client();

        /**
         * Returns the address the server listens on and the client connects to.
         *
         * @return the server's address, as the client reaches it
         */
        Ipv4Address serverAddress();

        /**
         * Returns the address the server sees the client's connections come from.
         *
         * @return the client's address
         */
        Ipv4Address clientAddress();

        /**
         * Returns an endpoint the client reaches but where connection attempts are never answered (the
         * SYNs vanish), for the cases of connecting that times out or is interrupted. It must lie on
         * loopback or inside a network the test created, and the sides release it when they stop.
         *
         * @return the endpoint, or empty (the default) to skip those cases
         * @throws Exception when it cannot be set up
         */
        default Optional<Endpoint> unanswered() throws Exception {
            return Optional.empty();
        }

        /**
         * Stops both sides and releases what they hold.
         *
         * @throws Exception when stopping fails
         */
        void stop() throws Exception;
    }

    /**
     * Starts the implementation under test, once per case.
     *
     * @return the sides, started
     * @throws Exception when they cannot start
     */
    protected abstract Sides start() throws Exception;

    /** Creates the contract; a subclass supplies {@link #start()}. */
    protected TcpContract() {}

    private Sides sides;
    private final Queue<Flow> flows = new ConcurrentLinkedQueue<>();
    private final Queue<Tcp.Listener> listeners = new ConcurrentLinkedQueue<>();
    private final Set<Thread> handlers = ConcurrentHashMap.newKeySet();
    private final Queue<Throwable> handlerFailures = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> helpers = new ConcurrentLinkedQueue<>();
    private final CountDownLatch caseOver = new CountDownLatch(1);

    @BeforeEach
    final void startSides() throws Exception {
        sides = start();
    }

    /**
     * Ends a case: lets waiting handlers go, closes what the case opened, waits for every handler to
     * return, then stops the sides; fails the case if a handler failed or hung.
     */
    @AfterEach
    final void stopSides() throws Exception {
        caseOver.countDown();
        try {
            for (Flow flow : flows) {
                flow.close();
            }
            for (Tcp.Listener listener : listeners) {
                listener.close();
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!handlers.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (Thread helper : helpers) {
                helper.interrupt();
            }
            assertTrue(handlers.isEmpty(), "handlers still running " + WAIT + " after the case: " + handlers);
            if (!handlerFailures.isEmpty()) {
                AssertionError failed = new AssertionError("a handler failed", handlerFailures.peek());
                handlerFailures.stream().skip(1).forEach(failed::addSuppressed);
                throw failed;
            }
        } finally {
            if (sides != null) {
                sides.stop();
            }
        }
    }

    // Connecting and accepting.

    /** The listener reports its endpoint; each side of a connection knows the other's. */
    @Test
    void connectingReachesTheListenerAndEachSideKnowsTheOther() throws Exception {
        CompletableFuture<Endpoint> seenByServer = new CompletableFuture<>();
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, flow -> {
            seenByServer.complete(flow.remote());
            echo(flow);
        });
        assertEquals(sides.serverAddress(), listener.local().address(), "the listener's address");
        assertTrue(listener.local().port() > 0, "an ephemeral port is filled in: " + listener.local());

        Flow flow = connect(listener);
        assertEquals(listener.local(), flow.remote(), "the client's peer is the listener's endpoint");
        Endpoint client = await(seenByServer, "the handler runs");
        assertEquals(sides.clientAddress(), client.address(), "the server's peer is the client");
        assertTrue(client.port() > 0, "the client's port: " + client);
        assertArrayEquals(bytes("ping"), exchange(flow, bytes("ping")));
    }

    /** Port 0 gets a distinct ephemeral port per listener; the unspecified address listens on every one. */
    @Test
    void ephemeralPortsAreDistinctAndTheAnyAddressListensEverywhere() throws Exception {
        Tcp.Listener first = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        Tcp.Listener second = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        assertNotEquals(first.local().port(), second.local().port());

        Tcp.Listener any = track(sides.server().listen(new Endpoint(Ipv4Address.ANY, 0), Tcp.Options.DEFAULT,
                tracked(TcpContract::echo)));
        assertEquals(Ipv4Address.ANY, any.local().address(), "bound to every address");
        assertTrue(any.local().port() > 0, "an ephemeral port is filled in: " + any.local());
        Flow flow = connect(new Endpoint(sides.serverAddress(), any.local().port()), Tcp.Options.DEFAULT);
        assertArrayEquals(bytes("any"), exchange(flow, bytes("any")));
    }

    /** Each connection gets a virtual thread of its own: one handler that blocks holds up no other. */
    @Test
    void eachConnectionIsHandledOnAVirtualThreadOfItsOwn() throws Exception {
        CountDownLatch secondServed = new CountDownLatch(1);
        Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        Queue<Endpoint> peers = new ConcurrentLinkedQueue<>();
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, flow -> {
            threads.add(Thread.currentThread());
            peers.add(flow.remote());
            MemorySegment one = Arena.ofAuto().allocate(1);
            assertEquals(1, flow.read(one));
            if (one.get(ValueLayout.JAVA_BYTE, 0) == 1) {
                // The first connection's handler waits until the second one's has answered.
                assertTrue(secondServed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the second is served meanwhile");
            }
            flow.write(one);
        });
        Flow first = connect(listener);
        first.write(MemorySegment.ofArray(new byte[] {1}));
        Flow second = connect(listener);
        second.write(MemorySegment.ofArray(new byte[] {2}));
        assertArrayEquals(new byte[] {2}, readExactly(second, 1), "the second is answered while the first waits");
        secondServed.countDown();
        assertArrayEquals(new byte[] {1}, readExactly(first, 1));

        assertEquals(2, threads.size());
        assertTrue(threads.stream().allMatch(Thread::isVirtual), "handlers run on virtual threads: " + threads);
        assertEquals(2, threads.stream().distinct().count(), "one thread per connection");
        assertEquals(2, peers.stream().map(Endpoint::port).distinct().count(), "two client ports: " + peers);
    }

    @Test
    void connectingToAPortNobodyListensOnIsRefused() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        Endpoint closed = listener.local();
        listener.close();
        expect(Reason.CONNECTION_REFUSED, () -> sides.client().connect(closed, Tcp.Options.DEFAULT));
    }

    @Test
    void listeningOnATakenEndpointFailsWithAddressInUse() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        expect(Reason.ADDRESS_IN_USE, () -> track(sides.server().listen(listener.local(), Tcp.Options.DEFAULT,
                tracked(TcpContract::echo))));
        Flow flow = connect(listener);
        assertArrayEquals(bytes("still mine"), exchange(flow, bytes("still mine")), "the first listener serves on");
    }

    /** A closed listener refuses new connections; those it accepted go on; closing it twice does nothing. */
    @Test
    void aClosedListenerRefusesNewConnectionsButAcceptedOnesGoOn() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        Flow accepted = connect(listener);
        assertArrayEquals(bytes("before"), exchange(accepted, bytes("before")));
        listener.close();
        listener.close();
        expect(Reason.CONNECTION_REFUSED, () -> sides.client().connect(listener.local(), Tcp.Options.DEFAULT));
        assertArrayEquals(bytes("after"), exchange(accepted, bytes("after")), "the accepted connection goes on");
        accepted.shutdownOutput();
        assertEquals(-1, accepted.read(Arena.ofAuto().allocate(16)), "and ends normally");
    }

    @Test
    void aConnectNobodyAnswersTimesOut() throws Exception {
        Endpoint silent = unanswered();
        long start = System.nanoTime();
        expect(Reason.TIMED_OUT, () -> sides.client().connect(silent, Tcp.Options.DEFAULT.withConnectTimeout(SHORT)));
        assertWaitedAtLeast(SHORT, start);
    }

    @Test
    void interruptingAParkedConnectFailsItWithInterrupted() throws Exception {
        Endpoint silent = unanswered();
        Running<NetworkException> connecting = background("connect", () -> assertThrows(NetworkException.class,
                () -> sides.client().connect(silent, Tcp.Options.DEFAULT.withConnectTimeout(WAIT.multipliedBy(2))),
                "a connection nobody answers"));
        awaitParked(connecting.thread()).interrupt();
        NetworkException interrupted = connecting.await("the interrupted connect returns");
        assertEquals(Reason.INTERRUPTED, interrupted.reason(), interrupted.toString());
        assertTrue(connecting.endedInterrupted(), "the interrupt status is set again");
    }

    // Reading and writing.

    /** A read blocks only until some bytes arrive: it does not wait to fill the buffer. */
    @Test
    void aReadReturnsWhatHasArrivedWithoutWaitingToFillTheBuffer() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT.withNoDelay(true), flow -> {
            flow.write(MemorySegment.ofArray(bytes("hello")));
            awaitCaseOver(); // the connection stays open: no end of stream ends the client's read early
        });
        Flow flow = connect(listener);
        MemorySegment big = Arena.ofAuto().allocate(64 * 1024);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < 5) {
            int n = flow.read(big);
            assertTrue(n >= 1 && n <= 5 - got.size(), "a read returns what arrived, at least a byte: " + n);
            got.writeBytes(big.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
        assertArrayEquals(bytes("hello"), got.toByteArray());
    }

    /** A handler that returns closes its flow: the peer reads what it wrote, then -1, and -1 again. */
    @Test
    void endOfStreamIsMinusOneOnEveryReadAfterTheHandlerReturns() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, flow -> flow.write(MemorySegment.ofArray(bytes("bye"))));
        Flow flow = connect(listener);
        assertArrayEquals(bytes("bye"), readToEnd(flow));
        MemorySegment buffer = Arena.ofAuto().allocate(8);
        assertEquals(-1, flow.read(buffer), "end of stream again");
        assertEquals(-1, flow.read(buffer), "and again");
    }

    @Test
    void readingIntoAnEmptyBufferIsRefused() throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo));
        assertThrows(IllegalArgumentException.class, () -> flow.read(MemorySegment.ofArray(new byte[0])));
        assertArrayEquals(bytes("fine"), exchange(flow, bytes("fine")), "and the flow is unharmed");
    }

    /** Several MiB echoed: the client writes on one thread while it reads on another. */
    @Test
    void aLargeEchoArrivesIntact() throws Exception {
        byte[] payload = random(1, 6 * 1024 * 1024 + 17);
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo), Tcp.Options.DEFAULT.withNoDelay(true));
        Running<Void> writing = background("write", () -> {
            flow.write(MemorySegment.ofArray(payload));
            flow.shutdownOutput();
            return null;
        });
        byte[] echoed = readToEnd(flow);
        writing.await("the writer finishes");
        assertEquals(sha256(payload), sha256(echoed), "echoed " + echoed.length + " of " + payload.length + " bytes");
    }

    /** Two independent streams of several MiB, one each way, at the same time. */
    @Test
    void largeStreamsTravelBothWaysAtOnce() throws Exception {
        byte[] up = random(2, 4 * 1024 * 1024 + 3);
        byte[] down = random(3, 4 * 1024 * 1024 + 5);
        CompletableFuture<String> receivedUp = new CompletableFuture<>();
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, flow -> {
            Running<Void> sending = background("server write", () -> {
                flow.write(MemorySegment.ofArray(down));
                flow.shutdownOutput();
                return null;
            });
            receivedUp.complete(sha256(readToEnd(flow)));
            sending.await("the server's writer finishes");
        });
        Flow flow = connect(listener);
        Running<Void> sending = background("client write", () -> {
            flow.write(MemorySegment.ofArray(up));
            flow.shutdownOutput();
            return null;
        });
        assertEquals(sha256(down), sha256(readToEnd(flow)), "server to client");
        sending.await("the client's writer finishes");
        assertEquals(sha256(up), await(receivedUp, "the server reads to the end"), "client to server");
    }

    /** Writes and reads of every size, from one byte up, keep the stream whole and in order. */
    @Test
    void writesAndReadsOfAnySizeKeepTheStreamInOrder() throws Exception {
        byte[] payload = random(4, 3 * 1024 * 1024);
        SplittableRandom sizes = new SplittableRandom(5);
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo), Tcp.Options.DEFAULT.withNoDelay(true));
        Running<Void> writing = background("write", () -> {
            int offset = 0;
            SplittableRandom writes = new SplittableRandom(6);
            while (offset < payload.length) {
                int size = Math.min(payload.length - offset, writes.nextBoolean() ? writes.nextInt(1, 64) : writes.nextInt(1, 200_000));
                flow.write(MemorySegment.ofArray(payload).asSlice(offset, size));
                offset += size;
            }
            flow.shutdownOutput();
            return null;
        });
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        MemorySegment buffer = Arena.ofAuto().allocate(100_000);
        int n;
        while ((n = flow.read(buffer.asSlice(0, sizes.nextBoolean() ? sizes.nextInt(1, 16) : sizes.nextInt(1, 100_000)))) >= 0) {
            assertTrue(n > 0, "a read returns at least one byte or -1");
            echoed.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
        writing.await("the writer finishes");
        assertArrayEquals(payload, echoed.toByteArray());
    }

    /** A gathering write sends its segments in order, as if concatenated, small or large, empty ones too. */
    @Test
    void aGatheringWriteSendsItsSegmentsInOrder() throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo));
        MemorySegment head = MemorySegment.ofArray(bytes("HEAD "));
        MemorySegment body = Arena.ofAuto().allocate(1000).fill((byte) 'b');
        MemorySegment large = MemorySegment.ofArray(random(7, 300_000));
        List<MemorySegment> small = List.of(head, MemorySegment.ofArray(new byte[0]), body, MemorySegment.ofArray(bytes(" END")));
        List<MemorySegment> big = List.of(head, large, MemorySegment.ofArray(new byte[0]), body, large.asSlice(5, 70_000));
        Running<Void> writing = background("write", () -> {
            flow.write(small);
            flow.write(big);
            flow.write(List.of());
            flow.shutdownOutput();
            return null;
        });
        byte[] echoed = readToEnd(flow);
        writing.await("the writer finishes");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (MemorySegment segment : concat(small, big)) {
            expected.writeBytes(segment.toArray(ValueLayout.JAVA_BYTE));
        }
        assertArrayEquals(expected.toByteArray(), echoed);
    }

    /**
     * Any segment can be written and read into: on or off the heap, of any element type, confined to the
     * calling thread; a flow keeps no reference to it after the call (the arena closes right after a write).
     */
    @Test
    void anySegmentCanBeWrittenAndReadIntoAndIsNotKept() throws Exception {
        long[] words = new SplittableRandom(8).longs(10_000).toArray();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo));
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment copy = confined.allocate(words.length * 8L);
            MemorySegment.copy(MemorySegment.ofArray(words), 0, copy, 0, copy.byteSize());
            flow.write(copy);
        }
        flow.write(MemorySegment.ofArray(words));
        flow.shutdownOutput();
        MemorySegment back = MemorySegment.ofArray(new long[words.length * 2]);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment buffer = confined.allocate(8192);
            long got = 0;
            int n;
            while ((n = flow.read(buffer)) >= 0) {
                MemorySegment.copy(buffer, 0, back, got, n);
                got += n;
            }
            assertEquals(back.byteSize(), got);
        }
        assertEquals(-1, back.asSlice(0, words.length * 8L).mismatch(MemorySegment.ofArray(words)), "from the confined arena");
        assertEquals(-1, back.asSlice(words.length * 8L).mismatch(MemorySegment.ofArray(words)), "from the long[]");
    }

    /** Writing nothing sends nothing; it still fails once the output is shut down. */
    @Test
    void writingNothingSendsNothingButStillFailsAfterShutdown() throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo));
        flow.write(MemorySegment.ofArray(new byte[0]));
        flow.write(List.of());
        flow.write(List.of(MemorySegment.ofArray(new byte[0])));
        flow.write(MemorySegment.ofArray(bytes("x")));
        flow.shutdownOutput();
        assertArrayEquals(bytes("x"), readToEnd(flow), "only the byte written");
        expect(Reason.CLOSED, () -> flow.write(MemorySegment.ofArray(new byte[0])));
        expect(Reason.CLOSED, () -> flow.write(List.of()));
    }

    // Half-close.

    /**
     * After the client shuts its output down, the server reads -1, yet still writes at length to the client;
     * the client may not write any more; shutting down twice does nothing.
     */
    @Test
    void shutdownOutputEndsThePeersStreamWhileTheOtherDirectionGoesOn() throws Exception {
        byte[] answer = random(9, 2 * 1024 * 1024);
        CompletableFuture<byte[]> request = new CompletableFuture<>();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            request.complete(readToEnd(served));
            served.write(MemorySegment.ofArray(answer));
        }));
        flow.write(MemorySegment.ofArray(bytes("request")));
        flow.shutdownOutput();
        flow.shutdownOutput();
        expect(Reason.CLOSED, () -> flow.write(MemorySegment.ofArray(bytes("more"))));
        assertArrayEquals(bytes("request"), await(request, "the server reads to end of stream"));
        assertEquals(sha256(answer), sha256(readToEnd(flow)), "the answer after our end of stream");
    }

    /** The other way round: the server shuts its output down first and goes on reading. */
    @Test
    void theServerMayShutItsOutputDownFirstAndGoOnReading() throws Exception {
        byte[] upload = random(10, 1024 * 1024);
        CompletableFuture<String> received = new CompletableFuture<>();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            served.write(MemorySegment.ofArray(bytes("go ahead")));
            served.shutdownOutput();
            received.complete(sha256(readToEnd(served)));
        }));
        assertArrayEquals(bytes("go ahead"), readToEnd(flow), "the greeting, then end of stream");
        flow.write(MemorySegment.ofArray(upload));
        flow.shutdownOutput();
        assertEquals(sha256(upload), await(received, "the server reads the upload"));
    }

    /**
     * After {@code shutdownInput} every read returns -1, even with data still unread or arriving; the peer is
     * not told, so its writes go on; writing the other way goes on too.
     */
    @Test
    void shutdownInputMakesLaterReadsReturnEndOfStream() throws Exception {
        CountDownLatch shut = new CountDownLatch(1);
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            MemorySegment one = Arena.ofAuto().allocate(1);
            assertEquals(1, served.read(one));
            served.shutdownInput();
            shut.countDown();
            assertEquals(-1, served.read(one), "the rest of the first write is discarded");
            assertEquals(-1, served.read(Arena.ofAuto().allocate(4096)), "again");
            served.write(MemorySegment.ofArray(bytes("still writing")));
        }));
        flow.write(MemorySegment.ofArray(random(11, 1000)));
        assertTrue(shut.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the server shuts its input down");
        flow.write(MemorySegment.ofArray(random(12, 256 * 1024)));
        flow.shutdownOutput();
        assertArrayEquals(bytes("still writing"), readToEnd(flow));
    }

    /** {@code shutdownInput} from another thread wakes a reader parked on the flow with -1. */
    @Test
    void shutdownInputWakesAParkedReaderWithEndOfStream() throws Exception {
        Parked<Integer> reader = parkedReader(served -> awaitCaseOver());
        reader.flow().shutdownInput();
        assertEquals(-1, reader.call().await("the parked reader wakes"));
    }

    // Timeouts.

    /** A read that times out fails with TIMED_OUT, takes nothing, and leaves the flow usable. */
    @Test
    void aReadTimeoutFailsTheReadButLeavesTheFlowUsable() throws Exception {
        CountDownLatch speak = new CountDownLatch(1);
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            assertTrue(speak.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            served.write(MemorySegment.ofArray(bytes("late")));
            awaitCaseOver();
        }), Tcp.Options.DEFAULT.withReadTimeout(SHORT));
        long start = System.nanoTime();
        expect(Reason.TIMED_OUT, () -> flow.read(Arena.ofAuto().allocate(16)));
        assertWaitedAtLeast(SHORT, start);
        start = System.nanoTime();
        expect(Reason.TIMED_OUT, () -> flow.read(Arena.ofAuto().allocate(16)));
        assertWaitedAtLeast(SHORT, start);
        speak.countDown();
        // The data may take longer than a timeout to come (a loaded machine): a read that times out again
        // is tried again, which is what a flow that goes on after a timeout allows.
        ByteArrayOutputStream late = new ByteArrayOutputStream();
        MemorySegment buffer = Arena.ofAuto().allocate(4);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (late.size() < 4 && System.nanoTime() < deadline) {
            try {
                int n = flow.read(buffer.asSlice(0, 4 - late.size()));
                assertTrue(n > 0, "data, not end of stream: " + n);
                late.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            } catch (NetworkException e) {
                assertEquals(Reason.TIMED_OUT, e.reason(), e.toString());
            }
        }
        assertArrayEquals(bytes("late"), late.toByteArray(), "the data that came after the timeouts");
    }

    /** The options given to {@code listen} apply to every flow it accepts: here, a read timeout. */
    @Test
    void acceptedFlowsTakeTheListenersOptions() throws Exception {
        CompletableFuture<Reason> reason = new CompletableFuture<>();
        Flow flow = connect(listen(Tcp.Options.DEFAULT.withReadTimeout(SHORT), served -> {
            try {
                served.read(Arena.ofAuto().allocate(16));
                reason.completeExceptionally(new AssertionError("read without data or end of stream"));
            } catch (NetworkException e) {
                reason.complete(e.reason());
            }
            served.write(MemorySegment.ofArray(bytes("timed out")));
        }));
        assertEquals(Reason.TIMED_OUT, await(reason, "the server's read ends"));
        assertArrayEquals(bytes("timed out"), readToEnd(flow));
    }

    /**
     * A write to a peer that does not read times out once the buffers are full; closing then gives up on what
     * is still queued, and the peer, when it reads, gets no more than was written, then the end.
     */
    @Test
    void aWriteTimeoutFailsAWriteToAPeerThatDoesNotRead() throws Exception {
        CountDownLatch readNow = new CountDownLatch(1);
        CompletableFuture<Long> peerRead = new CompletableFuture<>();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            assertTrue(readNow.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            long total = 0;
            try {
                MemorySegment buffer = Arena.ofAuto().allocate(256 * 1024);
                int n;
                while ((n = served.read(buffer)) >= 0) {
                    total += n;
                }
            } catch (NetworkException e) {
                assertEquals(Reason.CONNECTION_RESET, e.reason(), "the end is end of stream or a reset: " + e);
            }
            peerRead.complete(total);
        }), Tcp.Options.DEFAULT.withWriteTimeout(SHORT));
        MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);
        long written = 0;
        NetworkException timeout = null;
        for (int i = 0; i < 16 * 1024 && timeout == null; i++) { // 1 GiB: far more than any buffers hold
            long start = System.nanoTime();
            try {
                flow.write(chunk);
                written += chunk.byteSize();
            } catch (NetworkException e) {
                timeout = e;
                assertWaitedAtLeast(SHORT, start);
            }
        }
        assertTrue(timeout != null, "the writer gave up after " + written + " bytes");
        assertEquals(Reason.TIMED_OUT, timeout.reason(), timeout.toString());
        flow.close();
        readNow.countDown();
        long read = await(peerRead, "the peer reads to the end");
        assertTrue(read <= written + chunk.byteSize(), "read " + read + " of " + written + " written");
    }

    // Backpressure.

    /** A writer to a peer that does not read parks, holding a bounded amount, and resumes when it reads. */
    @Test
    void aWriterToAPeerThatDoesNotReadParksAndResumesWhenItReads() throws Exception {
        byte[] block = random(13, 32 * 1024);
        int blocks = 1024; // 32 MiB
        AtomicLong written = new AtomicLong();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            MemorySegment segment = MemorySegment.ofArray(block);
            for (int i = 0; i < blocks; i++) {
                served.write(segment);
                written.addAndGet(block.length);
            }
        }));
        long stalled = awaitStill(written);
        assertTrue(stalled < 16L * 1024 * 1024, "a peer that does not read holds up the writer after " + stalled + " bytes");
        MessageDigest expected = sha256();
        for (int i = 0; i < blocks; i++) {
            expected.update(block);
        }
        MessageDigest received = sha256();
        MemorySegment buffer = Arena.ofAuto().allocate(256 * 1024);
        long total = 0;
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            received.update(buffer.asSlice(0, n).asByteBuffer());
            total += n;
        }
        assertEquals((long) blocks * block.length, total, "every byte arrives once the peer reads");
        assertEquals(HexFormat.of().formatHex(expected.digest()), HexFormat.of().formatHex(received.digest()));
    }

    // Closing.

    /** Closing is graceful and does not wait: what was written arrives, then end of stream. */
    @Test
    void closingDeliversWhatWasWrittenThenEndOfStream() throws Exception {
        byte[] payload = random(14, 4 * 1024 * 1024);
        CountDownLatch readNow = new CountDownLatch(1);
        CompletableFuture<String> received = new CompletableFuture<>();
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> {
            assertTrue(readNow.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            received.complete(sha256(readToEnd(served)));
        }));
        Running<Void> writing = background("write", () -> {
            flow.write(MemorySegment.ofArray(payload));
            return null;
        });
        readNow.countDown();
        writing.await("the write is accepted");
        flow.close();
        assertEquals(sha256(payload), await(received, "the server reads to end of stream"));
    }

    /** A handler that throws has its flow closed as if it had returned: what it wrote, then end of stream. */
    @Test
    void aHandlerThatThrowsHasItsFlowClosedGracefully() throws Exception {
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, flow -> {
            flow.write(MemorySegment.ofArray(bytes("partial")));
            throw new Deliberate();
        });
        assertArrayEquals(bytes("partial"), readToEnd(connect(listener)), "what it wrote, then -1 (no reset)");
        assertArrayEquals(bytes("partial"), readToEnd(connect(listener)), "and the listener serves on");
    }

    /**
     * Closing while the peer still sends loses nothing that was written: the peer reads all of it, then end of
     * stream, and is not reset.
     */
    @Test
    void closingWhileThePeerStillSendsDeliversEverythingWritten() throws Exception {
        byte[] payload = random(15, 4 * 1024 * 1024);
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> served.write(MemorySegment.ofArray(payload))));
        Running<Void> chatter = background("chatter", () -> {
            MemorySegment noise = MemorySegment.ofArray(new byte[64 * 1024]);
            try {
                for (int i = 0; i < 128; i++) {
                    flow.write(noise);
                }
                flow.shutdownOutput();
            } catch (NetworkException e) {
                // The server, done, may drop what we send after its end; the data it wrote is what counts.
            }
            return null;
        });
        assertEquals(sha256(payload), sha256(readToEnd(flow)), "no reset, no byte lost");
        chatter.await("the chatter ends");
    }

    /** After {@code close}, reads and writes fail with CLOSED; closing or shutting input again does nothing. */
    @Test
    void afterCloseEveryOperationFailsWithClosed() throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, TcpContract::echo));
        assertArrayEquals(bytes("last"), exchange(flow, bytes("last")));
        Endpoint remote = flow.remote();
        flow.close();
        expect(Reason.CLOSED, () -> flow.read(Arena.ofAuto().allocate(8)));
        expect(Reason.CLOSED, () -> flow.write(MemorySegment.ofArray(bytes("no"))));
        expect(Reason.CLOSED, () -> flow.write(List.of(MemorySegment.ofArray(bytes("no")))));
        expect(Reason.CLOSED, flow::shutdownOutput);
        flow.shutdownInput();
        flow.close();
        assertEquals(remote, flow.remote(), "the peer is still known");
    }

    @Test
    void closeWakesAParkedReaderWithClosed() throws Exception {
        Parked<Integer> reader = parkedReader(served -> awaitCaseOver());
        reader.flow().close();
        expect(Reason.CLOSED, () -> reader.call().await("the parked reader wakes"));
    }

    @Test
    void closeWakesAParkedWriterWithClosed() throws Exception {
        Parked<Void> writer = parkedWriter();
        writer.flow().close();
        expect(Reason.CLOSED, () -> writer.call().await("the parked writer wakes"));
    }

    // Interrupts.

    /** Interrupting a parked reader fails the read with INTERRUPTED, sets the status again, takes nothing. */
    @Test
    void interruptingAParkedReaderFailsItWithInterruptedAndLeavesTheFlowUsable() throws Exception {
        CountDownLatch speak = new CountDownLatch(1);
        Parked<Integer> reader = parkedReader(served -> {
            assertTrue(speak.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            served.write(MemorySegment.ofArray(bytes("after")));
            awaitCaseOver();
        });
        reader.call().thread().interrupt();
        expect(Reason.INTERRUPTED, () -> reader.call().await("the interrupted reader returns"));
        assertTrue(reader.call().endedInterrupted(), "the interrupt status is set again");
        speak.countDown();
        assertArrayEquals(bytes("after"), readExactly(reader.flow(), 5), "the flow still reads");
    }

    @Test
    void interruptingAParkedWriterFailsItWithInterrupted() throws Exception {
        Parked<Void> writer = parkedWriter();
        writer.call().thread().interrupt();
        expect(Reason.INTERRUPTED, () -> writer.call().await("the interrupted writer returns"));
        assertTrue(writer.call().endedInterrupted(), "the interrupt status is set again");
    }

    // Many connections.

    /** Two hundred connections at once, each echoing its own data. */
    @Test
    void twoHundredConnectionsEchoAtOnce() throws Exception {
        int connections = 200;
        Tcp.Listener listener = listen(Tcp.Options.DEFAULT, TcpContract::echo);
        List<Running<byte[]>> echoes = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            byte[] payload = random(100 + i, 1 + (i * 7919) % (64 * 1024));
            sent.add(payload);
            echoes.add(background("client " + i, () -> {
                Flow flow = connect(listener);
                flow.write(MemorySegment.ofArray(payload));
                flow.shutdownOutput();
                return readToEnd(flow);
            }));
        }
        for (int i = 0; i < connections; i++) {
            assertArrayEquals(sent.get(i), echoes.get(i).await("connection " + i + " echoes"), "connection " + i);
        }
    }

    // Helpers.

    /** An exception a handler throws on purpose; not a failure of the case. */
    private static final class Deliberate extends Exception {
        private static final long serialVersionUID = 1L;

        Deliberate() {
            super("thrown on purpose by the contract's handler");
        }
    }

    /** Runs each case on a virtual thread of its own, and fails it when it outlives {@link #CASE_BOUND}. */
    static final class OnVirtualThreads implements InvocationInterceptor {

        @Override
        public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
                ExtensionContext context) throws Throwable {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread body = Thread.ofVirtual().name("tcp contract " + method.getExecutable().getName()).start(() -> {
                try {
                    invocation.proceed();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            if (!body.join(CASE_BOUND)) {
                AssertionError hung = new AssertionError("the case did not end within " + CASE_BOUND
                        + "; its thread was here (then interrupted)");
                hung.setStackTrace(body.getStackTrace());
                body.interrupt();
                body.join(WAIT);
                throw hung;
            }
            if (thrown.get() != null) {
                throw thrown.get();
            }
        }
    }

    private Endpoint unanswered() throws Exception {
        Optional<Endpoint> silent = sides.unanswered();
        Assumptions.assumeTrue(silent.isPresent(), "these sides offer no endpoint that leaves connections unanswered");
        return silent.orElseThrow();
    }

    private Tcp.Listener listen(Tcp.Options options, Tcp.FlowHandler handler) throws NetworkException {
        return track(sides.server().listen(new Endpoint(sides.serverAddress(), 0), options, tracked(handler)));
    }

    private Tcp.Listener track(Tcp.Listener listener) {
        listeners.add(listener);
        return listener;
    }

    /** The handler, counted while it runs, its failures (but deliberate ones) kept for the case's end. */
    private Tcp.FlowHandler tracked(Tcp.FlowHandler handler) {
        return flow -> {
            handlers.add(Thread.currentThread());
            try {
                handler.handle(flow);
            } catch (Deliberate expected) {
                throw expected;
            } catch (Exception | Error e) {
                handlerFailures.add(e);
                throw e;
            } finally {
                handlers.remove(Thread.currentThread());
            }
        };
    }

    private Flow connect(Tcp.Listener listener) throws NetworkException {
        return connect(listener, Tcp.Options.DEFAULT);
    }

    private Flow connect(Tcp.Listener listener, Tcp.Options options) throws NetworkException {
        return connect(new Endpoint(sides.serverAddress(), listener.local().port()), options);
    }

    private Flow connect(Endpoint remote, Tcp.Options options) throws NetworkException {
        Flow flow = sides.client().connect(remote, options);
        flows.add(flow);
        return flow;
    }

    /** For a handler that must keep its connection open until the case ends. */
    private void awaitCaseOver() throws InterruptedException {
        caseOver.await(CASE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code work} on a virtual thread of its own, interrupted at the end of the case if still running. */
    private <T> Running<T> background(String name, Callable<T> work) {
        AtomicBoolean interrupted = new AtomicBoolean();
        FutureTask<T> task = new FutureTask<>(() -> {
            try {
                return work.call();
            } finally {
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        Thread thread = Thread.ofVirtual().name("tcp contract " + name).start(task);
        helpers.add(thread);
        return new Running<>(thread, task, interrupted);
    }

    /** Work running on a virtual thread of its own. */
    private record Running<T>(Thread thread, Future<T> result, AtomicBoolean interrupted) {

        /** Waits for the result within {@link #WAIT}; what the work threw is thrown here. */
        T await(String what) throws Exception {
            return TcpContract.await(result, what);
        }

        /** Whether the thread's interrupt status was set when the work ended; after {@link #await}. */
        boolean endedInterrupted() {
            return interrupted.get();
        }
    }

    /** A call parked on a flow: a read that waits for data, or a write that waits for a peer to read. */
    private record Parked<T>(Flow flow, Running<T> call) {}

    /** A read parked on a flow whose server runs {@code server}, which must not write at once. */
    private Parked<Integer> parkedReader(Tcp.FlowHandler server) throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, server));
        Running<Integer> reading = background("read", () -> flow.read(Arena.ofAuto().allocate(16)));
        awaitParked(reading.thread());
        return new Parked<>(flow, reading);
    }

    /** A write parked on a flow whose server never reads, the buffers between them full. */
    private Parked<Void> parkedWriter() throws Exception {
        Flow flow = connect(listen(Tcp.Options.DEFAULT, served -> awaitCaseOver()));
        AtomicLong written = new AtomicLong();
        Running<Void> writing = background("write", () -> writeForever(flow, written));
        awaitStill(written);
        awaitParked(writing.thread());
        return new Parked<>(flow, writing);
    }

    /** Waits for {@code future} within {@link #WAIT}; what it threw is thrown here. */
    private static <T> T await(Future<T> future, String what) throws Exception {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not within " + WAIT + ": " + what, e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case Exception cause -> throw cause;
                case Error cause -> throw cause;
                case null, default -> throw e;
            }
        }
    }

    /** Waits until {@code thread} parks (in the call under test), within {@link #WAIT}; returns it. */
    private static Thread awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(thread.isAlive(), thread + " ended instead of parking");
            assertTrue(System.nanoTime() < deadline, thread + " did not park within " + WAIT);
            Thread.sleep(5);
        }
        Thread.sleep(50); // parked for good, not in passing
        return thread;
    }

    /** Waits until {@code counter} stops moving for a while, within {@link #WAIT}; returns where it stopped. */
    private static long awaitStill(AtomicLong counter) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last = -1;
        int still = 0;
        while (still < 6) {
            assertTrue(System.nanoTime() < deadline, "still moving after " + WAIT + ": " + counter.get());
            Thread.sleep(50);
            long now = counter.get();
            still = now == last && now > 0 ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    private static Void writeForever(Flow flow, AtomicLong written) throws NetworkException {
        MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);
        for (int i = 0; i < 16 * 1024; i++) { // 1 GiB: far more than any buffers hold
            flow.write(chunk);
            written.addAndGet(chunk.byteSize());
        }
        throw new AssertionError("a peer that never reads took " + written.get() + " bytes");
    }

    private static void expect(Reason reason, Executable call) {
        NetworkException error = assertThrows(NetworkException.class, call, "expected " + reason);
        assertEquals(reason, error.reason(), error.toString());
    }

    private static void assertWaitedAtLeast(Duration timeout, long start) {
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(waited.compareTo(timeout.minus(TIMER_SLACK)) >= 0, "gave up after " + waited + ", before " + timeout);
    }

    /** Echoes until end of stream. */
    private static void echo(Flow flow) throws NetworkException {
        MemorySegment buffer = Arena.ofAuto().allocate(16 * 1024);
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            flow.write(buffer.asSlice(0, n));
        }
    }

    /** Writes {@code message} and reads as many bytes back. */
    private static byte[] exchange(Flow flow, byte[] message) throws NetworkException {
        flow.write(MemorySegment.ofArray(message));
        return readExactly(flow, message.length);
    }

    private static byte[] readExactly(Flow flow, int size) throws NetworkException {
        MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
        int got = 0;
        while (got < size) {
            int n = flow.read(buffer.asSlice(got));
            if (n < 0) {
                fail("end of stream after " + got + " of " + size + " bytes");
            }
            assertTrue(n > 0, "a read returns at least one byte or -1");
            got += n;
        }
        return buffer.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] readToEnd(Flow flow) throws NetworkException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemorySegment buffer = Arena.ofAuto().allocate(64 * 1024);
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            assertTrue(n > 0, "a read returns at least one byte or -1");
            out.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    private static List<MemorySegment> concat(List<MemorySegment> first, List<MemorySegment> second) {
        List<MemorySegment> all = new ArrayList<>(first);
        all.addAll(second);
        return Collections.unmodifiableList(all);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }
}

package dev.morgana.unix.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TCP on the unix target, judged by real peers on loopback: nc, curl, python3 and the JDK's sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixTcpTest {

    private static final Endpoint ANY_LOOPBACK = new Endpoint(Ipv4Address.LOOPBACK, 0);

    /** Echoes until end of stream, then closes: the server every test here talks to. */
    static void echo(Flow flow) throws NetworkException {
        MemorySegment buffer = Arena.ofAuto().allocate(16 * 1024);
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            flow.write(buffer.asSlice(0, n));
        }
    }

    @Test
    void ncTalksToAMorganaEchoServerAndHalfClosesWithDashN() throws Exception {
        String nc = Peers.require("nc");
        OnUnix.run(stack -> {
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, UnixTcpTest::echo)) {
                int port = listener.local().port();
                assertTrue(port > 0, "an ephemeral port is reported back");
                byte[] message = "hello through a half-closed connection\n".repeat(100).getBytes(StandardCharsets.UTF_8);
                // -N shuts down nc's sending side after its input ends: our read sees end of stream while
                // our writes still reach nc, which prints them until we close.
                String echoed = Peers.run(20, message, nc, "-N", "127.0.0.1", Integer.toString(port));
                assertEquals(new String(message, StandardCharsets.UTF_8), echoed);
            }
        });
    }

    @Test
    void curlGetsAnAnswerFromAMorganaServer() throws Exception {
        String curl = Peers.require("curl");
        OnUnix.run(stack -> {
            Tcp.FlowHandler http = flow -> {
                MemorySegment buffer = Arena.ofAuto().allocate(4096);
                StringBuilder request = new StringBuilder();
                while (!request.toString().contains("\r\n\r\n")) {
                    int n = flow.read(buffer);
                    assertTrue(n > 0, "the request head arrives before end of stream");
                    request.append(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            StandardCharsets.US_ASCII));
                }
                String body = "you asked: " + request.toString().lines().findFirst().orElseThrow() + "\n";
                flow.write(MemorySegment.ofArray(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII)));
            };
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, http)) {
                String answer = Peers.run(20, new byte[0], curl, "-sS", "--max-time", "10",
                        "http://127.0.0.1:" + listener.local().port() + "/index.html");
                assertEquals("you asked: GET /index.html HTTP/1.1\n", answer);
            }
        });
    }

    @Test
    void theMorganaClientTalksToNcListening() throws Exception {
        String nc = Peers.require("nc");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process listener = Peers.start(nc, "-l", "127.0.0.1", Integer.toString(port));
        try {
            OnUnix.run(stack -> {
                Flow flow = connectWithRetry(stack.tcp(), new Endpoint(Ipv4Address.LOOPBACK, port));
                flow.write(MemorySegment.ofArray("to nc\n".getBytes(StandardCharsets.US_ASCII)));
                flow.shutdownOutput();
                flow.close();
            });
            assertTrue(listener.waitFor(20, TimeUnit.SECONDS), "nc ends when we close");
            assertEquals("to nc\n", new String(listener.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        } finally {
            listener.destroyForcibly();
        }
    }

    @Test
    void theMorganaClientFetchesFromPythonsHttpServer(@TempDir Path site) throws Exception {
        String python = Peers.require("python3");
        Files.writeString(site.resolve("page.txt"), "served by python\n");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server = Peers.start(python, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                site.toString(), Integer.toString(port));
        try {
            OnUnix.run(stack -> {
                Flow flow = connectWithRetry(stack.tcp(), new Endpoint(Ipv4Address.LOOPBACK, port));
                flow.write(MemorySegment.ofArray("GET /page.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                String response = new String(readToEnd(flow), StandardCharsets.US_ASCII);
                flow.close();
                assertTrue(response.startsWith("HTTP/1.0 200 OK\r\n"), response);
                assertTrue(response.endsWith("\r\n\r\nserved by python\n"), response);
            });
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aWriterToAPeerThatDoesNotReadBlocksAndNothingIsLost() throws Exception {
        long total = 64L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        OnUnix.run(stack -> {
            Tcp.FlowHandler firehose = flow -> {
                MemorySegment chunk = MemorySegment.ofArray(new byte[32 * 1024]);
                while (written.get() < total) {
                    flow.write(chunk);
                    written.addAndGet(chunk.byteSize());
                }
                done.countDown();
            };
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, firehose);
                    Socket slow = new Socket()) {
                slow.setReceiveBufferSize(64 * 1024);
                slow.connect(Sockets.address(listener.local()));
                Thread.sleep(1500);
                long stalled = written.get();
                Thread.sleep(500);
                assertEquals(stalled, written.get(), "the writer is parked while nobody reads");
                assertTrue(stalled < 16L * 1024 * 1024, "bounded in-flight data: " + stalled + " bytes");
                InputStream in = slow.getInputStream();
                byte[] sink = new byte[256 * 1024];
                long read = 0;
                int n;
                while ((n = in.read(sink)) >= 0) {
                    read += n;
                }
                assertEquals(total, read, "every byte arrives once the reader reads");
                assertTrue(done.await(10, TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void aResetByThePeerIsAConnectionResetOnRead() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        OnUnix.run(stack -> {
            Tcp.FlowHandler reader = flow -> {
                try {
                    flow.read(Arena.ofAuto().allocate(64));
                    flow.read(Arena.ofAuto().allocate(64));
                } catch (NetworkException e) {
                    seen.set(e);
                } finally {
                    handled.countDown();
                }
            };
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, reader)) {
                Socket aborting = new Socket();
                aborting.connect(Sockets.address(listener.local()));
                aborting.getOutputStream().write(1);
                Thread.sleep(200);
                aborting.setSoLinger(true, 0); // close sends RST
                aborting.close();
                assertTrue(handled.await(10, TimeUnit.SECONDS));
            }
        });
        NetworkException error = (NetworkException) seen.get();
        assertEquals(Reason.CONNECTION_RESET, error.reason(), String.valueOf(error));
    }

    @Test
    void connectingToAClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        OnUnix.run(stack -> {
            NetworkException refused = assertThrows(NetworkException.class,
                    () -> stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, port), Tcp.Options.DEFAULT));
            assertEquals(Reason.CONNECTION_REFUSED, refused.reason(), refused.toString());
        });
    }

    @Test
    void aReadTimeoutEndsAReadThatGetsNoData() throws Exception {
        OnUnix.run(stack -> {
            try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Tcp.Options options = Tcp.Options.DEFAULT.withReadTimeout(Duration.ofMillis(300));
                try (Flow flow = stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, silent.getLocalPort()), options)) {
                    long start = System.nanoTime();
                    NetworkException timeout = assertThrows(NetworkException.class, () -> flow.read(Arena.ofAuto().allocate(8)));
                    assertEquals(Reason.TIMED_OUT, timeout.reason());
                    assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos());
                }
            }
        });
    }

    @Test
    void aWriteTimeoutEndsAWriteToAPeerThatDoesNotRead() throws Exception {
        String ss = Peers.require("ss");
        OnUnix.run(stack -> {
            try (ServerSocket deaf = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Tcp.Options options = Tcp.Options.DEFAULT.withWriteTimeout(Duration.ofMillis(300));
                // Set before accepting, so that the window it announces is whole segments (a buffer much
                // smaller than loopback's 64 KiB segments makes the sender fall back on slow window probes).
                deaf.setReceiveBufferSize(64 * 1024);
                Flow flow = stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, deaf.getLocalPort()), options);
                try (Socket accepted = deaf.accept()) {
                    MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);
                    NetworkException timeout = null;
                    long written = 0;
                    // Kernel buffers on both sides fill first; 1 GiB is far more than they hold.
                    for (int i = 0; i < 16 * 1024 && timeout == null; i++) {
                        try {
                            flow.write(chunk);
                            written += chunk.byteSize();
                        } catch (NetworkException e) {
                            timeout = e;
                        }
                    }
                    assertTrue(timeout != null, "the writer gave up");
                    assertEquals(Reason.TIMED_OUT, timeout.reason());

                    // Closing then gives up on the peer rather than wait for it to read what is still queued:
                    // the socket leaves ESTABLISHED at once (its FIN queued behind what the kernel holds),
                    // although the peer has read nothing. How much was still queued above the kernel's buffers
                    // depends on timing, so the bytes that arrive prove nothing either way; the state does.
                    flow.close();
                    String filter = "( sport = :" + accepted.getPort() + " )";
                    String established = "";
                    for (int poll = 0; poll < 40; poll++) {
                        established = Peers.run(10, new byte[0], ss, "-tnH", "state", "established", filter);
                        if (established.isBlank()) {
                            break;
                        }
                        Thread.sleep(50);
                    }
                    assertEquals("", established.strip(), "the flow's socket is still established after close");
                    accepted.setSoTimeout(10_000);
                    InputStream in = accepted.getInputStream();
                    byte[] sink = new byte[256 * 1024];
                    long read = 0;
                    int n;
                    while ((n = in.read(sink)) >= 0) {
                        read += n;
                    }
                    assertTrue(read <= written, "read " + read + " of " + written);
                } finally {
                    flow.close();
                }
            }
        });
    }

    @Test
    void aConnectTimeoutEndsAConnectNobodyAnswers() throws Exception {
        OnUnix.run(stack -> {
            // A listener whose accept queue is full drops further SYNs, so the handshake never completes.
            try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Endpoint target = new Endpoint(Ipv4Address.LOOPBACK, full.getLocalPort());
                java.util.List<Socket> fillers = new java.util.ArrayList<>();
                try {
                    NetworkException timeout = null;
                    for (int attempt = 0; attempt < 8 && timeout == null; attempt++) {
                        try {
                            stack.tcp().connect(target, Tcp.Options.DEFAULT.withConnectTimeout(Duration.ofMillis(500))).close();
                            Socket filler = new Socket();
                            filler.connect(Sockets.address(target), 500);
                            fillers.add(filler);
                        } catch (NetworkException e) {
                            timeout = e;
                        } catch (java.net.SocketTimeoutException fillerTimedOut) {
                            // The queue is full already; the next Morgana attempt must time out.
                        }
                    }
                    assertTrue(timeout != null, "a connect timed out once the accept queue was full");
                    assertEquals(Reason.TIMED_OUT, timeout.reason(), timeout.toString());
                } finally {
                    for (Socket filler : fillers) {
                        filler.close();
                    }
                }
            }
        });
    }

    @Test
    void aPortCanBeListenedOnOnce() throws Exception {
        OnUnix.run(stack -> {
            try (Tcp.Listener first = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, UnixTcpTest::echo)) {
                NetworkException taken = assertThrows(NetworkException.class,
                        () -> stack.tcp().listen(first.local(), Tcp.Options.DEFAULT, UnixTcpTest::echo));
                assertEquals(Reason.ADDRESS_IN_USE, taken.reason());
            }
        });
    }

    @Test
    void theMorganaClientAndServerExchangeLargePayloadsBothWays() throws Exception {
        byte[] payload = new byte[5 * 1024 * 1024 + 17];
        new java.util.SplittableRandom(7).nextBytes(payload);
        OnUnix.run(stack -> {
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, UnixTcpTest::echo);
                    Flow flow = stack.tcp().connect(listener.local(), Tcp.Options.DEFAULT.withNoDelay(true))) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        flow.write(MemorySegment.ofArray(payload));
                        flow.shutdownOutput();
                    } catch (NetworkException e) {
                        throw new AssertionError(e);
                    }
                });
                byte[] echoed = readToEnd(flow);
                writer.join();
                assertArrayEquals(payload, echoed);
            }
        });
    }

    @Test
    void aServerAnswersAtLengthAfterThePeersFin() throws Exception {
        // The request-FIN-response pattern (nc -N, HTTP/1.0): the answer is far larger than the socket
        // buffers, so the server must still be able to wait for the socket to drain after the peer's FIN.
        byte[] answer = new byte[16 * 1024 * 1024];
        new java.util.SplittableRandom(11).nextBytes(answer);
        OnUnix.run(stack -> {
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, flow -> {
                        MemorySegment buffer = Arena.ofAuto().allocate(1024);
                        while (flow.read(buffer) >= 0) {
                            // the request is read to its end
                        }
                        flow.write(MemorySegment.ofArray(answer));
                    });
                    Socket client = new Socket("127.0.0.1", listener.local().port())) {
                client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertArrayEquals(answer, client.getInputStream().readAllBytes());
            }
        });
    }

    @Test
    void aReaderPausedWhenThePeersFinArrivesStillReadsAndAnswers() throws Exception {
        // More than the read high-water mark arrives, then the FIN, while the handler is not reading yet
        // (one of the cases Netty 4.2.18's epoll mishandles, see StaleEpoll). The request fits in the
        // socket buffers, and the handler only sleeps, so the client never waits for it.
        byte[] request = new byte[4 * NettyFlow.READ_HIGH_WATER];
        new java.util.SplittableRandom(13).nextBytes(request);
        byte[] answer = new byte[16 * 1024 * 1024];
        new java.util.SplittableRandom(17).nextBytes(answer);
        OnUnix.run(stack -> {
            AtomicReference<byte[]> received = new AtomicReference<>();
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, flow -> {
                        Thread.sleep(300);
                        received.set(readToEnd(flow));
                        flow.write(MemorySegment.ofArray(answer));
                    });
                    Socket client = new Socket("127.0.0.1", listener.local().port())) {
                client.getOutputStream().write(request);
                client.shutdownOutput();
                assertArrayEquals(answer, client.getInputStream().readAllBytes());
                assertArrayEquals(request, received.get());
            }
        });
    }

    @Test
    void aServerThatSpeaksAndClosesFirstLosesNothing() throws Exception {
        try (ServerSocket greeter = new ServerSocket(0, 64, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 30; i++) {
                    try (Socket socket = greeter.accept()) {
                        socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            OnUnix.run(stack -> {
                for (int i = 0; i < 30; i++) {
                    try (Flow flow = stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, greeter.getLocalPort()),
                            Tcp.Options.DEFAULT)) {
                        Thread.sleep(i % 3 * 20L); // let the greeting and the FIN arrive before the first read
                        assertEquals("hello\n", new String(readToEnd(flow), StandardCharsets.US_ASCII), "connection " + i);
                    }
                }
            });
            server.join();
        }
    }

    @Test
    void closingWhileThePeerStillSendsDeliversEverythingWeWrote() throws Exception {
        int size = 4 * 1024 * 1024;
        OnUnix.run(stack -> {
            Tcp.FlowHandler writeAndLeave = flow -> flow.write(MemorySegment.ofArray(new byte[size]));
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, writeAndLeave);
                    Socket peer = new Socket()) {
                peer.connect(Sockets.address(listener.local()));
                Thread chatter = Thread.ofVirtual().start(() -> {
                    try {
                        byte[] noise = new byte[64 * 1024];
                        for (int i = 0; i < 128; i++) {
                            peer.getOutputStream().write(noise);
                        }
                        peer.shutdownOutput();
                    } catch (IOException e) {
                        // The server may close once it has read our FIN; nothing to check here.
                    }
                });
                long received = 0;
                byte[] sink = new byte[64 * 1024];
                int n;
                while ((n = peer.getInputStream().read(sink)) >= 0) {
                    received += n;
                }
                chatter.join();
                assertEquals(size, received, "no reset, no byte lost");
            }
        });
    }

    @Test
    void aReaderParkedWhenTheStackStopsGetsAnErrorNotEndOfStream() throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            OnUnix.run(stack -> {
                Flow flow = stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, silent.getLocalPort()), Tcp.Options.DEFAULT);
                Thread.ofVirtual().start(() -> {
                    try {
                        outcome.set(flow.read(Arena.ofAuto().allocate(8)));
                    } catch (NetworkException e) {
                        outcome.set(e);
                    }
                });
                Thread.sleep(200); // the reader parks; then the unikernel ends and the stack stops
            });
            for (int i = 0; i < 100 && outcome.get() == null; i++) {
                Thread.sleep(50);
            }
        }
        NetworkException error = assertInstanceOf(NetworkException.class, outcome.get(), String.valueOf(outcome.get()));
        assertEquals(Reason.CLOSED, error.reason());
    }

    @Test
    void anySegmentCanBeWrittenAndReadInto() throws Exception {
        long[] words = new java.util.SplittableRandom(11).longs(10_000).toArray();
        OnUnix.run(stack -> {
            try (Tcp.Listener listener = stack.tcp().listen(ANY_LOOPBACK, Tcp.Options.DEFAULT, UnixTcpTest::echo);
                    Flow flow = stack.tcp().connect(listener.local(), Tcp.Options.DEFAULT)) {
                flow.write(MemorySegment.ofArray(words));
                flow.shutdownOutput();
                MemorySegment back = MemorySegment.ofArray(new long[words.length]);
                long got = 0;
                int n;
                while (got < back.byteSize() && (n = flow.read(back.asSlice(got))) > 0) {
                    got += n;
                }
                assertEquals(-1, back.mismatch(MemorySegment.ofArray(words)), "long[] segments both ways");
            }
        });
    }

    /** The kernel's own view of our socket options, read back with {@code ss}: keep-alive runs its timer. */
    @Test
    void keepAliveReachesTheSocket() throws Exception {
        String ss = Peers.require("ss");
        try (ServerSocket peer = new ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            OnUnix.run(stack -> {
                Tcp.Options options = Tcp.Options.DEFAULT.withKeepAlive(Duration.ofSeconds(45));
                try (Flow flow = stack.tcp().connect(new Endpoint(Ipv4Address.LOOPBACK, peer.getLocalPort()), options);
                        Socket accepted = peer.accept()) {
                    String sockets = Peers.run(10, new byte[0], ss, "-tnoi", "state", "established",
                            "dport = :" + peer.getLocalPort());
                    assertTrue(sockets.contains("timer:(keepalive,"), sockets);
                    // The first probe is due within the idle time asked for (45 s), not the host's default of 2 h.
                    java.util.regex.Matcher timer = java.util.regex.Pattern.compile("timer:\\(keepalive,(\\d+)(?:min|sec|ms)")
                            .matcher(sockets);
                    assertTrue(timer.find(), sockets);
                    assertTrue(!sockets.contains("keepalive," + timer.group(1) + "min"), "due in seconds, not minutes: " + sockets);
                    assertTrue(accepted.isConnected() && flow.remote().port() == peer.getLocalPort());
                }
            });
        }
    }

    static Flow connectWithRetry(Tcp tcp, Endpoint remote) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return tcp.connect(remote, Tcp.Options.DEFAULT);
            } catch (NetworkException e) {
                if (e.reason() != Reason.CONNECTION_REFUSED || attempt == 100) {
                    throw e;
                }
                Thread.sleep(50); // the peer process is still starting
            }
        }
    }

    static byte[] readToEnd(Flow flow) throws NetworkException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemorySegment buffer = Arena.ofAuto().allocate(64 * 1024);
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            out.write(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, n);
        }
        return out.toByteArray();
    }

}

package dev.morgana.http.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.http.SocketFlow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Morgana's TLS client against Morgana's TLS server over loopback sockets: the Flow contract (data both
 * ways, close_notify as -1, half-close, truncation) and the failures that must stay per connection. The
 * interoperability judges are in {@link OpenSslPeerTest}.
 */
class TlsLoopbackTest {

    static final TlsIdentity LOCALHOST = TlsIdentity.selfSigned("localhost", "127.0.0.1");
    static final TlsIdentity STRANGER = TlsIdentity.selfSigned("localhost");

    private ServerSocket listener;
    private ExecutorService threads;

    @BeforeEach
    void listen() throws IOException {
        listener = SocketFlow.listen();
        threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void close() throws IOException {
        threads.shutdownNow();
        listener.close();
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void dataFlowsBothWaysAndCloseNotifyEndsTheStream(TlsVersion version) throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).applicationProtocols("http/1.1").build();
        Future<Integer> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                assertEquals(version, flow.version());
                assertEquals(Optional.of("http/1.1"), flow.applicationProtocol());
                assertEquals(Optional.of("localhost"), flow.serverName());
                String request = readExactly(flow, 4);
                flow.write(List.of(ascii("pong:"), ascii(request)));   // gathering write
                flow.shutdownOutput();
                return flow.read(MemorySegment.ofArray(new byte[16]));
            }
        });
        TlsClient client = TlsClient.builder(LOCALHOST.chain()).versions(version)
                .applicationProtocols("http/1.1").build();
        try (TlsFlow flow = client.connect(SocketFlow.connect(listener.getLocalPort()), "localhost")) {
            assertEquals(version, flow.version());
            assertEquals(Optional.of("http/1.1"), flow.applicationProtocol());
            assertEquals(Optional.of("localhost"), flow.serverName());
            assertEquals(listener.getLocalPort(), flow.remote().port());
            flow.write(ascii("ping"));
            // The server's close_notify ends the stream cleanly: all its data, then -1, and -1 again.
            assertEquals("pong:ping", readAll(flow));
            assertEquals(-1, flow.read(MemorySegment.ofArray(new byte[16])));
            // No half-close with BC: our side answered that close_notify and is closed for writing.
            assertEquals(NetworkException.Reason.CLOSED,
                    assertThrows(NetworkException.class, () -> flow.write(ascii("late"))).reason());
        }
        assertEquals(-1, served.get(10, TimeUnit.SECONDS), "after its close_notify the server reads -1");
    }

    @Test
    void megabytesGoBothWaysAtOnceWithOneReaderAndOneWriterPerSide() throws Exception {
        byte[] upload = new byte[1 << 20];
        byte[] download = new byte[3 << 19];
        new Random(4).nextBytes(upload);
        new Random(5).nextBytes(download);
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<byte[]> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                Future<Void> writer = threads.submit(() -> {
                    writeInPieces(flow, download);
                    return null;
                });
                byte[] received = readExactlyBytes(flow, upload.length);
                writer.get(10, TimeUnit.SECONDS);
                assertEquals(-1, flow.read(MemorySegment.ofArray(new byte[1])), "the client's close_notify");
                return received;
            }
        });
        TlsClient client = TlsClient.builder(LOCALHOST.chain()).build();
        try (TlsFlow flow = client.connect(SocketFlow.connect(listener.getLocalPort()), "127.0.0.1")) {
            Future<Void> writer = threads.submit(() -> {
                writeInPieces(flow, upload);
                return null;
            });
            assertArrayEquals(download, readExactlyBytes(flow, download.length));
            writer.get(10, TimeUnit.SECONDS);
        }
        assertArrayEquals(upload, served.get(10, TimeUnit.SECONDS));
    }

    @Test
    void shutdownOutputEndsTheSessionInBothDirections() throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<NetworkException> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                assertEquals("last words", readAll(flow));
                return assertThrows(NetworkException.class, () -> flow.write(ascii("reply")));
            }
        });
        try (TlsFlow flow = TlsClient.builder(LOCALHOST.chain()).build()
                .connect(SocketFlow.connect(listener.getLocalPort()), "localhost")) {
            flow.write(ascii("last words"));
            flow.shutdownOutput();
            assertEquals(-1, flow.read(MemorySegment.ofArray(new byte[16])));
        }
        assertEquals(NetworkException.Reason.CLOSED, served.get(10, TimeUnit.SECONDS).reason());
    }

    @Test
    void anUntrustedCertificateFailsBothEndsCleanly() throws Exception {
        Future<NetworkException> served = threads.submit(() -> assertThrows(NetworkException.class,
                () -> TlsServer.builder(STRANGER).build().accept(SocketFlow.accept(listener))));
        SocketFlow plain = SocketFlow.connect(listener.getLocalPort());
        TlsException failure = assertThrows(TlsException.class,
                () -> TlsClient.builder(LOCALHOST.chain()).build().connect(plain, "localhost"));
        assertEquals(NetworkException.Reason.CONNECTION_RESET, failure.reason());
        assertTrue(failure.getMessage().contains("handshake"), failure.getMessage());
        assertTrue(plain.isClosed(), "the plain flow is closed with the failed handshake");
        // The server learns of it from the client's alert, not from a hang.
        assertInstanceOf(TlsException.class, served.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<NetworkException> served = threads.submit(() -> assertThrows(TlsException.class,
                () -> server.accept(SocketFlow.accept(listener))));
        TlsException failure = assertThrows(TlsException.class, () -> TlsClient.builder(LOCALHOST.chain()).build()
                .connect(SocketFlow.connect(listener.getLocalPort()), "example.test"));
        assertTrue(failure.getMessage().contains("handshake"), failure.getMessage());
        assertTrue(served.get(10, TimeUnit.SECONDS).getMessage().contains("handshake"));
    }

    @Test
    void aServerRestrictedToOneNameRefusesAnotherAndGoesOnServing() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost", "other.test");
        TlsServer server = TlsServer.builder(identity).serverNames("localhost").build();
        Future<NetworkException> refused = threads.submit(() -> assertThrows(TlsException.class,
                () -> server.accept(SocketFlow.accept(listener))));
        TlsClient client = TlsClient.builder(identity.chain()).build();
        assertThrows(TlsException.class,
                () -> client.connect(SocketFlow.connect(listener.getLocalPort()), "other.test"));
        assertTrue(refused.get(10, TimeUnit.SECONDS).getMessage().contains("handshake"));

        Future<Optional<String>> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                return flow.serverName();
            }
        });
        try (TlsFlow flow = client.connect(SocketFlow.connect(listener.getLocalPort()), "LOCALHOST")) {
            assertEquals(TlsVersion.TLS_1_3, flow.version());
        }
        assertEquals(Optional.of("localhost"), served.get(10, TimeUnit.SECONDS).map(String::toLowerCase));
    }

    @Test
    void bouncyCastleDoesNotReportEachConnectionAtInfo() throws Exception {
        List<LogRecord> published = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                published.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jsse = Logger.getLogger("org.bouncycastle.jsse");
        jsse.addHandler(capture);
        try {
            TlsServer server = TlsServer.builder(LOCALHOST).build();
            Future<NetworkException> garbage = threads.submit(() -> assertThrows(TlsException.class,
                    () -> server.accept(SocketFlow.accept(listener))));
            try (Socket raw = new Socket("127.0.0.1", listener.getLocalPort())) {
                raw.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                raw.setSoTimeout(SocketFlow.TIMEOUT_MILLIS);
                raw.getInputStream().readAllBytes();
            }
            garbage.get(10, TimeUnit.SECONDS);
        } finally {
            jsse.removeHandler(capture);
        }
        assertEquals(List.of(), published.stream().filter(r -> r.getLevel().intValue() < Level.WARNING.intValue())
                .map(LogRecord::getMessage).toList());
    }

    @Test
    void garbageInsteadOfAClientHelloFailsThatConnectionOnly() throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<NetworkException> garbage = threads.submit(() -> assertThrows(TlsException.class,
                () -> server.accept(SocketFlow.accept(listener))));
        try (Socket raw = new Socket("127.0.0.1", listener.getLocalPort())) {
            raw.setSoTimeout(SocketFlow.TIMEOUT_MILLIS);
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // The server answers with at most an alert record (content type 21) and closes.
            byte[] answer = raw.getInputStream().readAllBytes();
            assertTrue(answer.length == 0 || answer[0] == 21, "an alert or nothing, got " + answer.length + " bytes");
        }
        assertTrue(garbage.get(10, TimeUnit.SECONDS).getMessage().contains("handshake"));

        Future<String> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                flow.write(ascii("still serving"));
                return "ok";
            }
        });
        try (TlsFlow flow = TlsClient.builder(LOCALHOST.chain()).build()
                .connect(SocketFlow.connect(listener.getLocalPort()), "localhost")) {
            assertEquals("still serving", readAll(flow));
        }
        assertEquals("ok", served.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStreamThatEndsWithoutCloseNotifyIsATruncationNotAnEnd() throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<Void> served = threads.submit(() -> {
            SocketFlow plain = SocketFlow.accept(listener);
            TlsFlow flow = server.accept(plain);
            flow.write(ascii("partial"));
            plain.close();   // the TCP connection ends, no close_notify
            return null;
        });
        try (TlsFlow flow = TlsClient.builder(LOCALHOST.chain()).build()
                .connect(SocketFlow.connect(listener.getLocalPort()), "localhost")) {
            served.get(10, TimeUnit.SECONDS);
            MemorySegment buffer = MemorySegment.ofArray(new byte[64]);
            assertEquals("partial", new String(buffer.asSlice(0, flow.read(buffer)).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII));
            TlsException truncated = assertThrows(TlsException.class, () -> flow.read(buffer));
            assertTrue(truncated.getMessage().contains("close_notify"), truncated.getMessage());
        }
    }

    /** A flipped bit in a record's tag is refused (bad_record_mac) by AES-GCM, the JDK's cipher here. */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void aTamperedRecordIsABadRecordMac(TlsVersion version) throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<TlsException> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                assertEquals("intact", readExactly(flow, 6));
                return assertThrows(TlsException.class, () -> readAll(flow));
            }
        });
        TamperingFlow plain = new TamperingFlow(SocketFlow.connect(listener.getLocalPort()));
        try (TlsFlow flow = TlsClient.builder(LOCALHOST.chain()).versions(version).build().connect(plain, "localhost")) {
            assertTrue(flow.version() == version);
            flow.write(ascii("intact"));
            plain.tamperNext = true;
            flow.write(ascii("tampered"));
            TlsException refused = served.get(10, TimeUnit.SECONDS);
            assertTrue(refused.getMessage().contains("bad_record_mac"), refused.getMessage());
        }
    }

    /** Passes everything through, except that it flips the last bit of one write when asked. */
    private static final class TamperingFlow implements Flow {

        private final Flow inner;
        volatile boolean tamperNext;

        TamperingFlow(Flow inner) {
            this.inner = inner;
        }

        @Override
        public dev.morgana.api.net.Endpoint remote() {
            return inner.remote();
        }

        @Override
        public int read(MemorySegment buffer) throws NetworkException {
            return inner.read(buffer);
        }

        @Override
        public void write(MemorySegment data) throws NetworkException {
            if (tamperNext) {
                tamperNext = false;
                byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
                copy[copy.length - 1] ^= 1;
                data = MemorySegment.ofArray(copy);
            }
            inner.write(data);
        }

        @Override
        public void shutdownOutput() throws NetworkException {
            inner.shutdownOutput();
        }

        @Override
        public void shutdownInput() {
            inner.shutdownInput();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void writingAfterShutdownOutputOrCloseIsClosedAndCloseIsIdempotent() throws Exception {
        TlsServer server = TlsServer.builder(LOCALHOST).build();
        Future<String> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                return readAll(flow);
            }
        });
        TlsFlow flow = TlsClient.builder(LOCALHOST.chain()).build()
                .connect(SocketFlow.connect(listener.getLocalPort()), "localhost");
        flow.write(ascii("last words"));
        flow.shutdownOutput();
        assertEquals(NetworkException.Reason.CLOSED,
                assertThrows(NetworkException.class, () -> flow.write(ascii("more"))).reason());
        assertEquals("last words", served.get(10, TimeUnit.SECONDS));
        flow.close();
        flow.close();
        assertEquals(NetworkException.Reason.CLOSED,
                assertThrows(NetworkException.class, () -> flow.read(MemorySegment.ofArray(new byte[1]))).reason());
        assertThrows(IllegalArgumentException.class, () -> flow.read(MemorySegment.ofArray(new byte[0])));
    }

    static MemorySegment ascii(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.US_ASCII));
    }

    static String readAll(Flow flow) throws NetworkException {
        return new String(readAllBytes(flow), StandardCharsets.US_ASCII);
    }

    static byte[] readAllBytes(Flow flow) throws NetworkException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        MemorySegment buffer = MemorySegment.ofArray(new byte[8192]);
        for (int count = flow.read(buffer); count >= 0; count = flow.read(buffer)) {
            all.writeBytes(buffer.asSlice(0, count).toArray(ValueLayout.JAVA_BYTE));
        }
        return all.toByteArray();
    }

    static String readExactly(Flow flow, int count) throws NetworkException {
        return new String(readExactlyBytes(flow, count), StandardCharsets.US_ASCII);
    }

    static byte[] readExactlyBytes(Flow flow, int count) throws NetworkException {
        byte[] all = new byte[count];
        for (int done = 0; done < count; ) {
            int read = flow.read(MemorySegment.ofArray(all).asSlice(done));
            assertTrue(read > 0, "stream ended after " + done + " of " + count + " bytes");
            done += read;
        }
        return all;
    }

    static void writeInPieces(Flow flow, byte[] data) throws NetworkException {
        // Uneven pieces, so that records and writes do not line up.
        for (int offset = 0, piece = 1000; offset < data.length; offset += piece, piece = piece * 7 % 40_000 + 1) {
            flow.write(MemorySegment.ofArray(data).asSlice(offset, Math.min(piece, data.length - offset)));
        }
    }
}

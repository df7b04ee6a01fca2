package dev.morgana.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.http.tls.TlsClient;
import dev.morgana.http.tls.TlsIdentity;
import dev.morgana.http.tls.TlsServer;
import dev.morgana.testing.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP client against Morgana's own server and against raw sockets that send exact bytes (servers that
 * misbehave, stall, or close idle connections).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpClientTest {

    private final RealTime time = new RealTime();
    private final SocketTcp tcp = new SocketTcp();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private Origin serve(HttpHandler handler) throws Exception {
        HttpServer.Running server = new HttpServer(new SocketTcp(), time, time, HttpServer.Options.DEFAULT)
                .serve(new Endpoint(Ipv4Address.LOOPBACK, 0), handler);
        resources.add(server);
        return Origin.http(server.local());
    }

    private HttpClient client(HttpClient.Options options) {
        HttpClient client = new HttpClient(tcp, time, options);
        resources.add(client);
        return client;
    }

    static String text(ClientResponse response) throws NetworkException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void keepsOneConnectionAliveAcrossRequests() throws Exception {
        Origin origin = serve(HttpServerTest::echo);
        HttpClient client = client(HttpClient.Options.DEFAULT);
        for (int i = 0; i < 5; i++) {
            ClientResponse response = client.send(origin, ClientRequest.get("/n?" + i));
            assertEquals(200, response.status());
            assertEquals("text/plain; charset=utf-8", response.headers().first("content-type").orElseThrow());
            assertEquals("GET /n?" + i + " 0\n", text(response));
            response.close(); // twice: the connection goes back to the pool once
        }
        assertEquals(1, tcp.connects.get());
        // Two at once: had the connection been pooled twice, both would share it and one would fail.
        ClientResponse first = client.send(origin, ClientRequest.get("/first"));
        ClientResponse second = client.send(origin, ClientRequest.get("/second"));
        assertEquals("GET /first 0\n", text(first));
        assertEquals("GET /second 0\n", text(second));
        assertEquals(2, tcp.connects.get());
    }

    @Test
    void sendsABodyWithItsLengthAndTheHostField() throws Exception {
        Origin origin = serve(request -> HttpResponse.text(200, request.headers().first("host").orElseThrow() + " "
                + request.headers().first("content-length").orElseThrow() + " "
                + new String(request.body().readAllBytes(), StandardCharsets.UTF_8)));
        HttpClient client = client(HttpClient.Options.DEFAULT);
        ClientRequest post = ClientRequest.of("POST", "/form", Headers.of("Content-Type", "text/plain"),
                MemorySegment.ofArray("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("127.0.0.1:" + origin.endpoint().port() + " 5 hello", text(client.send(origin, post)));
        ClientRequest empty = ClientRequest.of("PUT", "/x", Headers.of(), MemorySegment.NULL);
        assertEquals("127.0.0.1:" + origin.endpoint().port() + " 0 ", text(client.send(origin, empty)));
    }

    @Test
    void streamsARequestBodyChunked() throws Exception {
        Origin origin = serve(request -> HttpResponse.text(200, request.headers().first("transfer-encoding").orElseThrow()
                + " " + new String(request.body().readAllBytes(), StandardCharsets.UTF_8)));
        HttpClient client = client(HttpClient.Options.DEFAULT);
        ClientRequest upload = ClientRequest.streaming("PUT", "/up", Headers.of(), sink -> {
            for (int i = 0; i < 3; i++) {
                sink.write(MemorySegment.ofArray(("part" + i + ";").getBytes(StandardCharsets.UTF_8)));
            }
            sink.write(MemorySegment.NULL); // nothing: not a last chunk
        });
        assertEquals("chunked part0;part1;part2;", text(client.send(origin, upload)));
        assertEquals("chunked part0;part1;part2;", text(client.send(origin, upload)));
        assertEquals(1, tcp.connects.get());
    }

    @Test
    void aStreamedRequestThatFailsMidwayFailsTheExchange() throws Exception {
        Origin origin = serve(HttpServerTest::echo);
        ClientRequest upload = ClientRequest.streaming("POST", "/up", Headers.of(), sink -> {
            sink.write(MemorySegment.ofArray(new byte[] {1}));
            throw new IllegalStateException("the source ran dry");
        });
        NetworkException e = assertThrows(NetworkException.class, () -> client(HttpClient.Options.DEFAULT).send(origin, upload));
        assertEquals("the body failed midway: java.lang.IllegalStateException: the source ran dry", e.getMessage());
    }

    @Test
    void readsAChunkedBodyOfManyChunksAndReusesItsConnection() throws Exception {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Origin origin = serve(request -> HttpResponse.streaming(200, Headers.of(), sink -> {
            for (int at = 0; at < data.length; at += 777) {
                sink.write(MemorySegment.ofArray(data).asSlice(at, Math.min(777, data.length - at)));
            }
        }));
        HttpClient client = client(HttpClient.Options.DEFAULT);
        for (int i = 0; i < 2; i++) {
            try (ClientResponse response = client.send(origin, ClientRequest.get("/stream"))) {
                assertTrue(response.headers().hasToken("transfer-encoding", "chunked"));
                assertArrayEquals(data, response.body().readAllBytes());
                assertEquals(-1, response.body().read(MemorySegment.ofArray(new byte[1])));
            }
        }
        assertEquals(1, tcp.connects.get());
    }

    @Test
    void headAndNotModifiedHaveNoBodyWhateverTheirLengthSays() throws Exception {
        Origin origin = serve(request -> request.headers().first("if-none-match").isPresent()
                ? HttpResponse.of(304) : HttpResponse.text(200, "x".repeat(100)));
        HttpClient client = client(HttpClient.Options.DEFAULT);
        ClientResponse head = client.send(origin, ClientRequest.of("HEAD", "/", Headers.of(), MemorySegment.NULL));
        assertEquals("100", head.headers().first("content-length").orElseThrow());
        assertEquals("", text(head));
        ClientResponse notModified = client.send(origin, ClientRequest.get("/").with("If-None-Match", "\"x\""));
        assertEquals(304, notModified.status());
        assertEquals("", text(notModified));
        assertEquals("x".repeat(100), text(client.send(origin, ClientRequest.get("/"))));
        assertEquals(1, tcp.connects.get());
    }

    @Test
    void aResponseClosedBeforeItsEndTakesItsConnectionAlong() throws Exception {
        Origin origin = serve(request -> HttpResponse.text(200, "y".repeat(100_000)));
        HttpClient client = client(HttpClient.Options.DEFAULT);
        ClientResponse response = client.send(origin, ClientRequest.get("/big"));
        assertEquals(10, response.body().read(MemorySegment.ofArray(new byte[10])));
        response.close();
        assertThrows(IllegalStateException.class, () -> response.body().read(MemorySegment.ofArray(new byte[10])));
        assertEquals(100_000, text(client.send(origin, ClientRequest.get("/big"))).length());
        assertEquals(2, tcp.connects.get());
    }

    @Test
    void aBodyDelimitedByTheEndOfTheConnectionIsReadToItAndNotPooled() throws Exception {
        RawServer server = raw(2, (in, out) -> {
            readHead(in);
            out.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end".getBytes(StandardCharsets.US_ASCII));
        });
        HttpClient client = client(HttpClient.Options.DEFAULT);
        assertEquals("until the end", text(client.send(server.origin(), ClientRequest.get("/"))));
        assertEquals("until the end", text(client.send(server.origin(), ClientRequest.get("/"))));
        assertEquals(2, tcp.connects.get());
    }

    @Test
    void skipsInterimResponses() throws Exception {
        RawServer server = raw(1, (in, out) -> {
            readHead(in);
            out.write(("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
        });
        ClientResponse response = client(HttpClient.Options.DEFAULT).send(server.origin(), ClientRequest.get("/"));
        assertEquals(201, response.status());
        assertEquals("ok", text(response));
    }

    @Test
    void aMalformedResponseFailsAsAProtocolError() throws Exception {
        String[] answers = {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
            "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
            "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        };
        for (String answer : answers) {
            RawServer server = raw(1, (in, out) -> {
                readHead(in);
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
            });
            HttpClient client = client(HttpClient.Options.DEFAULT);
            assertThrows(HttpProtocolException.class, () -> client.send(server.origin(), ClientRequest.get("/")), answer);
        }
    }

    @Test
    void aMalformedChunkedBodyFailsWhenRead() throws Exception {
        RawServer server = raw(1, (in, out) -> {
            readHead(in);
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        try (ClientResponse response = client(HttpClient.Options.DEFAULT).send(server.origin(), ClientRequest.get("/"))) {
            HttpProtocolException e = assertThrows(HttpProtocolException.class, () -> response.body().readAllBytes());
            assertEquals(Reason.CONNECTION_RESET, e.reason());
        }
    }

    @Test
    void aBodyCutShortFailsRatherThanEndingEarly() throws Exception {
        RawServer server = raw(1, (in, out) -> {
            readHead(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".getBytes(StandardCharsets.US_ASCII));
        });
        try (ClientResponse response = client(HttpClient.Options.DEFAULT).send(server.origin(), ClientRequest.get("/"))) {
            NetworkException e = assertThrows(NetworkException.class, () -> response.body().readAllBytes());
            assertEquals("the server closed the connection 5 bytes before the end of the body", e.getMessage());
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        RawServer server = raw(1, (in, out) -> {
            readHead(in);
            in.read(); // until the client gives up and closes
        });
        HttpClient client = client(HttpClient.Options.DEFAULT.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofSeconds(5)));
        long start = System.nanoTime();
        NetworkException e = assertThrows(NetworkException.class, () -> client.send(server.origin(), ClientRequest.get("/")));
        assertEquals(Reason.TIMED_OUT, e.reason());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void anIdempotentRequestOnAConnectionTheServerClosedWhileIdleIsSentAgain() throws Exception {
        // Each connection answers one request as if kept alive, then closes: the pool holds a dead one.
        RawServer server = raw(3, (in, out) -> {
            readHead(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        });
        HttpClient client = client(HttpClient.Options.DEFAULT);
        assertEquals("ok", text(client.send(server.origin(), ClientRequest.get("/"))));
        assertEquals("ok", text(client.send(server.origin(), ClientRequest.get("/"))));
        assertEquals(2, tcp.connects.get());
        // A POST might have been acted on: it is not sent twice.
        ClientRequest post = ClientRequest.of("POST", "/", Headers.of(), MemorySegment.ofArray(new byte[] {1}));
        NetworkException e = assertThrows(NetworkException.class, () -> client.send(server.origin(), post));
        assertEquals("the server closed the connection without answering", e.getMessage());
        assertEquals(2, tcp.connects.get());
    }

    @Test
    void idleConnectionsExpireAndTheirNumberIsBounded() throws Exception {
        Origin origin = serve(HttpServerTest::echo);
        VirtualClock clock = new VirtualClock();
        HttpClient client = new HttpClient(tcp, clock, HttpClient.Options.DEFAULT.withPool(1, Duration.ofSeconds(5)));
        resources.add(client);
        text(client.send(origin, ClientRequest.get("/")));
        clock.advance(Duration.ofSeconds(4));
        text(client.send(origin, ClientRequest.get("/")));
        assertEquals(1, tcp.connects.get());
        clock.advance(Duration.ofSeconds(6));
        text(client.send(origin, ClientRequest.get("/")));
        assertEquals(2, tcp.connects.get());
        // Two at once need two connections; only one of them is kept.
        ClientResponse first = client.send(origin, ClientRequest.get("/1"));
        ClientResponse second = client.send(origin, ClientRequest.get("/2"));
        text(first);
        text(second);
        assertEquals(3, tcp.connects.get());
        text(client.send(origin, ClientRequest.get("/")));
        text(client.send(origin, ClientRequest.get("/")));
        assertEquals(3, tcp.connects.get());
        client.close();
        assertThrows(IllegalStateException.class, () -> client.send(origin, ClientRequest.get("/")));
    }

    @Test
    void redirectsAreReturnedUnlessAskedToFollowThemWithinTheOrigin() throws Exception {
        Origin origin = serve(request -> switch (request.path()) {
            case "/old" -> HttpResponse.of(301, Headers.of("Location", "/new?a=1"), MemorySegment.NULL);
            case "/form" -> HttpResponse.of(303, Headers.of("Location", "done"), MemorySegment.NULL);
            case "/moved" -> HttpResponse.of(307, Headers.of("Location", "/new"), MemorySegment.NULL);
            case "/loop" -> HttpResponse.of(302, Headers.of("Location", "/loop"), MemorySegment.NULL);
            case "/away" -> HttpResponse.of(302, Headers.of("Location", "http://example.org/"), MemorySegment.NULL);
            default -> HttpServerTest.echo(request);
        });
        ClientResponse unfollowed = client(HttpClient.Options.DEFAULT).send(origin, ClientRequest.get("/old"));
        assertEquals(301, unfollowed.status());
        assertEquals("/new?a=1", unfollowed.headers().first("location").orElseThrow());
        unfollowed.close();

        HttpClient following = client(HttpClient.Options.DEFAULT.withRedirects(3));
        assertEquals("GET /new?a=1 0\n", text(following.send(origin, ClientRequest.get("/old"))));
        ClientRequest post = ClientRequest.of("POST", "/form", Headers.of(), MemorySegment.ofArray(new byte[] {1, 2}));
        assertEquals("GET /done 0\n", text(following.send(origin, post.with("Content-Type", "x/y"))));
        ClientRequest moved = ClientRequest.of("POST", "/moved", Headers.of(), MemorySegment.ofArray(new byte[] {1, 2}));
        assertEquals("POST /new 2\n\u0001\u0002", text(following.send(origin, moved)));
        ClientResponse streamed = following.send(origin, ClientRequest.streaming("POST", "/moved", Headers.of(), sink -> { }));
        assertEquals(307, streamed.status(), "a streamed body cannot be sent again");
        streamed.close();
        ClientResponse loop = following.send(origin, ClientRequest.get("/loop"));
        assertEquals(302, loop.status());
        loop.close();
        ClientResponse away = following.send(origin, ClientRequest.get("/away"));
        assertEquals("http://example.org/", away.headers().first("location").orElseThrow());
        away.close();
    }

    @Test
    void speaksHttpsWithACertificateItTrusts() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        HttpServer.Running server = new HttpServer(new SocketTcp(), time, time, HttpServer.Options.DEFAULT)
                .serve(new Endpoint(Ipv4Address.LOOPBACK, 0), TlsServer.builder(identity).build(), HttpServerTest::echo);
        resources.add(server);
        Origin origin = Origin.https("localhost", server.local());
        HttpClient client = client(HttpClient.Options.DEFAULT.withTls(TlsClient.builder(identity.chain()).build()));
        assertEquals("GET /secret 0\n", text(client.send(origin, ClientRequest.get("/secret"))));
        assertEquals("GET /again 0\n", text(client.send(origin, ClientRequest.get("/again"))));
        assertEquals(1, tcp.connects.get());
        HttpClient plainOnly = client(HttpClient.Options.DEFAULT);
        assertThrows(IllegalStateException.class, () -> plainOnly.send(origin, ClientRequest.get("/")));
        HttpClient otherName = client(HttpClient.Options.DEFAULT.withTls(TlsClient.builder(identity.chain()).build()));
        NetworkException e = assertThrows(NetworkException.class,
                () -> otherName.send(Origin.https("elsewhere", server.local()), ClientRequest.get("/")));
        assertInstanceOf(dev.morgana.http.tls.TlsException.class, e);
    }

    @Test
    void refusesRequestsItCannotSendSafely() {
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("no-slash"));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("/a b"));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("/").with("Host", "x"));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("/").with("Content-Length", "1"));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.of("CONNECT", "/", Headers.of(), MemorySegment.NULL));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.of("G T", "/", Headers.of(), MemorySegment.NULL));
        assertThrows(IllegalArgumentException.class, () -> Origin.http("bad host", new Endpoint(Ipv4Address.LOOPBACK, 1)));
        assertEquals("http://localhost", Origin.http("localhost", new Endpoint(Ipv4Address.LOOPBACK, 80)).toString());
    }

    // A raw server: accepts `connections` connections one after another and runs `exchange` on each.

    interface Exchange {
        void run(InputStream in, java.io.OutputStream out) throws IOException;
    }

    record RawServer(Origin origin) {}

    private RawServer raw(int connections, Exchange exchange) throws IOException {
        ServerSocket listener = SocketFlow.listen();
        listener.setSoTimeout(20_000);
        resources.add(listener);
        Thread thread = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < connections; i++) {
                try (Socket socket = listener.accept()) {
                    socket.setSoTimeout(10_000);
                    exchange.run(socket.getInputStream(), socket.getOutputStream());
                    socket.shutdownOutput();
                    socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // the client went away: next connection
                }
            }
        });
        resources.add(thread::interrupt);
        return new RawServer(Origin.http(new Endpoint(Ipv4Address.LOOPBACK, listener.getLocalPort())));
    }

    /** Reads a request head (and no body) off {@code in}. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside a head");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}

package dev.morgana.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.tls.TlsIdentity;
import dev.morgana.http.tls.TlsServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP server against real clients on loopback: curl, and raw sockets with exact bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerTest {

    private final RealTime time = new RealTime();
    private HttpServer.Running server;

    /** Answers with the method, target, body length and body, so that tests can see what arrived. */
    static HttpResponse echo(HttpRequest request) throws Exception {
        byte[] body = request.body().readAllBytes();
        String text = request.method() + " " + request.target() + " " + body.length + "\n"
                + new String(body, StandardCharsets.UTF_8);
        return HttpResponse.text(200, text);
    }

    @BeforeEach
    void start() throws Exception {
        server = start(HttpServer.Options.DEFAULT.withBody(64 * 1024).withHeadTimeout(Duration.ofMillis(500))
                        .withBodyTimeout(Duration.ofMillis(500)),
                HttpServerTest::echo);
    }

    HttpServer.Running start(HttpServer.Options options, HttpHandler handler) throws Exception {
        return new HttpServer(new SocketTcp(), time, time, options).serve(new Endpoint(Ipv4Address.LOOPBACK, 0), handler);
    }

    @AfterEach
    void stop() {
        server.close(Duration.ofSeconds(1));
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.local().port() + path;
    }

    static String run(String... command) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "curl finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void curlKeepsTheConnectionAliveAcrossRequests() throws Exception {
        String output = run("curl", "-sS", "-v", url("/a"), url("/b?x=1"));
        assertTrue(output.contains("GET /a 0\n"), output);
        assertTrue(output.contains("GET /b?x=1 0\n"), output);
        assertTrue(output.contains("Re-using existing connection") || output.contains("Reusing existing"), output);
        assertTrue(output.contains("< Server: Morgana"), output);
        assertTrue(Pattern.compile("< Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT")
                .matcher(output).find(), "an IMF-fixdate: " + output);
    }

    @Test
    void curlSendsABodyAfter100Continue(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("body");
        Files.writeString(file, "x".repeat(5000));
        String output = run("curl", "-sS", "-v", "-H", "Expect: 100-continue", "--data-binary", "@" + file, url("/upload"));
        assertTrue(output.contains("HTTP/1.1 100 Continue"), output);
        assertTrue(output.contains("POST /upload 5000\n"), output);
    }

    @Test
    void curlUploadsChunked(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("body");
        Files.writeString(file, "hello chunked world");
        String output = run("curl", "-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, url("/c"));
        assertEquals("POST /c 19\nhello chunked world", output);
    }

    @Test
    void headAnswersWithTheLengthAndNoBody() throws Exception {
        String response = exchange("HEAD /h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.contains("Content-Length: 10\r\n"), response); // "HEAD /h 0\n", as GET would send
        assertTrue(response.endsWith("\r\n\r\n"), "no body: " + response);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String response = exchange("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        int first = response.indexOf("GET /1 0\n");
        int second = response.indexOf("POST /2 3\nabc");
        int third = response.indexOf("GET /3 0\n");
        assertTrue(first >= 0 && second > first && third > second, response);
        assertTrue(response.contains("Connection: close\r\n"), response);
    }

    @Test
    void http10ClosesUnlessAskedToKeepAliveAndKnowsNoExpect() throws Exception {
        String response = exchange("GET /old HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.contains("Connection: close\r\n"), response);
        assertFalse(response.contains("100 Continue"), response);
        String kept = exchange("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n");
        assertTrue(kept.contains("GET /1 0\n") && kept.contains("GET /2 0\n"), kept);
        assertTrue(kept.contains("Connection: keep-alive\r\n"), "an HTTP/1.0 client closes otherwise: " + kept);
    }

    @Test
    void aStreamedResponseToHttp10EndsTheConnectionAndNothingAfterItRuns() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> {
            calls.incrementAndGet();
            return HttpResponse.streaming(200, Headers.of(),
                    sink -> sink.write(MemorySegment.ofArray("streamed".getBytes(StandardCharsets.US_ASCII))));
        });
        String response = exchange("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPOST /charge HTTP/1.0\r\n\r\n");
        assertTrue(response.contains("Connection: close\r\n") && response.endsWith("\r\n\r\nstreamed"), response);
        assertEquals(1, calls.get(), "the body ends with the connection, so no request may follow it");
    }

    @Test
    void pipelinedRequestsSurviveBodiesReadOrNot() throws Exception {
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> HttpResponse.text(200, request.target() + "\n"));
        String response = exchange("POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\nPOST /length HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        int chunked = response.indexOf("/chunked\n");
        int length = response.indexOf("/length\n");
        int last = response.indexOf("/last\n");
        assertTrue(chunked > 0 && length > chunked && last > length, "unread bodies are skipped exactly: " + response);
    }

    @Test
    void aHandlerReturningNothingGets500() throws Exception {
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> null);
        assertTrue(exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").startsWith("HTTP/1.1 500 "));
    }

    @Test
    void aFailingHandlerGets500AndTheConnectionCloses() throws Exception {
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> {
            throw new IllegalStateException("broken");
        });
        String response = exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /never HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 500 Internal Server Error\r\n"), response);
        assertTrue(response.contains("Connection: close\r\n"), response);
        assertEquals(1, response.split("HTTP/1.1 ", -1).length - 1, "one response only: " + response);
    }

    @Test
    void refusesSmugglingAndOversizedRequestsAndCloses() throws Exception {
        assertRefused(400, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
        assertRefused(501, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assertRefused(505, "GET / HTTP/2.0\r\nHost: h\r\n\r\n");
        assertRefused(414, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertRefused(431, "GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(40_000) + "\r\n\r\n");
        assertRefused(413, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n");
        assertRefused(413, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("ffff\r\n" + "z".repeat(0xffff) + "\r\n").repeat(2) + "0\r\n\r\n");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertRefused(417, "GET / HTTP/1.1\r\nHost: h\r\nExpect: a-pony\r\n\r\n");
    }

    @Test
    void aSlowHeadIsCutOff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.local().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost:".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
            long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(waited >= 400 && waited < 5000, "closed after the head timeout: " + waited + " ms");
        }
    }

    @Test
    void servesHttpsWithKeepAliveAndShrugsOffAPlainTextClient(@TempDir Path folder) throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = folder.resolve("ca.pem");
        Files.writeString(ca, identity.chainPem());
        server.close(Duration.ZERO);
        server = new HttpServer(new SocketTcp(), time, time, HttpServer.Options.DEFAULT).serve(
                new Endpoint(Ipv4Address.LOOPBACK, 0), TlsServer.builder(identity).applicationProtocols("http/1.1").build(),
                HttpServerTest::echo);
        int port = server.local().port();
        String plain = exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertFalse(plain.contains("HTTP/1.1"), "no HTTP answer to plain text on the TLS port: " + plain);
        String output = run("curl", "-sS", "-v", "--http1.1", "--cacert", ca.toString(), "--resolve",
                "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/a", "https://localhost:" + port + "/b");
        assertTrue(output.contains("GET /a 0\n") && output.contains("GET /b 0\n"), output);
        assertTrue(output.contains("Re-using existing connection") || output.contains("Reusing existing"), output);
        assertTrue(output.contains("ALPN: server accepted http/1.1") || output.contains("ALPN, server accepted"), output);
    }

    @Test
    void aStalledBodyIsCutOff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.local().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
            long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(waited >= 400 && waited < 5000, "closed after the body timeout: " + waited + " ms");
        }
    }

    @Test
    void acceptedFlowsGetTheWriteTimeout() throws Exception {
        List<Tcp.Options> seen = new ArrayList<>();
        Tcp recording = new Tcp() {
            @Override
            public Listener listen(Endpoint local, Options options, FlowHandler handler) throws NetworkException {
                seen.add(options);
                return new SocketTcp().listen(local, options, handler);
            }

            @Override
            public Flow connect(Endpoint remote, Options options) {
                throw new UnsupportedOperationException();
            }
        };
        try (HttpServer.Running running = new HttpServer(recording, time, time,
                HttpServer.Options.DEFAULT.withWriteTimeout(Duration.ofMillis(1500))).serve(
                        new Endpoint(Ipv4Address.LOOPBACK, 0), HttpServerTest::echo)) {
            assertTrue(running.local().port() > 0);
            assertEquals(List.of(Optional.of(Duration.ofMillis(1500))), seen.stream().map(Tcp.Options::writeTimeout).toList());
            assertTrue(seen.getFirst().noDelay());
        }
        assertEquals(Duration.ofSeconds(30), HttpServer.Options.DEFAULT.writeTimeout());
    }

    @Test
    void eachRequestSeesItsOwnFieldsWhenTheyRepeatOrChange() throws Exception {
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> HttpResponse.text(200, request.target() + " " + request.headers()));
        String response = exchange("GET /a HTTP/1.1\r\nHost: h\r\nX-Tag: ab\r\n\r\n"
                + "GET /a HTTP/1.1\r\nHost: h\r\nX-Tag: ab\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: h\r\nX-Tag: cd\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: h\r\nX-Other: cd\r\nAccept: */*\r\n\r\n"
                + "GET /c HTTP/1.1\r\nhost: h\r\nConnection: close\r\n\r\n");
        List<String> bodies = new ArrayList<>();
        for (String part : response.split("HTTP/1.1 200 OK\r\n")) {
            if (!part.isEmpty()) {
                bodies.add(part.substring(part.indexOf("\r\n\r\n") + 4));
            }
        }
        assertEquals(List.of("/a host: h\nx-tag: ab\n", "/a host: h\nx-tag: ab\n", "/b host: h\nx-tag: cd\n",
                "/b host: h\nx-other: cd\naccept: */*\n", "/c host: h\nconnection: close\n"), bodies);
    }

    @Test
    void headsAndBodiesLargerThanTheFirstBufferArriveWhole() throws Exception {
        String large = "v".repeat(20_000);
        String response = exchange("POST /big HTTP/1.1\r\nHost: h\r\nX-Large: " + large + "\r\nContent-Length: 60000\r\n\r\n"
                + "b".repeat(60_000) + "GET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(response.contains("POST /big 60000\n" + "b".repeat(60_000)), response.substring(0, 200));
        assertTrue(response.contains("GET /next 0\n"), "the pipelined request after them");
    }

    @Test
    void streamsAChunkedResponse() throws Exception {
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> HttpResponse.streaming(200, Headers.of(), sink -> {
            for (int i = 0; i < 3; i++) {
                sink.write(MemorySegment.ofArray(("part " + i + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
        }));
        String raw = exchange("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(raw.contains("Transfer-Encoding: chunked\r\n"), raw);
        assertTrue(raw.endsWith("\r\n\r\n7\r\npart 0\n\r\n7\r\npart 1\n\r\n7\r\npart 2\n\r\n0\r\n\r\n"), raw);
        assertEquals("part 0\npart 1\npart 2\n", run("curl", "-sS", url("/")));
    }

    @Test
    void closingLetsTheRequestInProgressFinish() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        server.close(Duration.ZERO);
        server = start(HttpServer.Options.DEFAULT, request -> {
            inHandler.countDown();
            Thread.sleep(300);
            return HttpResponse.text(200, "finished\n");
        });
        List<String> answer = new ArrayList<>();
        Thread client = Thread.ofVirtual().start(() -> {
            try {
                answer.add(exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
            } catch (IOException e) {
                answer.add(e.toString());
            }
        });
        assertTrue(inHandler.await(10, TimeUnit.SECONDS));
        server.close(Duration.ofSeconds(5));
        assertTrue(client.join(Duration.ofSeconds(10)));
        assertTrue(answer.getFirst().endsWith("finished\n"), answer.getFirst());
        assertTrue(answer.getFirst().contains("Connection: close\r\n"), "the last response on it: " + answer.getFirst());
    }

    private void assertRefused(int status, String request) throws IOException {
        String response = exchange(request);
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), status + " for " + request.lines().findFirst()
                + ": " + response.substring(0, Math.min(200, response.length())));
        assertTrue(response.contains("Connection: close\r\n"), response);
    }

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.local().port())) {
            socket.setSoTimeout(10_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // the server closed first, as it may after a refusal
                }
            });
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return response;
        }
    }
}

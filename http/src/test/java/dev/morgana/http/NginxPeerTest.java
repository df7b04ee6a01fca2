package dev.morgana.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client against a real server: Debian's nginx on loopback, in a single process of its own with a
 * configuration written for each test — keep-alive with a request limit (so nginx closes the connection
 * itself), a short idle timeout on a second port (so the pool holds connections nginx has closed), gzip
 * (so bodies come chunked), ranges, conditionals and a directory redirect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxPeerTest {

    private static final int ATTEMPTS = 5;

    @TempDir
    Path root;

    private Process nginx;
    private int port;
    private int shortIdlePort;
    private final byte[] file = new byte[1024];
    private final RealTime time = new RealTime();
    private final SocketTcp tcp = new SocketTcp();
    private HttpClient client;

    @BeforeEach
    void startNginx() throws Exception {
        Path binary = Path.of("/usr/sbin/nginx");
        if (!Files.isExecutable(binary)) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("nginx is missing; .ci/run installs it");
            }
            Assumptions.abort("nginx is not installed");
        }
        Path www = Files.createDirectories(root.resolve("www"));
        new Random(1).nextBytes(file);
        Files.write(www.resolve("file.bin"), file);
        Files.writeString(www.resolve("page.txt"), "a line of text that compresses well\n".repeat(2000));
        Files.writeString(Files.createDirectories(www.resolve("dir")).resolve("index.html"), "<p>the index</p>\n");
        Files.createDirectories(root.resolve("logs"));
        // A port taken by someone else between choosing and binding it: choose again.
        for (int attempt = 1; nginx == null; attempt++) {
            port = freePort();
            shortIdlePort = freePort();
            Files.writeString(root.resolve("nginx.conf"), configuration());
            Process process = new ProcessBuilder(binary.toString(), "-p", root.toString(), "-c", root.resolve("nginx.conf").toString(),
                    "-e", root.resolve("logs/error.log").toString())
                    .redirectErrorStream(true).redirectOutput(root.resolve("logs/out.log").toFile()).start();
            if (listening(process, port) && listening(process, shortIdlePort)) {
                nginx = process;
            } else {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                if (attempt == ATTEMPTS) {
                    throw new AssertionError("nginx did not start: " + Files.readString(root.resolve("logs/error.log")));
                }
            }
        }
        client = new HttpClient(tcp, time, HttpClient.Options.DEFAULT);
    }

    @AfterEach
    void stopNginx() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private String configuration() {
        String temp = root.resolve("logs").toString();
        return """
                worker_processes 1;
                master_process off;
                daemon off;
                pid %1$s/nginx.pid;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
                  uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  default_type application/octet-stream;
                  types { text/plain txt; text/html html; }
                  keepalive_requests 3;
                  gzip on; gzip_types text/plain; gzip_min_length 1;
                  server {
                    listen 127.0.0.1:%2$d;
                    root %3$s;
                    add_header X-Connection $connection always;
                    add_header X-Requests $connection_requests always;
                  }
                  server {
                    listen 127.0.0.1:%4$d;
                    root %3$s;
                    keepalive_timeout 300ms;
                    add_header X-Connection $connection always;
                  }
                }
                """.formatted(temp, port, root.resolve("www"), shortIdlePort);
    }

    private Origin origin() {
        return Origin.http(new Endpoint(Ipv4Address.LOOPBACK, port));
    }

    @Test
    void keepsAliveUntilNginxClosesAndThenOpensAnother() throws Exception {
        String firstConnection = null;
        for (int request = 1; request <= 3; request++) {
            try (ClientResponse response = client.send(origin(), ClientRequest.get("/file.bin"))) {
                assertEquals(200, response.status());
                assertEquals(String.valueOf(request), response.headers().first("x-requests").orElseThrow());
                String connection = response.headers().first("x-connection").orElseThrow();
                if (firstConnection == null) {
                    firstConnection = connection;
                }
                assertEquals(firstConnection, connection, "request " + request + " on the first connection");
                assertArrayEquals(file, response.body().readAllBytes());
            }
        }
        // The third answer said Connection: close (keepalive_requests 3): the fourth needs a new connection.
        try (ClientResponse response = client.send(origin(), ClientRequest.get("/file.bin"))) {
            assertNotEquals(firstConnection, response.headers().first("x-connection").orElseThrow());
            assertEquals("1", response.headers().first("x-requests").orElseThrow());
            assertArrayEquals(file, response.body().readAllBytes());
        }
        assertEquals(2, tcp.connects.get());
    }

    @Test
    void readsAGzippedBodyThatComesChunked() throws Exception {
        try (ClientResponse response = client.send(origin(), ClientRequest.get("/page.txt").with("Accept-Encoding", "gzip"))) {
            assertEquals(200, response.status());
            assertTrue(response.headers().hasToken("transfer-encoding", "chunked"), response.headers().toString());
            assertEquals("gzip", response.headers().first("content-encoding").orElseThrow());
            byte[] compressed = response.body().readAllBytes();
            byte[] text = new GZIPInputStream(new ByteArrayInputStream(compressed)).readAllBytes();
            assertEquals("a line of text that compresses well\n".repeat(2000), new String(text, StandardCharsets.US_ASCII));
        }
        // The chunked body was read to its end: the connection carries the next request.
        try (ClientResponse response = client.send(origin(), ClientRequest.get("/file.bin"))) {
            assertEquals("2", response.headers().first("x-requests").orElseThrow());
            response.body().readAllBytes();
        }
    }

    @Test
    void headRangesAndConditionals() throws Exception {
        String etag;
        try (ClientResponse head = client.send(origin(), ClientRequest.of("HEAD", "/file.bin", Headers.of(), MemorySegment.NULL))) {
            assertEquals(200, head.status());
            assertEquals("1024", head.headers().first("content-length").orElseThrow());
            assertEquals(0, head.body().readAllBytes().length);
            etag = head.headers().first("etag").orElseThrow();
        }
        try (ClientResponse range = client.send(origin(), ClientRequest.get("/file.bin").with("Range", "bytes=10-19"))) {
            assertEquals(206, range.status());
            assertEquals("bytes 10-19/1024", range.headers().first("content-range").orElseThrow());
            assertArrayEquals(java.util.Arrays.copyOfRange(file, 10, 20), range.body().readAllBytes());
        }
        try (ClientResponse notModified = client.send(origin(), ClientRequest.get("/file.bin").with("If-None-Match", etag))) {
            assertEquals(304, notModified.status());
            assertEquals(0, notModified.body().readAllBytes().length);
        }
        assertEquals(1, tcp.connects.get());
    }

    @Test
    void followsTheDirectoryRedirectOnlyWhenAsked() throws Exception {
        try (ClientResponse redirect = client.send(origin(), ClientRequest.get("/dir"))) {
            assertEquals(301, redirect.status());
            assertEquals("http://127.0.0.1:" + port + "/dir/", redirect.headers().first("location").orElseThrow());
        }
        try (HttpClient following = new HttpClient(tcp, time, HttpClient.Options.DEFAULT.withRedirects(1));
                ClientResponse index = following.send(origin(), ClientRequest.get("/dir"))) {
            assertEquals(200, index.status());
            assertEquals("<p>the index</p>\n", new String(index.body().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aPostToAStaticFileIsRefusedAndTheConnectionKept() throws Exception {
        ClientRequest post = ClientRequest.of("POST", "/file.bin", Headers.of(), MemorySegment.ofArray(new byte[100]));
        try (ClientResponse response = client.send(origin(), post)) {
            assertEquals(405, response.status());
            response.body().readAllBytes();
        }
        try (ClientResponse response = client.send(origin(), ClientRequest.get("/file.bin"))) {
            assertEquals("2", response.headers().first("x-requests").orElseThrow());
            response.body().readAllBytes();
        }
    }

    @Test
    void aConnectionNginxClosedWhileIdleIsReplacedUnnoticed() throws Exception {
        Origin origin = Origin.http(new Endpoint(Ipv4Address.LOOPBACK, shortIdlePort));
        String first;
        try (ClientResponse response = client.send(origin, ClientRequest.get("/file.bin"))) {
            first = response.headers().first("x-connection").orElseThrow();
            response.body().readAllBytes();
        }
        Thread.sleep(Duration.ofMillis(1000)); // nginx closes it after 300 ms; the pool still holds it
        try (ClientResponse response = client.send(origin, ClientRequest.get("/file.bin"))) {
            assertEquals(200, response.status());
            assertNotEquals(first, response.headers().first("x-connection").orElseThrow());
            assertArrayEquals(file, response.body().readAllBytes());
        }
        assertEquals(2, tcp.connects.get());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** Waits (boundedly) until {@code process} accepts connections on {@code port}; false if it exited. */
    private static boolean listening(Process process, int port) throws InterruptedException {
        for (int i = 0; i < 100 && process.isAlive(); i++) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}

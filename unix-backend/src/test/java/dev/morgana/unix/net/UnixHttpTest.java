package dev.morgana.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.ClientRequest;
import dev.morgana.http.ClientResponse;
import dev.morgana.http.Headers;
import dev.morgana.http.HttpClient;
import dev.morgana.http.HttpHandler;
import dev.morgana.http.HttpRequest;
import dev.morgana.http.HttpResponse;
import dev.morgana.http.HttpServer;
import dev.morgana.http.Origin;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.UnixTargets;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Morgana's HTTP server as an application on the unix target, judged by curl, wrk and Morgana's own client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixHttpTest {

    /** What the test does while the server runs, given its port, and the target's TCP and clock. */
    interface Check {
        void run(int port, Tcp tcp, Clock clock) throws Exception;
    }

    /** What the server of a test runs with. */
    record Setup(HttpServer.Options options, HttpHandler handler, Check check) {}

    static final class Serve implements Application {
        private final Stack stack;
        private final Clock clock;
        private final Timers timers;
        private final Setup setup;

        @Inject
        public Serve(Stack stack, Clock clock, Timers timers, Setup setup) {
            this.stack = stack;
            this.clock = clock;
            this.timers = timers;
            this.setup = setup;
        }

        @Override
        public void run() throws Exception {
            HttpServer server = new HttpServer(stack.tcp(), clock, timers, setup.options());
            try (HttpServer.Running running = server.serve(new Endpoint(Ipv4Address.LOOPBACK, 0), setup.handler())) {
                setup.check().run(running.local().port(), stack.tcp(), clock);
            }
        }
    }

    /** Answers with the method, target and body length. */
    static HttpResponse echo(HttpRequest request) throws Exception {
        byte[] body = request.body().readAllBytes();
        return HttpResponse.text(200, request.method() + " " + request.target() + " " + body.length + "\n");
    }

    static void serving(Check check) throws Exception {
        serving(HttpServer.Options.DEFAULT, UnixHttpTest::echo, check);
    }

    static void serving(HttpServer.Options options, HttpHandler handler, Check check) throws Exception {
        List<Module> target = new ArrayList<>(UnixTargets.unixModules());
        target.add(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Setup.class).toInstance(new Setup(options, handler, check));
            }
        });
        Unikernel.of("http", Serve.class, target).run();
    }

    static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void curlTalksToTheServerOnHostSockets(@TempDir Path folder) throws Exception {
        Path upload = folder.resolve("upload");
        Files.write(upload, new byte[3 * 1024 * 1024]);
        serving((port, tcp, clock) -> {
            String base = "http://127.0.0.1:" + port;
            assertEquals("GET /a 0\nGET /b 0\n", curl(base + "/a", base + "/b"));
            assertEquals("POST /up 3145728\n", curl("--data-binary", "@" + upload, base + "/up"));
            assertEquals("POST /chunked 3145728\n",
                    curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + upload, base + "/chunked"));
        });
    }

    @Test
    void aClientThatStopsReadingLosesItsConnectionAfterTheWriteTimeout() throws Exception {
        // Far more than the kernel buffers of both sides and the flow's own queues hold.
        long total = 64L * 1024 * 1024;
        MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);
        CountDownLatch gaveUp = new CountDownLatch(1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        HttpHandler firehose = request -> HttpResponse.streaming(200, Headers.of(), sink -> {
            try {
                for (long sent = 0; sent < total; sent += chunk.byteSize()) {
                    sink.write(chunk);
                }
            } catch (NetworkException e) {
                failure.set(e);
                gaveUp.countDown();
                throw e;
            }
        });
        serving(HttpServer.Options.DEFAULT.withWriteTimeout(Duration.ofMillis(300)), firehose, (port, tcp, clock) -> {
            try (Socket deaf = new Socket()) {
                deaf.setReceiveBufferSize(64 * 1024);
                deaf.connect(new InetSocketAddress("127.0.0.1", port));
                deaf.setSoTimeout(10_000);
                deaf.getOutputStream().write("GET /big HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(gaveUp.await(10, TimeUnit.SECONDS), "the response's write gave up while nobody read");
                assertEquals(Reason.TIMED_OUT, ((NetworkException) failure.get()).reason(), String.valueOf(failure.get()));
                // What was on its way still arrives, then the end: the connection is over, the body cut short.
                InputStream in = deaf.getInputStream();
                byte[] sink = new byte[256 * 1024];
                long read = 0;
                int n;
                while ((n = in.read(sink)) >= 0) {
                    read += n;
                }
                assertTrue(read < total, "cut short: " + read + " bytes");
            }
        });
    }

    @Test
    void wrkGetsAnAnswerToEveryRequestUnderLoad() throws Exception {
        String wrk = Peers.require("wrk");
        serving((port, tcp, clock) -> {
            String output = Peers.run(30, new byte[0], wrk, "-t1", "-c32", "-d1s", "http://127.0.0.1:" + port + "/load");
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(output);
            assertTrue(requests.find(), output);
            assertTrue(Long.parseLong(requests.group(1)) > 100, output);
            assertFalse(output.contains("Socket errors"), output);
            assertFalse(output.contains("Non-2xx"), output);
        });
    }

    @Test
    void morganasClientTalksToTheServerOverTheSameTarget() throws Exception {
        byte[] upload = new byte[3 * 1024 * 1024];
        serving((port, tcp, clock) -> {
            Origin origin = Origin.http(new Endpoint(Ipv4Address.LOOPBACK, port));
            try (HttpClient client = new HttpClient(tcp, clock, HttpClient.Options.DEFAULT)) {
                for (int i = 0; i < 3; i++) {
                    try (ClientResponse response = client.send(origin, ClientRequest.get("/" + i))) {
                        assertEquals(200, response.status());
                        assertEquals("GET /" + i + " 0\n", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
                ClientRequest post = ClientRequest.of("POST", "/up", Headers.of(), MemorySegment.ofArray(upload));
                try (ClientResponse response = client.send(origin, post)) {
                    assertEquals("POST /up 3145728\n", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                }
                ClientRequest chunked = ClientRequest.streaming("POST", "/chunked", Headers.of(), sink -> {
                    for (int at = 0; at < upload.length; at += 100_000) {
                        sink.write(MemorySegment.ofArray(upload).asSlice(at, Math.min(100_000, upload.length - at)));
                    }
                });
                try (ClientResponse response = client.send(origin, chunked)) {
                    assertEquals("POST /chunked 3145728\n", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        });
    }
}

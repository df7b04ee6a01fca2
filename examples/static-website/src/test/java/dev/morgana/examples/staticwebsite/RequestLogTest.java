package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.inject.Guice;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.http.Headers;
import dev.morgana.http.HttpRequest;
import dev.morgana.http.HttpResponse;
import dev.morgana.http.StaticFiles;
import dev.morgana.testing.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestLogTest {

    private final VirtualClock clock = new VirtualClock();
    private final List<String> lines = new ArrayList<>();

    private static HttpRequest request(String method, String target, String... headers) {
        return new HttpRequest(method, target, 1, Headers.of(headers), buffer -> -1);
    }

    @Test
    void oneLineWithMethodPathStatusBytesAndMicroseconds() throws Exception {
        HttpResponse answer = HttpResponse.text(200, "hello\n");
        RequestLog log = new RequestLog(request -> {
            clock.advance(Duration.ofNanos(1_234_567));
            return answer;
        }, clock, lines::add);
        assertSame(answer, log.handle(request("GET", "/greeting.txt?lang=en")));
        assertEquals(List.of("GET /greeting.txt 200 6 bytes 1234 µs"), lines);
    }

    @Test
    void theEmbeddedSiteThroughStaticFiles() throws Exception {
        KvRo site = Guice.createInjector(EmbeddedKvModule.of(Main.STORE)).getInstance(KvRo.class);
        RequestLog log = new RequestLog(new StaticFiles(site), clock, lines::add);
        long index = size("index.html");
        long about = size("docs/about.html");
        String etag = log.handle(request("GET", "/")).headers().first("etag").orElseThrow();

        assertEquals(304, log.handle(request("GET", "/", "If-None-Match", etag)).status());
        assertEquals(206, log.handle(request("GET", "/images/moon.png", "Range", "bytes=0-9")).status());
        assertEquals(200, log.handle(request("HEAD", "/docs/about.html")).status());
        assertEquals(200, log.handle(request("GET", "/docs/about.html")).status());
        assertEquals(404, log.handle(request("GET", "/missing.html")).status());
        assertEquals(405, log.handle(request("POST", "/")).status());
        assertEquals(List.of(
                "GET / 200 " + index + " bytes 0 µs",
                "GET / 304 0 bytes 0 µs",
                "GET /images/moon.png 206 10 bytes 0 µs",
                "HEAD /docs/about.html 200 0 bytes 0 µs",
                "GET /docs/about.html 200 " + about + " bytes 0 µs",
                "GET /missing.html 404 10 bytes 0 µs",
                "POST / 405 0 bytes 0 µs"), lines);
    }

    @Test
    void aStreamedBodyHasNoSizeYet() throws Exception {
        RequestLog log = new RequestLog(request -> HttpResponse.streaming(200, Headers.of(), sink -> {}), clock, lines::add);
        log.handle(request("GET", "/stream"));
        assertEquals(List.of("GET /stream 200 - bytes 0 µs"), lines);
    }

    @Test
    void aFailingHandlerIsLoggedAsTheServerAnswersIt() {
        RequestLog log = new RequestLog(request -> {
            throw new IOException("disk on fire");
        }, clock, lines::add);
        assertThrows(IOException.class, () -> log.handle(request("GET", "/")));
        assertEquals(List.of("GET / 500 0 bytes 0 µs"), lines);
    }

    /** The size of a file of {@code site/}: the module's folder is the tests' working directory. */
    private static long size(String file) throws IOException {
        return Files.size(Path.of("site", file));
    }
}

package dev.morgana.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Static files from a KvRo, judged by curl: conditionals, ranges, folders, types, and paths that must not resolve. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StaticFilesTest {

    private final RealTime time = new RealTime();
    private final MemoryKv store = new MemoryKv()
            .put("/index.html", "<h1>home</h1>")
            .put("/docs/index.html", "<p>docs</p>")
            .put("/docs/notes.txt", "0123456789abcdefghij")
            .put("/style.css", "body{}")
            .put("/caf\u00e9 menu.txt", "croissant");
    private HttpServer.Running server;

    @BeforeEach
    void start() throws Exception {
        server = new HttpServer(new SocketTcp(), time, time, HttpServer.Options.DEFAULT)
                .serve(new Endpoint(Ipv4Address.LOOPBACK, 0), new StaticFiles(store));
    }

    @AfterEach
    void stop() {
        server.close(Duration.ofSeconds(1));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.local().port() + path;
    }

    private static String curl(String... arguments) throws Exception {
        String[] command = new String[arguments.length + 2];
        command[0] = "curl";
        command[1] = "-sS";
        System.arraycopy(arguments, 0, command, 2, arguments.length);
        return HttpServerTest.run(command);
    }

    @Test
    void servesFilesFoldersAndTypes() throws Exception {
        assertEquals("<h1>home</h1>", curl(url("/")));
        assertEquals("<p>docs</p>", curl(url("/docs/")));
        assertEquals("croissant", curl(url("/caf%C3%A9%20menu.txt")));
        String head = curl("-I", url("/style.css"));
        assertTrue(head.contains("Content-Type: text/css; charset=utf-8\r\n"), head);
        assertTrue(head.contains("Content-Length: 6\r\n"), head);
        assertTrue(head.contains("Last-Modified: Fri, 02 Jan 2026 03:04:05 GMT\r\n"), head);
        String redirect = curl("-i", url("/docs"));
        assertTrue(redirect.startsWith("HTTP/1.1 301 ") && redirect.contains("Location: /docs/\r\n"), redirect);
    }

    @Test
    void answersConditionalsWith304() throws Exception {
        String first = curl("-i", url("/docs/notes.txt"));
        String etag = first.lines().filter(line -> line.startsWith("ETag: ")).findFirst().orElseThrow().substring(6);
        String conditional = curl("-i", "-H", "If-None-Match: " + etag, url("/docs/notes.txt"));
        assertTrue(conditional.startsWith("HTTP/1.1 304 "), conditional);
        assertTrue(conditional.endsWith("\r\n\r\n"), "no body: " + conditional);
        assertTrue(curl("-i", "-H", "If-None-Match: \"other\"", url("/docs/notes.txt")).startsWith("HTTP/1.1 200 "));
        // curl -z sends If-Modified-Since.
        assertTrue(curl("-i", "-z", "Sat, 03 Jan 2026 00:00:00 GMT", url("/docs/notes.txt")).startsWith("HTTP/1.1 304 "));
        assertTrue(curl("-i", "-z", "Thu, 01 Jan 2026 00:00:00 GMT", url("/docs/notes.txt")).startsWith("HTTP/1.1 200 "));
    }

    @Test
    void servesOneRangeWith206AndRefusesImpossibleOnes() throws Exception {
        String partial = curl("-i", "-r", "5-9", url("/docs/notes.txt"));
        assertTrue(partial.startsWith("HTTP/1.1 206 ") && partial.contains("Content-Range: bytes 5-9/20\r\n"), partial);
        assertTrue(partial.endsWith("\r\n\r\n56789"), partial);
        assertEquals("ghij", curl("-r", "-4", url("/docs/notes.txt")));
        assertEquals("fghij", curl("-r", "15-", url("/docs/notes.txt")));
        String impossible = curl("-i", "-r", "20-30", url("/docs/notes.txt"));
        assertTrue(impossible.startsWith("HTTP/1.1 416 ") && impossible.contains("Content-Range: bytes */20\r\n"), impossible);
        assertTrue(curl("-i", "-r", "0-1,4-5", url("/docs/notes.txt")).startsWith("HTTP/1.1 200 "), "several: the whole");
    }

    @Test
    void refusesPathsThatLeaveTheStoreAndLeaksNothing() throws Exception {
        for (String path : new String[] {"/../index.html", "/docs/%2e%2e/index.html", "/docs/..%2Findex.html",
            "/docs/notes.txt%00.html", "/%ff", "/docs/%zz", "/nothing", "/docs/notes.txt/x"}) {
            String response = curl("-i", "--path-as-is", url(path));
            assertTrue(response.startsWith("HTTP/1.1 404 "), path + ": " + response);
            assertTrue(response.endsWith("\r\n\r\nnot found\n"), "says nothing of the path: " + response);
        }
        assertTrue(curl("-i", "-X", "POST", url("/")).startsWith("HTTP/1.1 405 "));
    }

    @Test
    void parsesRangesByTheRules() {
        assertArrayEquals(new long[] {0, 9}, StaticFiles.range("bytes=0-9", 20));
        assertArrayEquals(new long[] {5, 19}, StaticFiles.range("bytes=5-100", 20));
        assertArrayEquals(new long[] {15, 19}, StaticFiles.range("bytes=-5", 20));
        assertArrayEquals(new long[] {0, 19}, StaticFiles.range("bytes=-50", 20));
        assertEquals(0, StaticFiles.range("bytes=20-", 20).length, "unsatisfiable");
        assertEquals(0, StaticFiles.range("bytes=-0", 20).length, "unsatisfiable");
        assertNull(StaticFiles.range("bytes=9-5", 20), "invalid: ignored");
        assertNull(StaticFiles.range("items=0-5", 20));
        assertNull(StaticFiles.range("bytes=a-5", 20));
        assertNull(StaticFiles.range("bytes=0-1,3-4", 20));
    }
}

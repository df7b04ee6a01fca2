package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged unikernel, end to end: started as a user starts it (the jar on the module path), judged by
 * curl over loopback, then stopped with SIGTERM. Runs after {@code package} (Maven's integration-test
 * phase), which is when the jar exists.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StaticWebsiteTest {

    private static final Pattern SERVING =
            Pattern.compile("^serving the site on http://localhost:(\\d+)/ and https://localhost:(\\d+)/ ");
    private static final Pattern REQUEST = Pattern.compile("^(GET|HEAD) (\\S+) (\\d{3}) (\\d+|-) bytes (\\d+) µs$");

    private final Path site = Path.of(System.getProperty("site.folder", "site"));
    private final List<String> output = new ArrayList<>();
    private String curl;
    private Thread reader;
    private Path scratch;

    @Test
    void servesEveryFileOverHttpAndHttpsAnswersConditionalAndRangeRequestsAndStopsCleanlyOnSigterm(@TempDir Path dir)
            throws Exception {
        curl = requirePeer("curl");
        scratch = dir;
        Process website = start(dir.resolve("tls"));
        try {
            Matcher serving = awaitLine(website, SERVING);
            int http = Integer.parseInt(serving.group(1));
            int https = Integer.parseInt(serving.group(2));
            Path certificate = dir.resolve("tls/certificate.pem");
            assertTrue(Files.isRegularFile(certificate), "the self-signed certificate is made at first start");
            String plain = "http://127.0.0.1:" + http;
            String secure = "https://localhost:" + https;
            String resolve = "localhost:" + https + ":127.0.0.1";

            List<Path> files;
            try (Stream<Path> walk = Files.walk(site)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            assertEquals(4, files.size(), "index.html, style.css, an image and a nested page: " + files);
            int requests = 0;
            for (Path file : files) {
                String path = "/" + site.relativize(file).toString().replace('\\', '/');
                byte[] expected = Files.readAllBytes(file);
                assertGot(200, expected, get(plain + path), path);
                assertGot(200, expected, get("--cacert", certificate.toString(), "--resolve", resolve, secure + path), path);
                requests += 2;
            }
            byte[] index = Files.readAllBytes(site.resolve("index.html"));
            assertGot(200, index, get(plain + "/"), "/");
            requests++;

            // The ETag is the SHA-256 of the file (fs-static's digest); sending it back gets 304 and no body.
            Response head = get("-I", plain + "/style.css");
            requests++;
            String etag = head.header("ETag");
            assertEquals("\"" + sha256(Files.readAllBytes(site.resolve("style.css"))) + "\"", etag);
            assertGot(304, new byte[0], get("-H", "If-None-Match: " + etag, plain + "/style.css"), "If-None-Match");
            requests++;

            byte[] image = Files.readAllBytes(site.resolve("images/moon.png"));
            Response range = get("-r", "0-9", plain + "/images/moon.png");
            requests++;
            assertGot(206, Arrays.copyOf(image, 10), range, "Range");
            assertEquals("bytes 0-9/" + image.length, range.header("Content-Range"));

            Response missing = get(plain + "/missing.html");
            requests++;
            assertEquals(404, missing.status());

            // One line per request, each with method, path, status, bytes and microseconds.
            List<String> logged = awaitLines(website, REQUEST, requests);
            assertEquals(requests, logged.size(), String.join("\n", logged));
            assertTrue(logged.contains("GET /style.css 304 0 bytes"), String.join("\n", logged));
            assertTrue(logged.contains("GET /images/moon.png 206 10 bytes"), String.join("\n", logged));
            assertTrue(logged.contains("GET /missing.html 404 10 bytes"), String.join("\n", logged));
            assertTrue(logged.contains("HEAD /style.css 200 0 bytes"), String.join("\n", logged));
            assertTrue(logged.contains("GET /docs/about.html 200 " + Files.size(site.resolve("docs/about.html")) + " bytes"),
                    String.join("\n", logged));

            website.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertTrue(website.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM:\n" + printed());
            assertEquals(0, website.exitValue(), printed());
            assertTrue(reader.join(java.time.Duration.ofSeconds(10)), "read to the end of the output");
            assertTrue(printed().endsWith("stopped\n"), printed());
        } finally {
            website.destroyForcibly();
        }
    }

    /** The unikernel as the run profile starts it, on free ports, its certificate in {@code tls}. */
    private Process start(Path tls) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dstdout.encoding=UTF-8", "--module-path", property("site.modulePath")));
        command.addAll(List.of(property("site.jvmArgs").trim().split("\\s+")));
        command.addAll(List.of("--module", property("site.module"), "--http-port", "0", "--https-port", "0",
                "--tls-folder", tls.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                        output.notifyAll();
                    }
                }
            } catch (IOException ended) {
                // the process is gone
            }
        });
        return process;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: run this test with Maven (the integration-test phase)");
        }
        return value;
    }

    /** Waits (bounded) for the first line matching {@code pattern}. */
    private Matcher awaitLine(Process process, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        synchronized (output) {
            while (true) {
                for (String line : output) {
                    Matcher matcher = pattern.matcher(line);
                    if (matcher.find()) {
                        return matcher;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && output.isEmpty()) {
                    throw new AssertionError("no line like " + pattern + " in:\n" + String.join("\n", output));
                }
                TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Waits (bounded) until {@code count} request lines were printed, and returns them without their times. */
    private List<String> awaitLines(Process process, Pattern pattern, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (output) {
            while (true) {
                List<String> matching = new ArrayList<>();
                for (String line : output) {
                    Matcher matcher = pattern.matcher(line);
                    if (matcher.matches()) {
                        matching.add(line.substring(0, matcher.start(5) - 1));
                    }
                }
                long left = deadline - System.nanoTime();
                if (matching.size() >= count || left <= 0 || !process.isAlive()) {
                    return matching;
                }
                TimeUnit.NANOSECONDS.timedWait(output, left);
            }
        }
    }

    private String printed() {
        synchronized (output) {
            return String.join("\n", output) + "\n";
        }
    }

    /** What curl got: status, header fields and body. */
    private record Response(int status, String head, byte[] body) {
        String header(String name) {
            Matcher field = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\s*$").matcher(head);
            assertTrue(field.find(), name + " in\n" + head);
            return field.group(1);
        }
    }

    private int calls;

    /** One request with curl, bounded in time. */
    private Response get(String... arguments) throws Exception {
        Path head = scratch.resolve("head-" + calls);
        Path body = scratch.resolve("body-" + calls++);
        List<String> command = new ArrayList<>(List.of(curl, "-sS", "--max-time", "20", "-D", head.toString(), "-o",
                body.toString(), "-w", "%{http_code}"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "curl finished");
            assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + printed);
            byte[] bytes = Files.exists(body) ? Files.readAllBytes(body) : new byte[0];
            return new Response(Integer.parseInt(printed.strip()), Files.readString(head, StandardCharsets.ISO_8859_1), bytes);
        } finally {
            process.destroyForcibly();
        }
    }

    private static void assertGot(int status, byte[] body, Response response, String what) {
        assertEquals(status, response.status(), what + "\n" + response.head());
        assertArrayEquals(body, response.body(), what);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A real peer: the test is skipped without it, except in CI, which installs it (.ci/run). */
    private static String requirePeer(String program) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path path = Path.of(dir, program);
            if (Files.isExecutable(path)) {
                return path.toString();
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError(program + " is missing; .ci/run installs it");
        }
        Assumptions.abort(program + " is not installed");
        return program;
    }
}

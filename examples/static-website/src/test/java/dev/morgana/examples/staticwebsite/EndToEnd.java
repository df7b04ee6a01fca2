package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.net.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the end-to-end tests share, on any target: the packaged unikernel started as the run profile starts it
 * (the jar on the module path), judged by curl, stopped with SIGTERM. Every process runs behind a command
 * prefix: none for loopback, {@code ip netns exec NAME} for a namespace. Runs after {@code package} (Maven's
 * integration-test phase), which is when the jar exists.
 */
final class EndToEnd {

    /** A request's log line: method, path, status, bytes and microseconds. */
    static final Pattern REQUEST = Pattern.compile("^(GET|HEAD) (\\S+) (\\d{3}) (\\d+|-) bytes (\\d+) µs$");

    private final Path site = Path.of(System.getProperty("site.folder", "site"));
    private final Path scratch;
    private final List<String> prefix;
    private final String curl;
    private int calls;

    /**
     * @param scratch where curl's heads and bodies go
     * @param prefix the command every process runs behind, for example {@code ip netns exec NAME}
     */
    EndToEnd(Path scratch, List<String> prefix) {
        this.scratch = scratch;
        this.prefix = List.copyOf(prefix);
        this.curl = Netns.require("curl"); // skipped without it, except in CI, which installs it (.ci/run)
    }

    /** The unikernel as the run profile starts it, with {@code args} after its module. */
    Website start(String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dstdout.encoding=UTF-8", "--module-path", property("site.modulePath")));
        command.addAll(List.of(property("site.jvmArgs").trim().split("\\s+")));
        command.addAll(List.of("--module", property("site.module")));
        command.addAll(List.of(args));
        return new Website(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * Fetches every file of {@code site/} over HTTP and HTTPS and compares it byte for byte, then asks for
     * {@code /}, a HEAD, a conditional GET (304), a range (206) and a missing page (404).
     *
     * @param plain the HTTP base, for example {@code http://127.0.0.1:8080}
     * @param secure the HTTPS base
     * @param certificate the certificate curl trusts
     * @param https curl's extra arguments for HTTPS, for example a {@code --resolve}
     * @return how many requests were sent, each of which the website logs
     */
    int fetchEverything(String plain, String secure, Path certificate, String... https) throws Exception {
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
            List<String> secured = new ArrayList<>(List.of("--cacert", certificate.toString()));
            secured.addAll(List.of(https));
            secured.add(secure + path);
            assertGot(200, expected, get(secured.toArray(String[]::new)), path);
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
        return requests;
    }

    /** Checks that {@code website} logged {@code requests} lines, those of {@link #fetchEverything} among them. */
    void assertLogged(Website website, int requests) throws InterruptedException {
        List<String> logged = website.awaitRequests(requests);
        assertEquals(requests, logged.size(), String.join("\n", logged));
        assertTrue(logged.contains("GET /style.css 304 0 bytes"), String.join("\n", logged));
        assertTrue(logged.contains("GET /images/moon.png 206 10 bytes"), String.join("\n", logged));
        assertTrue(logged.contains("GET /missing.html 404 10 bytes"), String.join("\n", logged));
        assertTrue(logged.contains("HEAD /style.css 200 0 bytes"), String.join("\n", logged));
        try {
            assertTrue(logged.contains("GET /docs/about.html 200 " + Files.size(site.resolve("docs/about.html"))
                    + " bytes"), String.join("\n", logged));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** What curl got: status, header fields and body. */
    record Response(int status, String head, byte[] body) {
        String header(String name) {
            Matcher field = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\s*$").matcher(head);
            assertTrue(field.find(), name + " in\n" + head);
            return field.group(1);
        }
    }

    /** One request with curl, bounded in time. */
    Response get(String... arguments) throws Exception {
        Path head = scratch.resolve("head-" + calls);
        Path body = scratch.resolve("body-" + calls++);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(curl, "-sS", "--max-time", "20", "-D", head.toString(), "-o", body.toString(), "-w",
                "%{http_code}"));
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

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: run this test with Maven (the integration-test phase)");
        }
        return value;
    }

    /** The running unikernel and what it printed. */
    static final class Website {
        private final Process process;
        private final List<String> output = new ArrayList<>();
        private final Thread reader;

        Website(Process process) {
            this.process = process;
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
        }

        /** Waits (bounded) for the first line matching {@code pattern}. */
        Matcher awaitLine(Pattern pattern) throws InterruptedException {
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
                    if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                        throw new AssertionError("no line like " + pattern + " in:\n" + String.join("\n", output));
                    }
                    TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                }
            }
        }

        /** Waits (bounded) until {@code count} request lines were printed, and returns them without their times. */
        List<String> awaitRequests(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            synchronized (output) {
                while (true) {
                    List<String> matching = requests();
                    long left = deadline - System.nanoTime();
                    if (matching.size() >= count || left <= 0 || !process.isAlive()) {
                        return matching;
                    }
                    TimeUnit.NANOSECONDS.timedWait(output, left);
                }
            }
        }

        /** The request lines printed so far, without their times. */
        List<String> requests() {
            synchronized (output) {
                List<String> matching = new ArrayList<>();
                for (String line : output) {
                    Matcher matcher = REQUEST.matcher(line);
                    if (matcher.matches()) {
                        matching.add(line.substring(0, matcher.start(5) - 1));
                    }
                }
                return matching;
            }
        }

        String printed() {
            synchronized (output) {
                return String.join("\n", output) + "\n";
            }
        }

        /** SIGTERM, as a service manager stops it: it must exit 0 after saying {@code stopped}. */
        void stop() throws InterruptedException {
            process.toHandle().destroy(); // Process.destroy() would also close our end of its output
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM:\n" + tail());
            assertEquals(0, process.exitValue(), tail());
            assertTrue(reader.join(Duration.ofSeconds(10)), "read to the end of the output");
            assertTrue(printed().endsWith("stopped\n"), tail());
        }

        /** Kills what is left, in a {@code finally}. */
        void destroy() {
            process.destroyForcibly();
        }

        /** The last lines that are not request lines, and how many request lines there were. */
        String tail() {
            synchronized (output) {
                List<String> other = output.stream().filter(line -> !REQUEST.matcher(line).matches()).toList();
                return String.join("\n", other.subList(Math.max(0, other.size() - 60), other.size())) + "\n("
                        + (output.size() - other.size()) + " request lines)\n";
            }
        }
    }
}

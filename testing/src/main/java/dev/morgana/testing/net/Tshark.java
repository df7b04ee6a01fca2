package dev.morgana.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * Wireshark's {@code tshark} as the judge of a capture: what it dissects, and whether it finds any frame
 * malformed or any expert error — the check every pcap a test writes or records must pass.
 *
 * <p>Debian's {@code tshark} package; {@code .ci/run} installs it. Each run is bounded in time.
 */
public final class Tshark {

    private static final Path PROGRAM = Path.of("/usr/bin/tshark");
    private static final long BOUND_SECONDS = 60;
    /** The severity of Wireshark's expert errors ({@code PI_ERROR}). */
    private static final String ERROR_SEVERITY = "8388608";

    private final Path program;

    private Tshark(Path program) {
        this.program = program;
    }

    /**
     * The installed tshark; without it the calling test is skipped, saying why — or fails under CI
     * (environment variable {@code CI} set), which installs it, so that a missing peer cannot pass unseen.
     *
     * @return the judge
     */
    public static Tshark require() {
        if (!Files.isExecutable(PROGRAM)) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("tshark is missing; .ci/run installs it (Debian package tshark)");
            }
            Assumptions.abort("tshark is not installed (Debian package tshark): this real-peer check is skipped");
        }
        return new Tshark(PROGRAM);
    }

    /**
     * Reads {@code capture} with further options, as {@code tshark -r CAPTURE OPTIONS…}.
     *
     * @param capture a pcap file
     * @param options tshark's options, such as {@code -Y FILTER} or {@code -T fields -e FIELD}
     * @return the lines tshark printed (its warnings on stderr, such as running as root, left out)
     * @throws AssertionError when tshark fails or takes longer than a minute
     */
    public List<String> read(Path capture, String... options) {
        List<String> command = new ArrayList<>(List.of(program.toString(), "-r", capture.toString()));
        command.addAll(List.of(options));
        return run(command);
    }

    /**
     * One line per frame: the given fields, tab-separated (empty where a frame has none).
     *
     * @param capture a pcap file
     * @param fields Wireshark field names, such as {@code arp.opcode}
     * @return a line per frame
     */
    public List<String> fields(Path capture, String... fields) {
        List<String> options = new ArrayList<>(List.of("-T", "fields", "-E", "separator=/t"));
        for (String field : fields) {
            options.add("-e");
            options.add(field);
        }
        return read(capture, options.toArray(String[]::new));
    }

    /**
     * What tshark finds wrong with {@code capture}: each malformed frame, each frame with an expert error, and
     * the lines of its expert-error summary; empty when it finds nothing.
     *
     * @param capture a pcap file
     * @return one line per problem
     */
    public List<String> problems(Path capture) {
        List<String> problems = new ArrayList<>();
        for (String line : fields(capture, "frame.number", "_ws.malformed", "_ws.expert.severity")) {
            String[] values = line.split("\t", -1);
            if (values.length < 3 || !values[1].isEmpty() || values[2].contains(ERROR_SEVERITY)) {
                problems.add("frame " + line.replace('\t', ' '));
            }
        }
        for (String line : read(capture, "-q", "-z", "expert,error")) {
            if (!line.isBlank()) {
                problems.add(line);
            }
        }
        return problems;
    }

    private static List<String> run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> output = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    output.completeExceptionally(e);
                }
            });
            String text = output.get(BOUND_SECONDS, TimeUnit.SECONDS);
            if (!process.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish in " + BOUND_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + "\n" + text);
            }
            return text.lines().toList();
        } catch (TimeoutException e) {
            throw new AssertionError(String.join(" ", command) + " did not finish in " + BOUND_SECONDS + " s", e);
        } catch (ExecutionException | IOException e) {
            throw new AssertionError(String.join(" ", command) + " could not be read", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running tshark", e);
        } finally {
            process.destroyForcibly();
        }
    }
}

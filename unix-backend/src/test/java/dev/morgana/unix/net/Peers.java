package dev.morgana.unix.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Real peers (nc, curl, python3) on loopback: found, run with a time bound, and always killed. */
final class Peers {

    private Peers() {}

    /** The path of a peer program, or the test is skipped (outside CI) or failed (in CI, which installs it). */
    static String require(String program) {
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

    /** Runs a command to completion within {@code seconds}, feeding it {@code input}; returns its output. */
    static String run(int seconds, byte[] input, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // The watchdog bounds the whole exchange: a hung peer is killed, which ends the read below.
        Thread.ofVirtual().start(() -> {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        });
        try {
            process.getOutputStream().write(input);
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(seconds, TimeUnit.SECONDS) || process.exitValue() == 137) {
                throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
            }
            return new String(output, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Starts a long-running peer; the caller destroys it. */
    static Process start(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}

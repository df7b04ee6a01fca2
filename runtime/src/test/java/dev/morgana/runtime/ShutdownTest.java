package dev.morgana.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGTERM, for real: a unikernel in a child JVM stops its devices in reverse order when the process is told to exit. */
class ShutdownTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sigtermInterruptsTheApplicationAndStopsServicesInReverse() throws Exception {
        List<String> lines = sigtermWhen("running");
        assertEquals(List.of("start driver", "start link", "start transport", "running", "application interrupted",
                "stop transport", "stop link", "stop driver"), lines);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sigtermDuringASlowStartInterruptsItAndStopsWhatHadStarted() throws Exception {
        List<String> lines = sigtermWhen("starting link slowly", "hang-on-link");
        assertEquals(List.of("start driver", "starting link slowly", "start link interrupted", "stop driver",
                "ended by InterruptedException"), lines);
    }

    /** Runs the fixture in a child JVM, sends SIGTERM once it prints {@code trigger}, returns what it printed. */
    private static List<String> sigtermWhen(String trigger, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                SigtermFixture.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.equals(trigger)) {
                    child.toHandle().destroy(); // SIGTERM, leaving our end of the pipe open
                }
            }
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, child.exitValue(), "the JVM's status for SIGTERM, 128 + 15: " + lines);
        return lines;
    }
}

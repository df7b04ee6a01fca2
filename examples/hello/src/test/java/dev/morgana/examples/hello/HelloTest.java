package dev.morgana.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelloTest {

    /** A simulated target: the virtual clock and a console that records. Only the target changes. */
    private static final class Simulated extends AbstractModule {
        final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T12:00:00Z"));
        final List<String> lines = new ArrayList<>();

        @Override
        protected void configure() {
            bind(Clock.class).toInstance(clock);
            bind(Console.class).toInstance(lines::add);
        }
    }

    @Test
    void saysHelloWithTheTimeOfWhicheverClockTheTargetProvides() throws Exception {
        Simulated target = new Simulated();
        target.clock.advance(Duration.ofSeconds(90));
        Unikernel.of("hello", Hello.class, List.of(target)).run();
        assertEquals(List.of("Hello from Morgana! The wall clock reads 2026-11-26T12:01:30Z."), target.lines);
    }

    @Test
    void describePrintsTheDeviceGraph() {
        String text = unikernel().describe();
        assertEquals("""
                hello (application Hello)
                  JvmModule --Console--> Hello
                  JvmModule --Clock--> Hello
                  JvmModule --Timers--> (unused)
                  JvmModule --Entropy--> (unused)
                """, text);
    }

    @Test
    void onTheUnixTargetOnlyTheListChanges() {
        String text = Unikernel.of("hello", Hello.class, Main.TARGETS.get(1).modules().get()).describe();
        assertTrue(text.contains("  JvmModule --Console--> Hello\n  JvmModule --Clock--> Hello\n"), text);
        assertTrue(text.contains("  UnixStackModule --Stack--> (unused)\n"), text);
    }

    @Test
    void theDotRendersWithGraphviz(@TempDir Path dir) throws Exception {
        boolean ci = System.getenv("CI") != null;
        boolean haveDot = Files.isExecutable(Path.of("/usr/bin/dot"));
        if (!haveDot) {
            // CI installs graphviz, so there this test must run; elsewhere it explains why it skips.
            assertTrue(!ci, "CI must have graphviz installed (.ci/run installs it)");
            Assumptions.abort("graphviz is not installed: apt-get install graphviz");
        }
        Path dot = Files.writeString(dir.resolve("hello.dot"), unikernel().describeDot());
        Path svg = dir.resolve("hello.svg");
        Process render = new ProcessBuilder("/usr/bin/dot", "-Tsvg", "-o", svg.toString(), dot.toString())
                .redirectErrorStream(true).start();
        String output = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(render.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, render.exitValue(), output);
        assertEquals("", output.strip(), "dot warns about nothing");
        String image = Files.readString(svg);
        assertTrue(image.contains("<svg") && image.contains(">JvmModule</text>") && image.contains(">Console</text>"),
                image);
    }

    private static Unikernel unikernel() {
        return Unikernel.of("hello", Hello.class, Main.TARGETS.getFirst().modules().get());
    }
}

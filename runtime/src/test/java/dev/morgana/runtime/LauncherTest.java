package dev.morgana.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LauncherTest {

    private final Journal journal = new Journal();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private List<Target> targets() {
        List<Module> full = List.of(new Devices.TransportModule(), new Devices.LinkModule(), new Devices.DriverModule(),
                new Devices.Harness(journal, Devices.Faults.NONE));
        List<Module> partial = new ArrayList<>(full);
        partial.remove(2);
        return List.of(new Target("full", "every device", () -> full),
                new Target("partial", "no driver", () -> partial),
                new Target("unconfigured", "options missing", () -> {
                    throw new IllegalArgumentException("this target needs --device NAME");
                }));
    }

    private int run(String... args) {
        return Launcher.run("stack", Devices.TransportUser.class, targets(), List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void runsTheDefaultTarget() {
        assertEquals(0, run());
        assertTrue(journal.entries().contains("run"));
    }

    @Test
    void describesWithoutRunning() {
        assertEquals(0, run("describe"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("stack (application Devices.TransportUser)\n"));
        assertEquals(0, run("describe", "--dot"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("digraph \"stack\" {"));
        assertTrue(journal.entries().isEmpty());
    }

    @Test
    void anIncompleteTargetExitsWithUsageStatusAndTheMessage() {
        assertEquals(Launcher.USAGE, run("--target", "partial"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(
                "Devices.Driver is not provided by any module, and Devices.LinkModule needs it"), err.toString());
    }

    @Test
    void aTargetRefusingItsOptionsIsAUsageErrorThatSaysWhy() {
        assertEquals(Launcher.USAGE, run("--target", "unconfigured"));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("stack: target unconfigured: this target needs --device NAME\nusage: "), message);
        assertTrue(journal.entries().isEmpty());
        assertEquals(0, run(), "the other targets are unaffected");
    }

    @Test
    void refusesUnknownTargetsAndArguments() {
        assertEquals(Launcher.USAGE, run("--target", "xen"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--target needs one of: full, partial, unconfigured"));
        assertEquals(Launcher.USAGE, run("--target"));
        assertEquals(Launcher.USAGE, run("--frobnicate"));
        assertEquals(Launcher.USAGE, run("--dot"));
        assertTrue(journal.entries().isEmpty());
    }

    @Test
    void helpListsTheTargets() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("  full           every device") && help.contains("  partial        no driver"), help);
    }

    @Test
    void aFailingApplicationExitsWithFailedStatus() {
        int status = Launcher.run("stack", Devices.FailingUser.class, targets(), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Launcher.FAILED, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the application gave up"));
    }
}

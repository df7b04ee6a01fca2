package dev.morgana.examples.udpecho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.runtime.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: both targets, the echo's and the direct target's options; nothing is started. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onTheDirectTargetTheEchoSitsOnMorganasOwnStack() {
        assertEquals(0, run("--tap", "mt0", "--ip", "192.0.2.2/24", "--port", "9", "describe"));
        assertTrue(out().startsWith("udp-echo (application UdpEcho)\n"), out());
        assertTrue(out().contains("  TapModule --Network--> EthernetModule\n"), out());
        assertTrue(out().contains("  UdpModule --Udp--> UdpEcho\n"), out());
        assertTrue(out().contains("  Main.EchoConfigModule --EchoConfig--> UdpEcho\n"), out());
    }

    @Test
    void onTheUnixTargetOnlyTheListChanges() {
        assertEquals(0, run("--target", "unix", "describe"));
        assertTrue(out().contains("  UnixStackModule --Udp--> UdpEcho\n"), out());
        assertTrue(out().contains("  Main.EchoConfigModule --EchoConfig--> UdpEcho\n"), out());
    }

    @Test
    void theDefaultTargetIsDirectAndSaysWhatItNeeds() {
        assertEquals(Launcher.USAGE, run("describe"));
        assertTrue(err().startsWith(
                "udp-echo: target direct: the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp\n"), err());
        assertTrue(err().contains("  --tap NAME "), err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(Launcher.USAGE, run("--port", "0"));
        assertTrue(err().startsWith("udp-echo: --port needs a port from 1 to 65535, got 0\n"), err());
        assertEquals(Launcher.USAGE, run("--port", "seven"));
        assertEquals(Launcher.USAGE, run("--tap", "mt0", "--ip", "192.0.2.2"));
        assertTrue(err().contains("udp-echo: --ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"192.0.2.2\""),
                err());
    }

    @Test
    void helpListsTargetsAndOptions() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("  direct ") && out().contains("  unix "), out());
        assertTrue(out().contains("--port PORT") && out().contains("--gateway ADDRESS"), out());
    }
}

package dev.morgana.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.api.net.Udp;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.TargetException;
import dev.morgana.runtime.Unikernel;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The direct target's command line and its device graph; building it opens no TAP. */
class DirectTargetTest {

    /** An application of the direct stack's signatures. */
    static final class Echo implements Application {
        @Inject
        Echo(Udp udp, Icmp icmp, Console console) {}

        @Override
        public void run() {}
    }

    /** An application of the whole stack, as the static website is. */
    static final class NeedsStack implements Application {
        @Inject
        NeedsStack(Stack stack, Tcp tcp) {}

        @Override
        public void run() {}
    }

    private static final DirectConfig CONFIG = DirectConfig.parse(List.of("--tap", "mt0", "--ip", "192.0.2.2/24"))
            .config().orElseThrow();

    @Test
    void parsesEveryOptionAndLeavesTheRest() {
        DirectConfig.Parsed parsed = DirectConfig.parse(List.of("--port", "7", "--tap", "tap3", "--ip", "10.1.2.3/16",
                "--gateway", "10.1.0.1", "--mtu", "9000", "--mac", "02:00:00:00:00:09", "describe"));
        assertEquals(List.of("--port", "7", "describe"), parsed.rest());
        DirectConfig config = parsed.config().orElseThrow();
        assertEquals("tap3", config.tap().name());
        assertEquals(OptionalInt.of(9000), config.tap().mtu());
        assertEquals(Optional.of(MacAddress.parse("02:00:00:00:00:09")), config.tap().mac());
        assertEquals(Ipv4Address.parse("10.1.2.3"), config.ipv4().address());
        assertEquals(Ipv4Prefix.parse("10.1.0.0/16"), config.ipv4().network());
        assertEquals(Optional.of(Ipv4Address.parse("10.1.0.1")), config.ipv4().gateway());
    }

    @Test
    void noOptionsMeansNoConfiguration() {
        DirectConfig.Parsed parsed = DirectConfig.parse(List.of("--target", "unix"));
        assertTrue(parsed.config().isEmpty());
        assertEquals(List.of("--target", "unix"), parsed.rest());
        IllegalArgumentException unconfigured = assertThrows(IllegalArgumentException.class,
                () -> parsed.target().modules().get());
        assertEquals("the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp", unconfigured.getMessage());
    }

    @Test
    void refusesBadOptionsWithTheirReason() {
        assertRefused("the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp", "--tap", "mt0");
        assertRefused("the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp", "--ip", "192.0.2.2/24");
        assertRefused("the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp", "--dhcp");
        assertRefused("--ip and --dhcp exclude each other: the address is given or asked for",
                "--tap", "mt0", "--ip", "192.0.2.2/24", "--dhcp");
        assertRefused("--gateway goes with --ip: with --dhcp the server gives the gateway",
                "--tap", "mt0", "--dhcp", "--gateway", "192.0.2.1");
        assertRefused("--ip needs a value", "--tap", "mt0", "--ip");
        assertRefused("--tap is given twice", "--tap", "a", "--tap", "b", "--ip", "192.0.2.2/24");
        assertRefused("--ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"192.0.2.2\" (no prefix length)",
                "--tap", "mt0", "--ip", "192.0.2.2");
        assertRefused("--ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"192.0.2/24\"",
                "--tap", "mt0", "--ip", "192.0.2/24");
        assertRefused("--ip: the prefix length is 1 to 32, got 33", "--tap", "mt0", "--ip", "192.0.2.2/33");
        assertRefused("--ip 192.0.2.0/24: 192.0.2.0 is the network or broadcast address of 192.0.2.0/24",
                "--tap", "mt0", "--ip", "192.0.2.0/24");
        assertRefused("--gateway 198.51.100.1: the gateway 198.51.100.1 is not another host of 192.0.2.0/24",
                "--tap", "mt0", "--ip", "192.0.2.2/24", "--gateway", "198.51.100.1");
        assertRefused("--gateway needs an IPv4 address such as 192.0.2.1, got \"router\"",
                "--tap", "mt0", "--ip", "192.0.2.2/24", "--gateway", "router");
        assertRefused("--mtu needs a number from 68 to 65521, got \"40\"", "--tap", "mt0", "--ip", "192.0.2.2/24",
                "--mtu", "40");
        assertRefused("--mac needs a unicast address (lowest bit of the first byte clear), got 01:00:5e:00:00:01",
                "--tap", "mt0", "--ip", "192.0.2.2/24", "--mac", "01:00:5e:00:00:01");
        assertRefused("--tap: an interface name has 1 to 15 bytes, got 16 in \"abcdefghijklmnop\"",
                "--tap", "abcdefghijklmnop", "--ip", "192.0.2.2/24");
    }

    private static void assertRefused(String message, String... args) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DirectConfig.parse(List.of(args)));
        assertEquals(message, refused.getMessage());
    }

    @Test
    void withDhcpTheStackStartsUnconfiguredAndTheClientSitsOnUdp() {
        DirectConfig dhcp = DirectConfig.parse(List.of("--tap", "mt0", "--dhcp")).config().orElseThrow();
        assertTrue(dhcp.dhcp());
        assertTrue(dhcp.ipv4().address().isUnspecified());
        assertTrue(!CONFIG.dhcp());
        String graph = Unikernel.of("echo", Echo.class, UnixTargets.directModules(dhcp)).describe();
        for (String edge : List.of("UdpModule --Udp--> DhcpModule", "Ipv4Module --Ipv4Addressing--> DhcpModule",
                "EthernetModule --Ethernet--> DhcpModule", "UdpModule --Udp--> DirectTargetTest.Echo")) {
            assertTrue(graph.contains("  " + edge + "\n"), edge + " in\n" + graph);
        }
        assertTrue(!Unikernel.of("echo", Echo.class, UnixTargets.directModules(CONFIG)).describe().contains("Dhcp"));
    }

    @Test
    void assemblesTheStackFromTheTapUp() {
        String graph = Unikernel.of("echo", Echo.class, UnixTargets.directModules(CONFIG)).describe();
        for (String edge : List.of("TapModule --Network--> EthernetModule", "EthernetModule --Ethernet--> ArpModule",
                "EthernetModule --Ethernet--> Ipv4Module", "ArpModule --Arp--> Ipv4Module",
                "Ipv4Module --Ipv4--> IcmpModule", "Ipv4Module --Ipv4--> UdpModule", "IcmpModule --Icmp--> UdpModule",
                "UdpModule --Udp--> DirectTargetTest.Echo", "IcmpModule --Icmp--> DirectTargetTest.Echo",
                "JvmModule --Console--> DirectTargetTest.Echo")) {
            assertTrue(graph.contains("  " + edge + "\n"), edge + " in\n" + graph);
        }
    }

    @Test
    void tcpAndTheStackSitOnMorganasOwnLayers() {
        String graph = Unikernel.of("web", NeedsStack.class, UnixTargets.directModules(CONFIG)).describe();
        for (String edge : List.of("Ipv4Module --Ipv4--> TcpModule", "IcmpModule --Icmp--> TcpModule",
                "JvmModule --Entropy--> TcpModule", "TcpModule --Tcp--> StackModule", "UdpModule --Udp--> StackModule",
                "Ipv4Module --Ipv4--> StackModule", "StackModule --Stack--> DirectTargetTest.NeedsStack",
                "TcpModule --Tcp--> DirectTargetTest.NeedsStack")) {
            assertTrue(graph.contains("  " + edge + "\n"), edge + " in\n" + graph);
        }
    }

    @Test
    void theLauncherReportsAMissingConfigurationAsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DirectConfig.Parsed none = DirectConfig.parse(List.of());
        int status = Launcher.run("echo", Echo.class, List.of(none.target()), List.of("describe"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Launcher.USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "echo: target direct: the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp\n"), err.toString());
    }
}

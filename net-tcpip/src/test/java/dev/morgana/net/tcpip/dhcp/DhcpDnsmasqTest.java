package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Actions;
import dev.morgana.net.tcpip.dhcp.DhcpCore.LeaseEvent;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Transmit;
import dev.morgana.testing.net.Tshark;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dnsmasq as the judge of the client core: the core's messages, sent by a small python3 relay in a network
 * namespace joined by a veth pair to another where dnsmasq serves, get a lease, renew it (unicast at T1),
 * rebind it (broadcast at T2), decline it (dnsmasq then offers another address) and release it (dnsmasq
 * logs the release). The core's clock is virtual and jumps to each deadline, so the test does not wait for
 * the 2-minute lease; each reply is awaited for at most 5 s. tshark then reads tcpdump's capture of the
 * whole exchange: the DHCP message types in order, and no malformed packet. Needs root, ip, dnsmasq,
 * python3, tcpdump and tshark; outside CI it is skipped without them. Follows the network rule of TESTING.md: two
 * namespaces of its own, traffic only between them, everything bounded and deleted afterwards.
 */
class DhcpDnsmasqTest {

    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    static final long S = DhcpCore.SECOND;

    /** Sends what it is told (a hex line: destination and message) from UDP port 68 and prints what it receives. */
    static final String RELAY = """
            import select, socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
            s.bind(('0.0.0.0', 68))
            print('ready', flush=True)
            while True:
                readable, _, _ = select.select([sys.stdin, s], [], [], 60)
                if not readable:
                    break
                if sys.stdin in readable:
                    line = sys.stdin.readline()
                    if not line:
                        break
                    destination, message = line.split()
                    s.sendto(bytes.fromhex(message), (destination, 67))
                if s in readable:
                    data, peer = s.recvfrom(4096)
                    print('recv ' + data.hex(), flush=True)
            """;

    @TempDir
    Path folder;

    private final String suffix = Integer.toHexString(new SplittableRandom().nextInt(0x1000, 0x10000));
    private final String serverNs = "morgana-dhcp-s-" + suffix;
    private final String clientNs = "morgana-dhcp-c-" + suffix;
    private final String serverIf = "mds" + suffix;
    private final String clientIf = "mdc" + suffix;
    private final List<Process> processes = new ArrayList<>();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private PrintStream relay;
    private DhcpCore core;
    private long now;

    @BeforeEach
    void requirePeers() throws Exception {
        for (String program : List.of("/usr/sbin/dnsmasq", "/usr/bin/python3", "/usr/bin/tshark",
                "/usr/bin/tcpdump", "/usr/sbin/ip", "/usr/bin/timeout")) {
            if (!Files.isExecutable(Path.of(program)) && !Files.isExecutable(Path.of(program.replace("/usr/sbin", "/sbin")))) {
                missing(program + " is not installed");
            }
        }
        if (!run("id", "-u").strip().equals("0")) {
            missing("network namespaces need root");
        }
    }

    private static void missing(String why) {
        if (System.getenv("CI") != null) {
            throw new AssertionError(why + "; .ci/run installs the packages and runs as root");
        }
        Assumptions.abort(why + ": the dnsmasq test is skipped");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (relay != null) {
            relay.close();
        }
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        runQuietly("ip", "netns", "del", serverNs);
        runQuietly("ip", "netns", "del", clientNs);
    }

    @Test
    void dnsmasqLeasesRenewsRebindsDeclinesAndReleases() throws Exception {
        Path capture = folder.resolve("dhcp.pcap");
        Path log = folder.resolve("dnsmasq.log");
        Path script = folder.resolve("relay.py");
        Files.writeString(script, RELAY);
        run("ip", "netns", "add", serverNs);
        run("ip", "netns", "add", clientNs);
        run("ip", "link", "add", serverIf, "type", "veth", "peer", "name", clientIf);
        run("ip", "link", "set", serverIf, "netns", serverNs);
        run("ip", "link", "set", clientIf, "netns", clientNs);
        run("ip", "-n", clientNs, "link", "set", clientIf, "address", MAC.toString());
        run("ip", "-n", serverNs, "addr", "add", SERVER + "/24", "dev", serverIf);
        run("ip", "-n", serverNs, "link", "set", serverIf, "up");
        run("ip", "-n", clientNs, "link", "set", clientIf, "up");
        // Broadcasts from 0.0.0.0 need a route out of the interface before it has an address.
        run("ip", "-n", clientNs, "route", "add", "default", "dev", clientIf);

        // tcpdump rather than tshark: tshark says "Capturing on" before its capture child is ready, and CI once
        // saw the first DISCOVER go by unrecorded; tcpdump says "listening on" once it is. In immediate mode, so
        // that the last packets are not still in the kernel's capture buffer when it is stopped.
        Path captureLog = folder.resolve("tcpdump.log");
        Process tcpdump = start(captureLog, "ip", "netns", "exec", serverNs, "timeout", "60", "tcpdump", "-i", serverIf,
                "-U", "--immediate-mode", "-n", "-w", capture.toString(), "udp port 67 or udp port 68");
        start(log, "ip", "netns", "exec", serverNs, "timeout", "60", "dnsmasq", "--no-daemon", "--port=0",
                "--conf-file=/dev/null", "--interface=" + serverIf, "--bind-interfaces", "--log-facility=-",
                "--dhcp-authoritative", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m",
                "--dhcp-option=option:router,192.0.2.1", "--dhcp-option=option:dns-server,192.0.2.53",
                "--dhcp-option=option:mtu,1400", "--dhcp-leasefile=" + folder.resolve("leases"),
                "--pid-file=" + folder.resolve("dnsmasq.pid"));
        Process python = new ProcessBuilder("ip", "netns", "exec", clientNs, "timeout", "60", "python3", "-u",
                script.toString(), clientIf).redirectError(folder.resolve("relay.log").toFile()).start();
        processes.add(python);
        relay = new PrintStream(python.getOutputStream(), true, StandardCharsets.US_ASCII);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(python.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    received.add(line);
                }
            } catch (IOException closed) {
                // the relay ended
            }
        });
        assertEquals("ready", received.poll(10, TimeUnit.SECONDS), "the relay did not start");
        awaitLog(log, "DHCP, sockets bound exclusively");
        awaitLog(captureLog, "listening on");

        core = new DhcpCore(MAC, 1500, new SplittableRandom(7));
        now = System.nanoTime();
        perform(core.start(now));
        // INIT → SELECTING → REQUESTING → BOUND
        DhcpLease first = advanceUntilEvent(DhcpCore.Acquired.class).lease();
        int host = first.address().bits() & 0xFF;
        assertTrue(host >= 50 && host <= 60, "from dnsmasq's range: " + first.address());
        assertEquals(Ipv4Prefix.parse("192.0.2.0/24"), first.prefix());
        assertEquals(List.of(SERVER), first.routers());
        assertEquals(List.of(Ipv4Address.parse("192.0.2.53")), first.dnsServers());
        assertEquals(OptionalInt.of(1400), first.mtu());
        assertEquals(SERVER, first.server());
        assertEquals(120, first.seconds());

        // T1: RENEWING, unicast from the address to the server; dnsmasq answers at once.
        now = first.renewAt();
        DhcpLease renewed = advanceUntilEvent(DhcpCore.Renewed.class).lease();
        assertEquals(first.address(), renewed.address());
        // T2: REBINDING, broadcast.
        now = renewed.rebindAt();
        Actions rebinding = core.timer(now);
        assertEquals(Ipv4Address.BROADCAST, rebinding.transmits().getFirst().destination());
        perform(rebinding);
        DhcpLease rebound = awaitEvent(DhcpCore.Renewed.class).lease();
        assertEquals(first.address(), rebound.address());

        // A conflict: DECLINE; dnsmasq marks the address and offers another after the 10 s wait.
        perform(core.conflict(now, first.address()));
        now += 10 * S;
        DhcpLease second = advanceUntilEvent(DhcpCore.Acquired.class).lease();
        assertNotEquals(first.address(), second.address(), "dnsmasq offered the declined address again");

        // Stop: RELEASE, unicast to the server.
        perform(core.stop(now));
        awaitLog(log, "DHCPRELEASE(" + serverIf + ") " + second.address());
        assertInstanceOf(DhcpCore.Idle.class, core.state());

        Thread.sleep(500); // the RELEASE reached dnsmasq, so tcpdump has seen it: let it write it out
        tcpdump.destroy();
        assertTrue(tcpdump.waitFor(5, TimeUnit.SECONDS));
        Tshark judge = Tshark.require();
        assertEquals(List.of("1", "2", "3", "5", "3", "5", "3", "5", "4", "1", "2", "3", "5", "7"),
                judge.fields(capture, "dhcp.option.dhcp").stream().filter(type -> !type.isBlank()).toList(),
                "DISCOVER OFFER REQUEST ACK, renewal, rebinding, DECLINE, again, RELEASE");
        assertEquals(List.of(), judge.read(capture, "-Y", "_ws.malformed || _ws.expert.severity >= warning"),
                "tshark finds malformed or suspicious packets");
    }

    /** Jumps the virtual clock to each deadline and waits for replies until an event of {@code kind}. */
    private LeaseEvent advanceUntilEvent(Class<? extends LeaseEvent> kind) throws Exception {
        for (int step = 0; step < 10; step++) {
            if (now - core.deadline() < 0 && !(core.state() instanceof DhcpCore.Init)
                    && !(core.state() instanceof DhcpCore.Bound)) {
                LeaseEvent event = awaitEventOrNull(kind);
                if (event != null) {
                    return event;
                }
            }
            now = Math.max(now, core.deadline());
            Actions actions = core.timer(now);
            perform(actions);
            for (LeaseEvent event : actions.events()) {
                if (kind.isInstance(event)) {
                    return event;
                }
            }
        }
        throw new AssertionError("no " + kind.getSimpleName() + "; the client is " + core.state());
    }

    private LeaseEvent awaitEvent(Class<? extends LeaseEvent> kind) throws Exception {
        LeaseEvent event = awaitEventOrNull(kind);
        if (event == null) {
            throw new AssertionError("no " + kind.getSimpleName() + " from dnsmasq in 5 s; the client is " + core.state());
        }
        return event;
    }

    /** Feeds dnsmasq's replies to the core for up to 5 s, until an event of {@code kind}. */
    private LeaseEvent awaitEventOrNull(Class<? extends LeaseEvent> kind) throws Exception {
        long until = System.nanoTime() + 5 * S;
        while (System.nanoTime() - until < 0) {
            String line = received.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                return null;
            }
            assertTrue(line.startsWith("recv "), line);
            DhcpMessage message = DhcpMessage.parse(MemorySegment.ofArray(HexFormat.of().parseHex(line.substring(5))));
            Actions actions = core.received(now, message);
            perform(actions);
            for (LeaseEvent event : actions.events()) {
                if (kind.isInstance(event)) {
                    return event;
                }
            }
        }
        return null;
    }

    /** The shell's job: send the messages, then configure the client's namespace as the events say. */
    private void perform(Actions actions) throws Exception {
        for (Transmit transmit : actions.transmits()) {
            byte[] bytes = new byte[transmit.message().length()];
            transmit.message().emit(MemorySegment.ofArray(bytes));
            relay.println(transmit.destination() + " " + HexFormat.of().formatHex(bytes));
        }
        for (LeaseEvent event : actions.events()) {
            String address = event.lease().address() + "/" + event.lease().prefix().length();
            switch (event) {
                case DhcpCore.Acquired acquired -> run("ip", "-n", clientNs, "addr", "add", address, "dev", clientIf);
                case DhcpCore.Lost lost -> run("ip", "-n", clientNs, "addr", "del", address, "dev", clientIf);
                case DhcpCore.Renewed renewed -> { }
            }
        }
    }

    /** Waits up to 10 s for a line of a peer's log (dnsmasq's or tcpdump's). */
    private static void awaitLog(Path log, String text) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(log.getFileName() + " did not say \"" + text + "\" in 10 s:\n"
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private Process start(Path output, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command).redirectErrorStream(true), List.of(command));
    }

    private static String run(ProcessBuilder builder, List<String> command) throws IOException, InterruptedException {
        Process process = builder.start();
        byte[] output;
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish in 20 s");
            }
            output = process.getInputStream().readAllBytes();
        } finally {
            process.destroyForcibly();
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "): " + text);
        }
        return text;
    }

    private static void runQuietly(String... command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException ignored) {
            // nothing to clean up
        }
    }
}

package dev.morgana.examples.udpecho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.net.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged unikernel on the {@code direct} target, judged by Linux as a real peer (the network rule of
 * TESTING.md). Each test creates a namespace of its own and starts the unikernel inside it with
 * {@code ip netns exec}, so the TAP it creates is born there and no frame reaches the root namespace; Linux's
 * side of the TAP is 192.0.2.1/24, Morgana is 192.0.2.2. Every command is bounded in time.
 */
class UdpEchoOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final int PORT = 7007;
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private Netns netns;
    private String tap;
    private Running unikernel;

    @BeforeEach
    void startTheUnikernelInANamespaceOfItsOwn(TestInfo test) throws Exception {
        Netns.requireTapAndNamespaces();
        String word = test.getTestMethod().orElseThrow().getName().replaceAll("[^a-zA-Z]", "").toLowerCase();
        netns = Netns.create("udpecho-" + word.substring(0, Math.min(12, word.length())));
        tap = Netns.tapName();
        unikernel = new Running(netns, "--tap", tap, "--ip", MORGANA + "/24", "--port", Integer.toString(PORT));
        unikernel.awaitLine("udp-echo: echoing UDP datagrams on port " + PORT);
        // The TAP exists once the devices have started, which is before the application says it listens.
        Netns.check(10, "ip", "-n", netns.name(), "addr", "add", LINUX + "/24", "dev", tap);
        Netns.check(10, "ip", "-n", netns.name(), "link", "set", tap, "up");
        awaitAnswers();
    }

    @AfterEach
    void stopTheUnikernelAndDeleteTheNamespace() throws Exception {
        try {
            if (unikernel != null) {
                unikernel.stop();
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
        }
    }

    @Test
    void pingGetsEveryReply() throws Exception {
        Netns.Result ping = netns.exec(20, "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", MORGANA);
        assertAllReceived(5, ping);
        assertTrue(ping.output().contains("from " + MORGANA), ping.output());
    }

    @Test
    void pingOf8000BytesIsFragmentedAndReassembledBothWays() throws Exception {
        // 8008 bytes of ICMP in a 1500-byte MTU: Linux fragments the request, Morgana reassembles it, and
        // fragments its reply of the same size, which Linux reassembles. A reply arrives only if both work.
        Netns.Result ping = netns.exec(30, "ping", "-n", "-s", "8000", "-c", "3", "-i", "0.3", "-W", "3", MORGANA);
        assertAllReceived(3, ping);
        assertTrue(ping.output().contains("8008 bytes from " + MORGANA), ping.output());
    }

    @Test
    void aBoundedPingFloodLosesNothing() throws Exception {
        Netns.Result flood = netns.exec(40, "ping", "-n", "-f", "-c", "1000", "-w", "20", MORGANA);
        assertAllReceived(1000, flood);
    }

    @Test
    void netcatRoundTripsALineThroughTheEcho() throws Exception {
        // -w bounds the wait and -W 1 ends at the echo; not -q, with which netcat-openbsd 1.219 quits at
        // stdin's end without sending the line.
        Netns.Result nc = netns.exec(15, "sh", "-c",
                "printf 'hello from linux\\n' | nc -u -n -w 3 -W 1 " + MORGANA + " " + PORT);
        assertEquals(0, nc.exit(), nc.output());
        assertEquals("hello from linux\n", nc.output());
    }

    @Test
    void aDatagramLargerThanTheMtuComesBackIntactFragmentedByMorgana() throws Exception {
        // 6000 random bytes in one datagram: Linux sends it in five fragments, Morgana reassembles it, and the
        // echo goes back fragmented by Morgana; Linux's socket gets it only when its reassembly succeeds.
        String script = """
                import os, socket, sys
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(3)
                data = os.urandom(6000)
                for attempt in range(3):
                    s.sendto(data, ("%s", %d))
                    try:
                        echo, peer = s.recvfrom(65535)
                    except socket.timeout:
                        continue
                    print(len(echo), echo == data, peer[0], peer[1])
                    sys.exit(0)
                print("no echo")
                sys.exit(1)
                """.formatted(MORGANA, PORT);
        Netns.Result python = netns.exec(20, Netns.require("python3"), "-c", script);
        assertEquals(0, python.exit(), python.output());
        assertEquals("6000 True " + MORGANA + " " + PORT, python.output().strip());
    }

    @Test
    void onTheUnixTargetTheSameEchoAnswersThroughTheHostsSockets() throws Exception {
        // Only the target changes: the host's UDP, in the same namespace, on loopback.
        Running onUnix = new Running(netns, "--target", "unix", "--port", Integer.toString(PORT + 2));
        try {
            onUnix.awaitLine("udp-echo: echoing UDP datagrams on port " + (PORT + 2));
            Netns.Result nc = netns.exec(15, "sh", "-c",
                    "printf 'hello from loopback\\n' | nc -u -n -w 3 -W 1 127.0.0.1 " + (PORT + 2));
            assertEquals(0, nc.exit(), nc.output());
            assertEquals("hello from loopback\n", nc.output());
        } finally {
            onUnix.stop();
        }
    }

    @Test
    void dnsmasqLeasesAnAddressThatMorganaRenewsAndReleases(@TempDir Path folder) throws Exception {
        // A second unikernel in the same namespace, on a TAP of its own, addressed by dnsmasq's DHCP on
        // another subnet. dnsmasq's shortest lease is 2 minutes; it sends T1 = 10 s (option 58), so that the
        // renewal, unicast to the server, comes 10 s after the lease rather than 60.
        String dnsmasq = Netns.require("dnsmasq");
        String dhcpTap = Netns.tapName();
        int port = PORT + 3;
        // Made here, persistent, so that it outlives the node: a TAP the node made itself disappears as the node
        // exits, and dnsmasq, bound to it, may then find the RELEASE waiting in its socket from a gone interface.
        Netns.check(10, "ip", "-n", netns.name(), "tuntap", "add", dhcpTap, "mode", "tap");
        Running node = new Running(netns, "--tap", dhcpTap, "--dhcp", "--port", Integer.toString(port));
        Process server = null;
        Path log = folder.resolve("dnsmasq.log");
        try {
            node.awaitLine("udp-echo: echoing UDP datagrams on port " + port);
            Netns.check(10, "ip", "-n", netns.name(), "addr", "add", "198.51.100.1/24", "dev", dhcpTap);
            Netns.check(10, "ip", "-n", netns.name(), "link", "set", dhcpTap, "up");
            server = netns.start(dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--no-resolv",
                    "--no-hosts", "--interface=" + dhcpTap, "--bind-interfaces", "--leasefile-ro",
                    "--dhcp-authoritative", "--dhcp-range=198.51.100.50,198.51.100.59,255.255.255.0,2m",
                    "--dhcp-option=option:router,198.51.100.1", "--dhcp-option=option:T1,10",
                    "--dhcp-option=option:T2,100", "--log-dhcp", "--log-facility=" + log);
            // The first DISCOVER waits 1–10 s (RFC 2131 §4.4.1), then four messages settle the lease.
            String leased = node.awaitLinePrefix("dhcp: leased ", 40);
            Matcher lease = Pattern.compile("dhcp: leased (198\\.51\\.100\\.5\\d) in 198\\.51\\.100\\.0/24 "
                    + "via 198\\.51\\.100\\.1 from 198\\.51\\.100\\.1 for 120 s").matcher(leased);
            assertTrue(lease.matches(), leased);
            String address = lease.group(1);

            // The leased address is Morgana's: it answers ping and echoes there.
            assertAllReceived(3, netns.exec(20, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", address));
            Netns.Result nc = netns.exec(15, "sh", "-c",
                    "printf 'leased\\n' | nc -u -n -w 3 -W 1 " + address + " " + port);
            assertEquals("leased\n", nc.output(), nc.output());

            String renewed = node.awaitLinePrefix("dhcp: renewed ", 30);
            assertTrue(renewed.startsWith("dhcp: renewed " + address + " in 198.51.100.0/24"), renewed);
            assertAllReceived(2, netns.exec(20, "ping", "-n", "-c", "2", "-i", "0.2", "-W", "2", address));
        } finally {
            node.stop();
            if (server != null) {
                // The RELEASE reached dnsmasq's socket before the node exited, but dnsmasq may see its SIGTERM
                // first and exit without handling it: give it a moment (bounded) to log the RELEASE.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline
                        && !(Files.exists(log) && Files.readString(log).contains("DHCPRELEASE(" + dhcpTap + ")"))) {
                    Thread.sleep(50);
                }
                server.toHandle().destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
        assertTrue(node.printed().contains("dhcp: lost "), node.printed()); // released on stop
        String served = Files.readString(log);
        // dnsmasq's own account: an offer, an ACK for the request, an ACK for the renewal (unicast), a release.
        assertTrue(served.contains("DHCPOFFER(" + dhcpTap + ")"), served);
        assertTrue(served.lines().filter(line -> line.contains("DHCPACK(" + dhcpTap + ")")).count() >= 2, served);
        assertTrue(served.contains("DHCPRELEASE(" + dhcpTap + ")"), served + "\nthe node printed:\n" + node.printed());
    }

    @Test
    void tsharkFindsNoMalformedPacketInACaptureOfItAll(@TempDir Path folder) throws Exception {
        String tshark = Netns.require("tshark");
        Path capture = folder.resolve("udp-echo.pcap");
        // --immediate-mode: without it libpcap hands packets over in blocks, and SIGTERM loses the last block.
        Process dump = netns.start(Netns.require("tcpdump"), "-i", tap, "--immediate-mode", "-U", "-n", "-w",
                capture.toString());
        try {
            Netns.awaitCapturing(dump);
            assertAllReceived(3, netns.exec(20, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", MORGANA));
            assertAllReceived(2, netns.exec(20, "ping", "-n", "-s", "3000", "-c", "2", "-i", "0.3", "-W", "3", MORGANA));
            Netns.Result nc = netns.exec(15, "sh", "-c",
                    "printf 'captured\\n' | nc -u -n -w 3 -W 1 " + MORGANA + " " + PORT);
            assertEquals("captured\n", nc.output());
            // A closed port: Morgana answers with an ICMP port unreachable, which tshark dissects too.
            netns.exec(15, "sh", "-c", "printf 'nobody\\n' | nc -u -n -w 2 " + MORGANA + " " + (PORT + 1));
        } finally {
            dump.destroy(); // SIGTERM: tcpdump writes what it has and exits
            if (!dump.waitFor(10, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
            }
        }
        assertTrue(Files.size(capture) > 24, "tcpdump captured nothing");
        List<String> packets = Netns.check(30, tshark, "-r", capture.toString(), "-T", "fields", "-E", "separator=/t",
                "-e", "ip.src", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info", "-e", "_ws.malformed",
                "-e", "_ws.expert.severity").lines().filter(line -> line.contains("\t")).toList();
        List<String> ours = new ArrayList<>();
        for (String packet : packets) {
            String[] fields = packet.split("\t", -1);
            assertEquals("", fields[3], "malformed: " + packet);
            // 8388608 is tshark's "error" severity; warnings (for example an unreachable port) are fine.
            for (String severity : fields[4].split(",")) {
                assertTrue(severity.isEmpty() || Integer.parseInt(severity) < 8388608, "expert error: " + packet);
            }
            // An ICMP error lists its own source, then the quoted datagram's.
            if (fields[0].split(",")[0].equals(MORGANA)) {
                ours.add(fields[1] + " " + fields[2]);
            }
        }
        assertTrue(ours.stream().filter(p -> p.startsWith("ICMP Echo (ping) reply")).count() >= 5, String.join("\n", ours));
        assertTrue(ours.stream().anyMatch(p -> p.contains("Fragmented IP protocol")), "no fragment of ours: " + ours);
        assertTrue(ours.stream().anyMatch(p -> p.startsWith("UDP " + PORT + " ")), "no echo of ours: " + ours);
        assertTrue(ours.stream().anyMatch(p -> p.startsWith("ICMP Destination unreachable (Port unreachable)")),
                "no port unreachable: " + String.join("\n", packets));
        String expert = Netns.check(30, tshark, "-r", capture.toString(), "-q", "-z", "expert,error");
        assertTrue(expert.lines().noneMatch(line -> line.contains("Malformed")), expert);
    }

    /** Bounded: the kernel's side has just come up; the first ping also resolves Morgana's MAC. */
    private void awaitAnswers() throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            if (netns.exec(5, "ping", "-n", "-c", "1", "-W", "1", MORGANA).exit() == 0) {
                return;
            }
        }
        throw new AssertionError("Morgana never answered ping:\n" + unikernel.printed());
    }

    private static void assertAllReceived(int count, Netns.Result ping) {
        Matcher summary = PING_SUMMARY.matcher(ping.output());
        assertTrue(summary.find(), ping.output());
        assertEquals(count + " packets transmitted, " + count + " received", summary.group(), ping.output());
        assertEquals(0, ping.exit(), ping.output());
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isBlank(), name + " is set by the pom's real-peers execution");
        return value;
    }

    /** The packaged unikernel as the run profile starts it, inside the namespace, and what it prints. */
    private static final class Running {
        private final Process process;
        private final List<String> output = new ArrayList<>();
        private final Thread reader;

        Running(Netns netns, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns.name(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dstdout.encoding=UTF-8",
                    "--module-path", property("udpecho.modulePath")));
            command.addAll(List.of(property("udpecho.jvmArgs").trim().split("\\s+")));
            command.add("--module");
            command.add(property("udpecho.module"));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
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

        String printed() {
            synchronized (output) {
                return String.join("\n", output);
            }
        }

        void awaitLine(String expected) throws InterruptedException {
            awaitLine(expected::equals, "\"" + expected + "\"", 30);
        }

        /** Waits, at most {@code seconds}, for a line starting with {@code prefix}, and returns it. */
        String awaitLinePrefix(String prefix, int seconds) throws InterruptedException {
            return awaitLine(line -> line.startsWith(prefix), "\"" + prefix + "…\"", seconds);
        }

        private String awaitLine(Predicate<String> wanted, String what, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (output) {
                while (true) {
                    for (String line : output) {
                        if (wanted.test(line)) {
                            return line;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                        throw new AssertionError("no " + what + " from the unikernel within " + seconds + " s:\n"
                                + printed());
                    }
                    TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                }
            }
        }

        /** SIGTERM, as a service manager stops it: the unikernel stops its devices and says what it echoed. */
        void stop() throws InterruptedException {
            process.toHandle().destroy(); // Process.destroy() would also close our end of its output
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("did not stop within 30 s of SIGTERM:\n" + printed());
            }
            reader.join(java.time.Duration.ofSeconds(10));
            assertEquals(0, process.exitValue(), "a clean stop after SIGTERM exits 0:\n" + printed());
            assertTrue(printed().lines().anyMatch(
                    line -> line.matches("udp-echo: stopped after echoing \\d+ datagram\\(s\\), 0 could not be sent")),
                    printed());
        }
    }
}

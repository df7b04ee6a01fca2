package dev.morgana.net.tcpip.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.icmp.Captures;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.testing.VirtualClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Linux judges the port unreachable UDP sends: two namespaces this test creates, joined by a veth pair. In A
 * (192.0.2.10) a connected Linux UDP socket sends a datagram to B (192.0.2.11) port 5001; in B a raw socket
 * hands that datagram, as Linux sent it, to Morgana's UDP and ICMP (over a recording IPv4, until the real
 * one is merged), and sends the port unreachable they produce back to A through a raw ICMP socket. Linux
 * must match it to A's socket (by the quoted addresses, protocol and ports, our rebuilt header included)
 * and report {@code ECONNREFUSED}. B binds port 5001 without reading, so that B's own kernel stays silent.
 *
 * <p>Needs root, {@code ip} and {@code python3}; skipped, saying why, without them. Every process is bounded
 * by {@code timeout}; the namespaces are deleted whatever happens.
 */
class LinuxPeerTest {

    /** Transmit checksum offload off (ETHTOOL_STXCSUM 0), so that B's raw socket sees complete checksums. */
    private static final String TX_CHECKSUM_OFF = """
            import array, fcntl, socket, struct
            value = array.array('B', struct.pack('II', 0x17, 0))
            ifreq = struct.pack('16sP', b'mtua', value.buffer_info()[0])
            control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            fcntl.ioctl(control.fileno(), 0x8946, ifreq)
            """;

    private static final String HOST_A = TX_CHECKSUM_OFF + """
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(('192.0.2.10', 40001))
            s.connect(('192.0.2.11', 5001))
            s.settimeout(5)
            s.send(b'anybody there?\\n')
            try:
                s.recv(100)
                print('data', flush=True)
            except ConnectionRefusedError:
                print('refused', flush=True)
            except socket.timeout:
                print('timeout', flush=True)
            """;

    private static final String HOST_B = """
            import socket, sys
            silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            silent.bind(('192.0.2.11', 5001))
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
            raw.settimeout(10)
            print('ready', flush=True)
            while True:
                datagram, (source, _) = raw.recvfrom(65535)
                if source == '192.0.2.10' and datagram[22:24] == bytes([0x13, 0x89]):
                    break
            print(datagram.hex(), flush=True)
            answer = bytes.fromhex(sys.stdin.readline().strip())
            socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(answer, ('192.0.2.10', 0))
            print('sent', flush=True)
            """;

    @Test
    void linuxsSocketIsRefusedByOurPortUnreachable() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        assumeTrue(onPath("ip") && onPath("python3"), "needs ip (iproute2) and python3");
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String a = "morgana-udp-a-" + suffix;
        String b = "morgana-udp-b-" + suffix;
        List<Process> processes = new ArrayList<>();
        try {
            run("ip", "netns", "add", a);
            run("ip", "netns", "add", b);
            run("ip", "link", "add", "mtua", "netns", a, "type", "veth", "peer", "name", "mtub", "netns", b);
            run("ip", "-n", a, "addr", "add", "192.0.2.10/24", "dev", "mtua");
            run("ip", "-n", b, "addr", "add", "192.0.2.11/24", "dev", "mtub");
            run("ip", "-n", a, "link", "set", "mtua", "up");
            run("ip", "-n", b, "link", "set", "mtub", "up");

            Process hostB = start(processes, "ip", "netns", "exec", b, "timeout", "20", "python3", "-c", HOST_B);
            BufferedReader fromB = reader(hostB);
            assertEquals("ready", fromB.readLine());
            Process hostA = start(processes, "ip", "netns", "exec", a, "timeout", "20", "python3", "-c", HOST_A);
            BufferedReader fromA = reader(hostA);

            byte[] datagram = HexFormat.of().parseHex(fromB.readLine());
            int header = (datagram[0] & 0xF) * 4;
            TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
            IcmpLayer icmp = new IcmpLayer(ipv4, new VirtualClock(), IcmpConfig.DEFAULT);
            UdpLayer udp = new UdpLayer(ipv4, icmp);
            icmp.start();
            udp.start();
            ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Arrays.copyOfRange(datagram, header, datagram.length));
            assertEquals(1, udp.count(UdpLayer.Count.NO_LISTENER), "Linux's datagram passed our checks: " + udp.counters());
            List<TestingIpv4.Written> written = ipv4.takeWritten();
            assertEquals(1, written.size());
            assertEquals(Captures.A, written.getFirst().destination());

            Writer toB = new OutputStreamWriter(hostB.getOutputStream(), StandardCharsets.US_ASCII);
            toB.write(HexFormat.of().formatHex(written.getFirst().payload()) + "\n");
            toB.flush();
            assertEquals("sent", fromB.readLine());
            assertEquals("refused", fromA.readLine(), "Linux matched our port unreachable to its socket");
        } finally {
            for (Process process : processes) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            runQuietly("ip", "netns", "del", a);
            runQuietly("ip", "netns", "del", b);
        }
    }

    private static boolean onPath(String command) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, command))) {
                return true;
            }
        }
        return false;
    }

    private static Process start(List<Process> processes, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(process);
        return process;
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void runQuietly(String... command) {
        try {
            new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // Cleaning up after a failure: the failure is what matters.
        }
    }
}

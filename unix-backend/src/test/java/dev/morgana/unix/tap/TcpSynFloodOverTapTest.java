package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.TcpModule;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood against Morgana's TCP on the direct target, from {@code hping3} in a namespace the test creates:
 * four spoofed sources inside the namespace's subnet that nobody answers ARP for, 5 s and at most 50,000 SYNs
 * to the listening port. Meanwhile a Linux socket's established connection keeps echoing correctly, and a new
 * connection from Linux gets in during the flood, within 3 s (its SYN takes the place of the oldest half-open
 * one, and its ACK comes back long before the flood has cycled through the queue). Memory stays bounded:
 * the listener holds at most {@link #LIMITS}' half-open connections and drops the oldest (counted), the
 * queues waiting for ARP stay within their bounds, and the heap after a full GC grows by no more than what
 * that many connections' buffers take.
 */
class TcpSynFloodOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    /** Addresses in the namespace's subnet that no host has: the SYN-ACKs to them wait for ARP in vain. */
    private static final List<String> SPOOFED = List.of("192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final int ECHO = 7;
    private static final int FLOOD_SECONDS = 5;
    /** Small enough for the flood to fill the half-open queue in its first milliseconds. */
    private static final TcpConfig.Limits LIMITS = new TcpConfig.Limits(32, 64);
    /**
     * The defaults but for two SYN-ACK retransmissions instead of six: a half-open connection lives 1 + 2 + 4 =
     * 7 s instead of 127 s, so that the flood's last ones are gone within the test's time.
     */
    private static final TcpConfig CONFIG = synRetransmissions(TcpConfig.DEFAULTS, 2);
    private static final Pattern TRANSMITTED = Pattern.compile("(\\d+) packets transmitted");

    /**
     * Linux's side: {@code MORGANA PORT SECONDS}. It connects, echoes once, prints {@code ESTABLISHED} and waits
     * for a line; then, for SECONDS, echoes 4 KiB every 20 ms on that connection while, from its second second
     * on, another thread opens a new connection and echoes 64 KiB on it. Ends with {@code PASS}.
     */
    private static final String LINUX_SIDE = """
            import os, socket, sys, threading, time
            M, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

            def fail(why):
                print("FAIL", why, flush=True)
                os._exit(1)

            def echo(s, n):
                data = os.urandom(n)
                s.sendall(data)
                got = bytearray()
                while len(got) < n:
                    b = s.recv(65536)
                    if not b:
                        fail("Morgana closed the connection")
                    got += b
                return bytes(got) == data

            s = socket.create_connection((M, port), timeout=10)
            if not echo(s, 4096):
                fail("the first echo")
            print("ESTABLISHED", flush=True)
            sys.stdin.readline()
            start = time.time()
            legit = {}

            def connect():
                begun = time.time()
                try:
                    c = socket.create_connection((M, port), timeout=40)
                except OSError as e:
                    legit["error"] = repr(e)
                    return
                legit["connected after s"] = round(time.time() - begun, 2)
                legit["intact"] = echo(c, 65536)
                c.close()

            second = threading.Thread(target=connect)
            rounds, corrupted, slowest = 0, 0, 0.0
            while time.time() - start < seconds:
                if rounds > 0 and not second.is_alive() and time.time() - start >= 1 and not legit:
                    second.start()
                began = time.time()
                corrupted += 0 if echo(s, 4096) else 1
                slowest = max(slowest, time.time() - began)
                rounds += 1
                time.sleep(0.02)
            print("established connection: %d echoes of 4 KiB, %d corrupted, the slowest %.3f s"
                  % (rounds, corrupted, slowest), flush=True)
            second.join(45)
            print("new connection:", legit, flush=True)
            if corrupted or rounds < 10:
                fail("the established connection")
            if not legit.get("intact"):
                fail("the new connection")
            if legit.get("connected after s", 99) > 3:
                fail("the new connection waited for the flood to end")
            s.close()
            print("PASS", flush=True)
            """;

    record Fixture(String tap, Netns netns) {}

    /** Echoes on port 7 and watches its tables while Linux and hping3 run. */
    static final class Node implements Application {
        private final Tcp tcp;
        private final Ipv4 ipv4;
        private final Arp arp;
        private final Fixture fixture;

        @Inject
        Node(Tcp tcp, Ipv4 ipv4, Arp arp, Fixture fixture) {
            this.tcp = tcp;
            this.ipv4 = ipv4;
            this.arp = arp;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            try (Tcp.Listener listener = tcp.listen(new Endpoint(Ipv4Address.ANY, ECHO), Tcp.Options.DEFAULT, flow -> {
                MemorySegment buffer = MemorySegment.ofArray(new byte[65536]);
                int n;
                while ((n = flow.read(buffer)) != -1) {
                    flow.write(buffer.asSlice(0, n));
                }
            })) {
                assertEquals(ECHO, listener.local().port());
                Netns netns = fixture.netns();
                netns.adopt(fixture.tap(), LINUX + "/24");
                String hping3 = Netns.require("hping3");
                Map<String, Long> tcpBefore = TapProbes.byName(tcp);
                Map<String, Long> ipBefore = TapProbes.counters(ipv4);
                Map<String, Long> arpBefore = TapProbes.counters(arp);
                long baseline = heapAfterGc();
                Process linux = netns.start(Netns.require("python3"), "-u", "-c", LINUX_SIDE, MORGANA,
                        Integer.toString(ECHO), Integer.toString(FLOOD_SECONDS + 3));
                List<Process> floods = new ArrayList<>();
                List<String> output = new ArrayList<>();
                int mostHalfOpen = 0;
                int mostConnections = 0;
                long mostWaiting = 0;
                long mostPending = 0;
                long peak = baseline;
                long started = System.nanoTime();
                long flooding = 0;
                long sent = 0;
                try {
                    BlockingQueue<String> lines = TapProbes.lines(linux);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    long nextGc = Long.MAX_VALUE;
                    String line = "";
                    while (!TapProbes.EOF.equals(line)) {
                        assertTrue(System.nanoTime() < deadline, "Linux's side did not finish in 90 s: " + output);
                        line = lines.poll(100, TimeUnit.MILLISECONDS);
                        if (line != null && !line.equals(TapProbes.EOF)) {
                            System.out.println("linux: " + line);
                            output.add(line);
                        }
                        if ("ESTABLISHED".equals(line)) {
                            flooding = System.nanoTime();
                            for (String source : SPOOFED) {
                                // At most 2,500 SYNs a second from each source for 5 s; hping3 varies the
                                // source port, so every SYN is a new 4-tuple.
                                floods.add(netns.start("timeout", "-s", "INT", Integer.toString(FLOOD_SECONDS), hping3,
                                        "-q", "-S", "-p", Integer.toString(ECHO), "-i", "u400", "-c", "12500", "-a",
                                        source, MORGANA));
                            }
                            nextGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                            TapProbes.tell(linux, "go");
                        }
                        List<String> connections = TapProbes.connections(tcp);
                        int halfOpen = (int) connections.stream().filter(c -> c.endsWith(" SYN_RECEIVED")).count();
                        mostHalfOpen = Math.max(mostHalfOpen, halfOpen);
                        mostConnections = Math.max(mostConnections, connections.size());
                        mostWaiting = Math.max(mostWaiting, TapProbes.counters(ipv4).get("waiting"));
                        mostPending = Math.max(mostPending, TapProbes.counters(arp).get("pending"));
                        if (System.nanoTime() >= nextGc) {
                            // Full collections while the half-open queue is full: what the flood holds on to.
                            peak = Math.max(peak, heapAfterGc());
                            nextGc = System.nanoTime() - flooding < TimeUnit.SECONDS.toNanos(FLOOD_SECONDS)
                                    ? System.nanoTime() + TimeUnit.SECONDS.toNanos(1) : Long.MAX_VALUE;
                        }
                    }
                    assertTrue(linux.waitFor(10, TimeUnit.SECONDS));
                    assertEquals(0, linux.exitValue(), String.join("\n", output));
                    assertTrue(output.contains("PASS"), output.toString());
                    for (Process flood : floods) {
                        assertTrue(flood.waitFor(15, TimeUnit.SECONDS), "hping3 stopped");
                        String said = new String(flood.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        Matcher transmitted = TRANSMITTED.matcher(said);
                        assertTrue(transmitted.find(), said);
                        sent += Long.parseLong(transmitted.group(1));
                    }
                } finally {
                    linux.destroyForcibly();
                    for (Process flood : floods) {
                        flood.destroyForcibly();
                    }
                }
                Map<String, Long> tcpAfter = TapProbes.byName(tcp);
                Map<String, Long> ipAfter = TapProbes.counters(ipv4);
                Map<String, Long> arpAfter = TapProbes.counters(arp);
                long halfOpenDropped = tcpAfter.get("HALF_OPEN_DROPPED") - tcpBefore.get("HALF_OPEN_DROPPED");
                long opened = tcpAfter.get("OPENED") - tcpBefore.get("OPENED");
                System.out.printf("TcpSynFloodOverTapTest: %.1f s; hping3 sent %d SYNs; Morgana opened %d connections"
                        + " and gave up %d half-open ones for newer SYNs; at most %d half-open and %d connections, %d datagrams waiting for"
                        + " ARP, %d resolutions pending; heap after GC %d KiB, at most %d KiB during the flood;"
                        + "%n  TCP %s%n  IPv4 %s%n  ARP %s%n", (System.nanoTime() - started) / 1e9, sent, opened,
                        halfOpenDropped, mostHalfOpen, mostConnections, mostWaiting, mostPending, baseline >> 10,
                        peak >> 10, delta(tcpBefore, tcpAfter), delta(ipBefore, ipAfter), delta(arpBefore, arpAfter));

                assertTrue(sent >= 1000, "the flood was one: " + sent + " SYNs");
                assertTrue(mostHalfOpen <= LIMITS.halfOpen(), mostHalfOpen + " half-open");
                assertEquals(LIMITS.halfOpen(), mostHalfOpen, "the flood filled the half-open queue");
                assertTrue(mostConnections <= LIMITS.connections(), mostConnections + " connections");
                assertTrue(halfOpenDropped > 0, "SYNs beyond the half-open limit took the oldest ones' places: " + tcpAfter);
                assertTrue(mostWaiting <= Ipv4Config.Limits.DEFAULT.waitingForArp(), mostWaiting + " waiting for ARP");
                assertTrue(mostPending <= ArpConfig.DEFAULT.pendingTotal(), mostPending + " ARP resolutions pending");
                // Nor did it become an ARP flood: one resolution at a time per address, each of at most retries + 1
                // requests over (retries + 1) × the interval; counted generously, as if one began every retries ×
                // the interval.
                int retries = ArpConfig.DEFAULT.retries();
                long resolutions = 1 + (System.nanoTime() - flooding)
                        / (retries * ArpConfig.DEFAULT.retryInterval().toNanos());
                long requests = arpAfter.get("core.requestsSent") - arpBefore.get("core.requestsSent");
                assertTrue(requests <= SPOOFED.size() * (retries + 1) * resolutions, requests + " ARP requests");
                // Each connection holds its two buffers from its SYN on (ByteRing never grows); beyond those of
                // the half-open queue and Linux's connections, 16 MiB covers the queues bounded above (64
                // datagrams of at most 1500 bytes waiting for ARP), the sampling's lists and the JIT's garbage.
                // Unbounded, the flood's SYNs would take tens of GiB.
                long perConnection = CONFIG.sendBufferSize() + (long) CONFIG.receiveBufferSize();
                long bound = (LIMITS.halfOpen() + 4) * perConnection + (16L << 20);
                assertTrue(peak - baseline <= bound, "the heap grew by " + ((peak - baseline) >> 10)
                        + " KiB during the flood, beyond " + (bound >> 10) + " KiB");

                // Once their SYN-ACKs have run out of retransmissions, the flood's half-open connections are gone.
                long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (TapProbes.connections(tcp).stream().anyMatch(c -> c.endsWith(" SYN_RECEIVED"))
                        && System.nanoTime() < quiet) {
                    Thread.sleep(100);
                }
                List<String> left = TapProbes.connections(tcp);
                assertTrue(left.stream().noneMatch(c -> c.endsWith(" SYN_RECEIVED")), left.toString());
            }
        }
    }

    @Test
    void synFloodKeepsMemoryBoundedAndConnectionsWorking() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("hping3");
        try (Netns netns = Netns.create("synflood")) {
            Fixture fixture = new Fixture(Netns.tapName(), netns);
            List<Module> modules = TapProbes.directModules(List.of("--tap", fixture.tap(), "--ip", MORGANA + "/24"),
                    Fixture.class, fixture);
            modules.replaceAll(module -> module instanceof TcpModule ? new TcpModule(CONFIG, LIMITS) : module);
            Unikernel.of("synflood", Node.class, modules).run();
        }
    }

    private static TcpConfig synRetransmissions(TcpConfig c, int retransmissions) {
        return new TcpConfig(c.maxSegmentSize(), c.sendBufferSize(), c.receiveBufferSize(), c.timeWait(),
                c.initialRetransmissionTimeout(), c.minRetransmissionTimeout(), c.maxRetransmissionTimeout(),
                c.maxRetransmissions(), retransmissions, c.delayedAckTimeout(), c.keepAlive(), c.keepAliveIdle(),
                c.keepAliveInterval(), c.keepAliveCount(), c.noDelay(), c.windowScaling(), c.timestamps());
    }

    /** Used heap after a full collection (G1 runs one for {@code System.gc()} unless told not to). */
    private static long heapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> changed = new java.util.TreeMap<>();
        after.forEach((name, value) -> {
            long by = value - before.getOrDefault(name, 0L);
            if (by != 0) {
                changed.put(name, by);
            }
        });
        return changed;
    }
}

package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Blind-injection defences of Morgana's TCP (RFC 5961) against a real Linux peer, through a TAP device in a
 * namespace the test creates. Linux's socket exchanges data with Morgana's echo; between exchanges, scapy
 * (in the namespace, sniffing the real sequence numbers) injects segments spoofed from Linux's 4-tuple:
 * a RST inside the window but not at RCV.NXT, a RST outside it, a SYN, and data acknowledging what was never
 * sent or what is far in the past. Morgana must answer the RST in the window, the SYN and the data with one
 * challenge ACK each (ACK set, ack = RCV.NXT), ignore the RST out of the window, take none of the injected
 * bytes, and keep the connection, which then carries data both ways intact; the control: a RST exactly at
 * RCV.NXT does reset it.
 */
class TcpInjectionOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final MacAddress OURS = MacAddress.parse("02:00:5e:10:00:08");
    private static final int ECHO = 7;

    /**
     * Linux's side: {@code IFACE MORGANA_MAC LINUX MORGANA PORT}. It prints what it injected and what Morgana
     * answered and {@code PASS <step>} for each step that held; it prints {@code RESET?} and waits for a line
     * on its input before the control, and ends with {@code SENT <sha-256>} of all the data it sent.
     */
    private static final String SCAPY = """
            import hashlib, os, socket, sys, time
            from scapy.all import AsyncSniffer, Ether, IP, TCP, Raw, sendp, conf
            conf.verb = 0
            conf.bufsize = 1 << 22  # the sniffer's socket buffer: at 64 KiB a busy machine drops frames of a burst
            iface, mac, L, M, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
            MASK = 0xFFFFFFFF
            seen, injected = [], set()

            def fail(why):
                print("FAIL", why, flush=True)
                sys.exit(1)

            def keep(p):
                if IP in p and TCP in p and {p[IP].src, p[IP].dst} == {L, M}:
                    seen.append(p)

            sniffer = AsyncSniffer(iface=iface, prn=keep, store=False)
            sniffer.start()
            time.sleep(1)  # the sniffer's socket is open before the connection starts
            s = socket.create_connection((M, port), timeout=10)
            lport = s.getsockname()[1]
            print("connected from port", lport, flush=True)
            sent, back = hashlib.sha256(), hashlib.sha256()
            total = 0

            def exchange(n):
                global total
                data = os.urandom(n)
                s.sendall(data)
                sent.update(data)
                total += n
                got = 0
                while got < n:
                    b = s.recv(65536)
                    if not b:
                        fail("Morgana closed the connection")
                    back.update(b)
                    got += len(b)

            def linux(p):
                return p[IP].src == L and p[TCP].sport == lport and bytes(p[TCP]) not in injected

            def morgana(p):
                return p[IP].src == M and p[TCP].dport == lport

            def length(p):
                # From IPv4's total length: scapy counts a short frame's Ethernet padding as TCP payload.
                return p[IP].len - 4 * p[IP].ihl - 4 * p[TCP].dataofs

            def end(p):
                t = p[TCP]
                return (t.seq + length(p) + (1 if t.flags.S else 0) + (1 if t.flags.F else 0)) & MASK

            def ts(p):
                return dict(p[TCP].options).get("Timestamp")

            def describe(p):
                t = p[TCP]
                return "%s seq=%d ack=%d len=%d" % (t.flags, t.seq, t.ack, length(p))

            def quiet():
                # Everything sent both ways is on the wire and acknowledged, as the sniffer (which lags) saw it:
                # RCV.NXT = Linux's ISN + 1 + what it sent, SND.NXT = Morgana's ISN + 1 + what it echoed.
                began = time.time()
                nudged = False
                while time.time() < began + 10:
                    if not nudged and time.time() > began + 3:
                        nudged = True  # should the sniffer have missed the last segments, make new ones
                        exchange(1)
                    l = [p for p in seen if linux(p)]
                    m = [p for p in seen if morgana(p)]
                    if l and m and l[0][TCP].flags.S and m[0][TCP].flags.S:
                        rcv_nxt, snd_nxt = end(l[0]) + total & MASK, end(m[0]) + total & MASK
                        if (end(l[-1]), l[-1][TCP].ack, end(m[-1]), m[-1][TCP].ack) == (rcv_nxt, snd_nxt, snd_nxt, rcv_nxt):
                            n = len(seen)
                            time.sleep(0.2)
                            if len(seen) == n:  # and stays so
                                return l[-1], m[-1]
                    time.sleep(0.05)
                fail("the connection did not go quiet: %d bytes each way, %d segments seen, Linux's last %s, Morgana's"
                     " last %s" % (total, len(seen), l and describe(l[-1]), m and describe(m[-1])))

            def inject(name, flags, seq_offset, ack_offset, payload=b""):
                exchange(16384)
                l, m = quiet()
                rcv_nxt, snd_nxt = m[TCP].ack, end(m)
                # The timestamps Linux would send (an on-path attacker sees them), so that PAWS is not what
                # drops the segment.
                options = [("NOP", None), ("NOP", None), ("Timestamp", (ts(l)[0], ts(m)[0]))] if ts(l) else []
                segment = TCP(sport=lport, dport=port, flags=flags, seq=(rcv_nxt + seq_offset) & MASK,
                              ack=(snd_nxt + ack_offset) & MASK, window=l[TCP].window, options=options)
                if payload:
                    segment = segment / Raw(payload)
                frame = Ether(bytes(Ether(dst=mac) / IP(src=L, dst=M) / segment))
                injected.add(bytes(frame[TCP]))
                start = len(seen)
                sendp(frame, iface=iface)
                time.sleep(1)
                answers = [p for p in seen[start:] if morgana(p)]
                print("%s: injected %s at RCV.NXT=%d SND.NXT=%d; Morgana answered %s" % (name, describe(frame),
                      rcv_nxt, snd_nxt, [describe(p) for p in answers] or "nothing"), flush=True)
                return answers, rcv_nxt, snd_nxt

            def challenged(name, answers, rcv_nxt, snd_nxt):
                if len(answers) != 1:
                    fail("%s: one challenge ACK expected, got %d" % (name, len(answers)))
                t = answers[0][TCP]
                if str(t.flags) != "A" or t.ack != rcv_nxt or t.seq != snd_nxt or length(answers[0]) != 0:
                    fail("%s: not a challenge ACK (A, ack=%d, seq=%d): %s" % (name, rcv_nxt, snd_nxt, describe(answers[0])))
                print("PASS", name, flush=True)

            challenged("a", *inject("a: RST in the window, 1000 past RCV.NXT", "R", 1000, 0))
            answers, _, _ = inject("b: RST 2^30 past RCV.NXT", "R", 1 << 30, 0)
            if answers:
                fail("b: a RST out of the window is dropped silently")
            print("PASS b", flush=True)
            challenged("c", *inject("c: SYN in the window", "S", 1000, 0))
            challenged("d1", *inject("d1: data acknowledging 2^30 past SND.NXT", "PA", 0, 1 << 30, b"injected" * 16))
            challenged("d2", *inject("d2: data acknowledging 2^30 before SND.UNA", "PA", 0, -(1 << 30), b"injected" * 16))
            for _ in range(8):
                exchange(65536)
            if any(p[TCP].flags.R for p in seen if morgana(p)):
                fail("Morgana sent a RST")
            if sent.hexdigest() != back.hexdigest():
                fail("what came back is not what Linux sent")
            print("PASS intact", flush=True)
            print("RESET?", flush=True)
            sys.stdin.readline()

            answers, _, _ = inject("e: RST exactly at RCV.NXT", "R", 0, 0)
            if answers:
                fail("e: nobody answers a RST")
            start = len(seen)
            try:
                s.sendall(b"after the reset")
                s.recv(100)
                fail("e: the connection survived a RST at RCV.NXT")
            except ConnectionResetError as e:
                time.sleep(0.2)
                print("e: Linux's next segment was answered", [describe(p) for p in seen[start:] if morgana(p)], flush=True)
                print("PASS e", e, flush=True)
            print("SENT", sent.hexdigest(), flush=True)
            sniffer.stop()
            """;

    record Fixture(String tap, Netns netns) {}

    /** Echoes on port 7, hashing what it reads, and drives Linux's side while the test runs inside it. */
    static final class Node implements Application {
        private final Tcp tcp;
        private final Fixture fixture;
        private final CompletableFuture<String> received = new CompletableFuture<>();
        private final CompletableFuture<NetworkException> ended = new CompletableFuture<>();

        @Inject
        Node(Tcp tcp, Fixture fixture) {
            this.tcp = tcp;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            try (Tcp.Listener listener = tcp.listen(new Endpoint(Ipv4Address.ANY, ECHO), Tcp.Options.DEFAULT, flow -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                MemorySegment buffer = MemorySegment.ofArray(new byte[65536]);
                try {
                    int n;
                    while ((n = flow.read(buffer)) != -1) {
                        sha.update(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                        flow.write(buffer.asSlice(0, n));
                    }
                    ended.complete(null);
                } catch (NetworkException e) {
                    ended.complete(e);
                } finally {
                    received.complete(HexFormat.of().formatHex(sha.digest()));
                }
            })) {
                assertEquals(ECHO, listener.local().port());
                Netns netns = fixture.netns();
                netns.adopt(fixture.tap(), LINUX + "/24");
                Map<String, Long> before = TapProbes.byName(tcp);
                long started = System.nanoTime();
                Process linux = netns.start(Netns.require("python3"), "-u", "-c", SCAPY, fixture.tap(), OURS.toString(),
                        LINUX, MORGANA, Integer.toString(ECHO));
                List<String> output = new ArrayList<>();
                try {
                    BlockingQueue<String> lines = TapProbes.lines(linux);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    String line;
                    while (!TapProbes.EOF.equals(
                            line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS))) {
                        assertTrue(line != null, "Linux's side did not finish in 60 s: " + output);
                        System.out.println("linux: " + line);
                        output.add(line);
                        if (line.equals("RESET?")) {
                            // Before the control: Morgana holds the one connection, still established, and took
                            // every injected segment as well formed (their drops were RFC 5961's, not checksums').
                            List<String> connections = TapProbes.connections(tcp);
                            assertEquals(1, connections.size(), connections.toString());
                            assertTrue(connections.getFirst().endsWith(" ESTABLISHED"), connections.toString());
                            Map<String, Long> now = TapProbes.byName(tcp);
                            assertEquals(1, now.get("ACCEPTED") - before.get("ACCEPTED"), now.toString());
                            assertEquals(1, now.get("OPENED") - before.get("OPENED"), "the SYN opened nothing: " + now);
                            assertEquals(0, now.get("MALFORMED") - before.get("MALFORMED"), now.toString());
                            TapProbes.tell(linux, "go");
                        }
                    }
                    assertTrue(linux.waitFor(10, TimeUnit.SECONDS));
                    assertEquals(0, linux.exitValue(), String.join("\n", output));
                } finally {
                    linux.destroyForcibly();
                }
                for (String step : List.of("a", "b", "c", "d1", "d2", "intact")) {
                    assertTrue(output.contains("PASS " + step), step + " held: " + output);
                }
                assertTrue(output.stream().anyMatch(l -> l.startsWith("PASS e ")), "the control reset: " + output);

                // Morgana's side of the control: its flow failed with a reset, after reading exactly what Linux sent.
                NetworkException reset = ended.get(10, TimeUnit.SECONDS);
                assertTrue(reset != null && reset.reason() == NetworkException.Reason.CONNECTION_RESET,
                        "the echo's flow ended with " + reset);
                String sent = output.stream().filter(l -> l.startsWith("SENT ")).findFirst().orElseThrow().substring(5);
                assertEquals(sent, received.get(10, TimeUnit.SECONDS),
                        "Morgana read what Linux sent, nothing injected");
                assertEquals(List.of(), TapProbes.connections(tcp));
                Map<String, Long> after = TapProbes.byName(tcp);
                assertTrue(after.get("REFUSED") > before.get("REFUSED"), "Linux's data after the reset was refused: "
                        + after);
                System.out.printf("TcpInjectionOverTapTest: Linux's side ran %.1f s; TCP counters %s%n",
                        (System.nanoTime() - started) / 1e9, after);
            }
        }
    }

    @Test
    void blindResetsSynsAndAcksAreChallengedAndOnlyAnExactResetResets() throws Exception {
        Netns.requireTapAndNamespaces();
        TapProbes.requireScapy();
        try (Netns netns = Netns.create("inject")) {
            Fixture fixture = new Fixture(Netns.tapName(), netns);
            List<Module> modules = TapProbes.directModules(List.of("--tap", fixture.tap(), "--ip", MORGANA + "/24",
                    "--mac", OURS.toString()), Fixture.class, fixture);
            Unikernel.of("inject", Node.class, modules).run();
        }
    }
}

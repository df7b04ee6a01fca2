package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import dev.morgana.unix.internal.CustomCarriers;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Morgana's TCP on the direct target against Linux's, through a TAP device in a namespace the test creates. */
class TcpOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final int ECHO = 7;

    record Fixture(String tap, Netns netns) {}

    static final class Node implements Application {
        private final Tcp tcp;
        private final Fixture fixture;

        @Inject
        Node(Tcp tcp, Fixture fixture) {
            this.tcp = tcp;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            java.util.concurrent.atomic.AtomicReference<String> handler = new java.util.concurrent.atomic.AtomicReference<>();
            try (Tcp.Listener listener = tcp.listen(new Endpoint(Ipv4Address.ANY, ECHO), Tcp.Options.DEFAULT, flow -> {
                handler.set(Thread.currentThread().toString());
                MemorySegment buffer = MemorySegment.ofArray(new byte[65536]);
                int n;
                while ((n = flow.read(buffer)) != -1) {
                    flow.write(buffer.asSlice(0, n));
                }
            })) {
                Netns netns = fixture.netns();
                netns.adopt(fixture.tap(), LINUX + "/24");
                // Linux sends 4 MiB through our echo and hashes what comes back.
                Netns.Result echo = netns.exec(60, "sh", "-c", "head -c 4194304 /dev/urandom > /tmp/tcp-in-" + netns.name()
                        + " && sha256sum < /tmp/tcp-in-" + netns.name() + " && nc -N -w 10 " + MORGANA + " " + ECHO
                        + " < /tmp/tcp-in-" + netns.name() + " | sha256sum; rm -f /tmp/tcp-in-" + netns.name());
                String[] lines = echo.output().strip().split("\n");
                assertEquals(2, lines.length, echo.output());
                assertEquals(lines[0], lines[1], "what came back is what Linux sent: " + echo.output());
                assertEquals(ECHO, listener.local().port());
                // The handler runs on the TAP's loop, which received its connection, where java.lang is open to us
                // (the build's first run), else on the JDK's scheduler (its second): a mounted virtual thread
                // names its carrier ("VirtualThread[#42,tcp …]/runnable@morgana-tap-…").
                String carrier = handler.get().substring(handler.get().lastIndexOf('@') + 1);
                if (CustomCarriers.available()) {
                    assertEquals("morgana-tap-" + fixture.tap(), carrier, handler.get());
                } else {
                    assertTrue(carrier.startsWith("ForkJoinPool-"), handler.get());
                }

                // Morgana downloads 4 MiB from Linux's nc while the namespace drops 5% of the packets each way
                // (nftables: this kernel has no netem).
                TapProbes.loseRandomly(netns, 5);
                String file = "/tmp/tcp-out-" + netns.name();
                String expected = netns.exec(30, "sh", "-c", "head -c 4194304 /dev/urandom > " + file + " && sha256sum < "
                        + file).output().strip().split(" ")[0];
                Process server = netns.start("sh", "-c", "nc -N -l -p 5001 < " + file);
                try {
                    Flow flow = null;
                    for (int attempt = 0; attempt < 50 && flow == null; attempt++) {
                        try {
                            flow = tcp.connect(new Endpoint(Ipv4Address.parse(LINUX), 5001), Tcp.Options.DEFAULT);
                        } catch (dev.morgana.api.net.NetworkException e) {
                            Thread.sleep(100); // nc is not listening yet
                        }
                    }
                    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                    long total = 0;
                    try (Flow f = java.util.Objects.requireNonNull(flow, "never connected")) {
                        MemorySegment buffer = MemorySegment.ofArray(new byte[65536]);
                        int n;
                        while ((n = f.read(buffer)) != -1) {
                            sha.update(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                            total += n;
                        }
                    }
                    assertEquals(4194304, total);
                    System.out.println("nft dropped " + TapProbes.dropped(netns) + " packets");
                    assertEquals(expected, java.util.HexFormat.of().formatHex(sha.digest()));
                } finally {
                    server.destroyForcibly();
                    netns.exec(10, "rm", "-f", file);
                }
            }
        }
    }

    @Test
    void linuxEchoesFourMebibytesThroughMorgana() throws Exception {
        Netns.requireTapAndNamespaces();
        try (Netns netns = Netns.create("tcp")) {
            Fixture fixture = new Fixture(Netns.tapName(), netns);
            List<Module> modules = TapProbes.directModules(List.of("--tap", fixture.tap(), "--ip", MORGANA + "/24"),
                    Fixture.class, fixture);
            Unikernel.of("tcp", Node.class, modules).run();
        }
    }
}

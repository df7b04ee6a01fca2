package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TCP segmentation offload against Linux: Morgana sends 16 MiB to a socket in a namespace, in super-segments that
 * the kernel cuts at the MSS (the TAP's {@code IFF_VNET_HDR}); Linux's hash of what it received is Morgana's of
 * what it sent, and Morgana wrote far fewer frames than the data has segments. Then 2 MiB while the namespace
 * drops 5% of the packets each way, so that retransmissions (at the MSS) mix with super-segments.
 */
class TcpOffloadOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final int BYTES = 16 << 20;
    /**
     * Under loss, less: without SACK, NewReno repairs one hole per round trip, and a lost super-segment's holes
     * are many.
     */
    private static final int LOSSY_BYTES = 2 << 20;
    /** The MSS on a 1500-byte link with timestamps: 1500 − 20 − 20 − 12. */
    private static final int MSS = 1448;

    record Fixture(String tap, Netns netns) {}

    static final class Sender implements Application {
        private final Tcp tcp;
        private final Network network;
        private final Fixture fixture;

        @Inject
        Sender(Tcp tcp, Network network, Fixture fixture) {
            this.tcp = tcp;
            this.network = network;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            Netns netns = fixture.netns();
            netns.adopt(fixture.tap(), LINUX + "/24");

            long framesBefore = network.counters().framesOut();
            long offloadedBefore = TapProbes.byName(tcp).get("OFFLOADED");
            long start = System.nanoTime();
            send(netns, 5003, 1, BYTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            long frames = network.counters().framesOut() - framesBefore;
            long offloaded = TapProbes.byName(tcp).get("OFFLOADED") - offloadedBefore;
            System.out.printf("16 MiB to Linux in %.1f s, %d frames, %d of them super-segments (%d segments of the MSS);"
                    + " TCP %s%n", seconds, frames, offloaded, BYTES / MSS, TapProbes.byName(tcp));
            assertTrue(offloaded > 0, "super-segments were sent");
            assertTrue(frames < BYTES / MSS / 2, "fewer than half as many frames as segments on the wire: " + frames);

            TapProbes.loseRandomly(netns, 5);
            long offloadedLossless = TapProbes.byName(tcp).get("OFFLOADED");
            start = System.nanoTime();
            send(netns, 5004, 2, LOSSY_BYTES);
            seconds = (System.nanoTime() - start) / 1e9;
            long drops = TapProbes.dropped(netns);
            System.out.printf("2 MiB with 5%% loss each way in %.1f s: nft dropped %d packets; TCP %s%n", seconds, drops,
                    TapProbes.byName(tcp));
            assertTrue(TapProbes.byName(tcp).get("OFFLOADED") > offloadedLossless, "super-segments under loss too");
        }

        /** Sends {@code bytes} seeded bytes to a socat on {@code port} in the namespace; checks its hash. */
        private void send(Netns netns, int port, long seed, int bytes) throws Exception {
            Process sink = netns.start("sh", "-c", "socat -u TCP-LISTEN:" + port + ",reuseaddr STDOUT | sha256sum");
            try {
                Flow flow = null;
                for (int attempt = 0; attempt < 50 && flow == null; attempt++) {
                    try {
                        // Bounded: a write that finds no room for 120 s fails rather than hangs the build.
                        flow = tcp.connect(new Endpoint(Ipv4Address.parse(LINUX), port),
                                Tcp.Options.DEFAULT.withWriteTimeout(java.time.Duration.ofSeconds(120)));
                    } catch (NetworkException e) {
                        Thread.sleep(100); // socat is not listening yet
                    }
                }
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                SplittableRandom random = new SplittableRandom(seed);
                byte[] chunk = new byte[100_000]; // not a multiple of the MSS: short tails come and go
                try (Flow f = java.util.Objects.requireNonNull(flow, "never connected")) {
                    for (int sent = 0; sent < bytes; ) {
                        int n = Math.min(chunk.length, bytes - sent);
                        random.nextBytes(chunk);
                        sha.update(chunk, 0, n);
                        f.write(MemorySegment.ofArray(chunk).asSlice(0, n));
                        sent += n;
                    }
                }
                // What is left in flight after the last write can meet a chain of backed-off timeouts under loss.
                if (!sink.waitFor(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("socat did not end in 120 s");
                }
                String linuxGot = new String(sink.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                        .split(" ")[0];
                assertEquals(HexFormat.of().formatHex(sha.digest()), linuxGot, "what Linux received is what Morgana sent");
            } finally {
                sink.destroyForcibly();
            }
        }
    }

    @Test
    void linuxReceivesSuperSegmentsIntact() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("socat");
        try (Netns netns = Netns.create("tso")) {
            Fixture fixture = new Fixture(Netns.tapName(), netns);
            List<Module> modules = TapProbes.directModules(List.of("--tap", fixture.tap(), "--ip", MORGANA + "/24"),
                    Fixture.class, fixture);
            Unikernel.of("tso", Sender.class, modules).run();
        }
    }
}

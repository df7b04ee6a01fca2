package dev.morgana.testing.net;

import static dev.morgana.testing.net.Frames.numbered;
import static dev.morgana.testing.net.Frames.received;
import static dev.morgana.testing.net.Frames.send;
import static dev.morgana.testing.net.Frames.sequence;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.FaultInjectingNetwork.Injected;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class FaultInjectingNetworkTest {

    private VirtualClock clock = new VirtualClock();
    private SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).queueLimit(1 << 20).build();

    /** Starts again on a new clock and a new switch, in {@code mode}. */
    private void fresh(SimulatedSwitch.Mode mode) {
        clock = new VirtualClock();
        lan = SimulatedSwitch.builder(clock).ports(2).mode(mode).queueLimit(1 << 20).build();
    }

    private FaultInjectingNetwork lossy(long seed, Faults outgoing) {
        return FaultInjectingNetwork.builder(lan.port(0), clock).seed(seed).outgoing(outgoing).build();
    }

    /** Sends {@code count} numbered frames, one every 100 µs, and returns what port 1 received. */
    private List<byte[]> run(Network sender, int count) {
        List<byte[]> got = received(lan.port(1));
        for (int i = 0; i < count; i++) {
            send(sender, numbered(lan.port(1).mac(), sender.mac(), i));
            clock.advance(Duration.ofNanos(100_000));
        }
        clock.advance(Duration.ofSeconds(1));
        return got;
    }

    @Test
    void aTwentyPercentDropRateDropsAboutTwentyPercentOverSeeds() {
        for (long seed = 1; seed <= 5; seed++) {
            FaultInjectingNetwork lossy = lossy(seed, Faults.builder().drop(0.2).build());
            List<byte[]> got = run(lossy, 10_000);
            int dropped = 10_000 - got.size();
            // Binomial(10 000, 0.2): mean 2000, standard deviation 40; five of them are 200.
            assertTrue(Math.abs(dropped - 2000) < 200, "seed " + seed + " dropped " + dropped);
            assertEquals(dropped, lossy.outgoing().dropped());
            assertEquals(new Injected(dropped, 0, 0, 0, 0, 0, 0, 0), lossy.outgoing());
            assertEquals(dropped, lossy.counters().drops());
            assertEquals(10_000, lossy.counters().framesOut());
            lan.port(1).listen(frame -> {});
        }
    }

    @Test
    void theSameSeedGivesTheSameFramesAndAnotherSeedOthers() {
        Faults everything = Faults.builder().drop(0.1).duplicate(0.1).corrupt(0.1).truncate(0.1)
                .delay(0.1, Duration.ofMillis(1)).reorder(0.1, 4).build();
        // A hub: on a learning switch a corrupted source address can be learned, and the run then depends on it.
        fresh(SimulatedSwitch.Mode.HUB);
        List<byte[]> first = run(lossy(42, everything), 2000);
        fresh(SimulatedSwitch.Mode.HUB);
        List<byte[]> second = run(lossy(42, everything), 2000);
        fresh(SimulatedSwitch.Mode.HUB);
        List<byte[]> other = run(lossy(43, everything), 2000);
        assertTrue(first.size() > 1500, first.size() + " frames");
        assertTrue(same(first, second), "seed 42 twice");
        assertFalse(same(first, other), "seeds 42 and 43");
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** However frames are held back, none moves more than the window from where it was sent; none is lost. */
    @Property(tries = 20)
    void reorderingStaysWithinTheWindow(RandomGenerator random) {
        int window = 1 + random.nextInt(5);
        FaultInjectingNetwork lossy = lossy(random.nextLong(), Faults.builder().reorder(0.3, window).build());
        List<byte[]> got = received(lan.port(1));
        for (int i = 0; i < 2000; i++) {
            send(lossy, numbered(lan.port(1).mac(), lossy.mac(), i));
            if (random.nextInt(50) == 0) {
                clock.advance(Duration.ofMillis(random.nextInt(20))); // sometimes long enough to release on hold
            }
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2000, got.size());
        int moved = 0;
        boolean[] seen = new boolean[2000];
        for (int at = 0; at < got.size(); at++) {
            int sent = sequence(got.get(at));
            assertFalse(seen[sent]);
            seen[sent] = true;
            assertTrue(Math.abs(at - sent) <= window, "frame " + sent + " arrived " + at + "th, window " + window);
            moved += at != sent ? 1 : 0;
        }
        assertTrue(moved > 0);
        assertTrue(lossy.outgoing().reordered() > 400, "about 600 held: " + lossy.outgoing());
    }

    @Test
    void aFrameHeldWithNothingAfterItGoesOnAfterTheHold() {
        FaultInjectingNetwork lossy = lossy(1, Faults.builder().reorder(1, 3).reorderHold(Duration.ofMillis(2)).build());
        List<byte[]> got = received(lan.port(1));
        send(lossy, numbered(lan.port(1).mac(), lossy.mac(), 0));
        clock.advance(Duration.ofMillis(1));
        assertEquals(0, got.size());
        clock.advance(Duration.ofMillis(1).plusNanos(10_000));
        assertEquals(1, got.size());
        assertEquals(0, clock.pendingTimers());
    }

    @Test
    void corruptionChangesExactlyOneByteOfEveryFrame() {
        // A hub, so that a frame whose destination was hit still reaches port 1.
        fresh(SimulatedSwitch.Mode.HUB);
        FaultInjectingNetwork lossy = lossy(8, Faults.builder().corrupt(1).build());
        List<byte[]> got = received(lan.port(1));
        byte[] original = numbered(lan.port(1).mac(), lossy.mac(), 12345);
        for (int i = 0; i < 1000; i++) {
            send(lossy, original);
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1000, got.size());
        int[] hits = new int[original.length];
        for (byte[] frame : got) {
            assertEquals(original.length, frame.length);
            int changed = 0;
            for (int i = 0; i < frame.length; i++) {
                if (frame[i] != original[i]) {
                    changed++;
                    hits[i]++;
                }
            }
            assertEquals(1, changed);
        }
        assertEquals(1000, lossy.outgoing().corrupted());
        assertTrue(Arrays.stream(hits).allMatch(n -> n > 0), "every offset is hit sometime: " + Arrays.toString(hits));
    }

    @Test
    void truncationShortensToAPrefix() {
        FaultInjectingNetwork lossy = lossy(9, Faults.builder().truncate(1).build());
        List<byte[]> got = received(lan.port(1));
        byte[] original = numbered(MacAddress.BROADCAST, lossy.mac(), 1);
        for (int i = 0; i < 1000; i++) {
            send(lossy, original);
        }
        clock.advance(Duration.ofSeconds(1));
        // Frames cut below the 14-byte header are runts the switch drops.
        assertEquals(1000, got.size() + lan.statistics().runts());
        assertTrue(lan.statistics().runts() > 100);
        for (byte[] frame : got) {
            assertTrue(frame.length < original.length && frame.length >= 14);
            assertArrayEquals(Arrays.copyOf(original, frame.length), frame);
        }
        assertEquals(1000, lossy.outgoing().truncated());
    }

    @Test
    void duplicatesFollowTheirOriginal() {
        FaultInjectingNetwork lossy = lossy(10, Faults.builder().duplicate(1).build());
        List<byte[]> got = run(lossy, 100);
        assertEquals(200, got.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i / 2, sequence(got.get(i)));
        }
    }

    @Test
    void delaysAreUniformUpToTheMaximum() {
        FaultInjectingNetwork lossy = lossy(11, Faults.builder().delay(1, Duration.ofMillis(10)).build());
        Map<Integer, Long> arrival = new HashMap<>();
        lan.port(1).listen(frame -> arrival.put(sequence(frame.toArray(ValueLayout.JAVA_BYTE)), clock.monotonicNanos()));
        for (int i = 0; i < 1000; i++) {
            send(lossy, numbered(lan.port(1).mac(), lossy.mac(), i));
        }
        clock.advance(Duration.ofMillis(5));
        int early = arrival.size();
        assertTrue(Math.abs(early - 500) < 100, early + " of 1000 within half the maximum");
        clock.advance(Duration.ofMillis(6));
        assertEquals(1000, arrival.size());
        for (long at : arrival.values()) {
            assertTrue(at > 10_000 && at <= 10_010_000, "arrived at " + at);
        }
        assertEquals(1000, lossy.outgoing().delayed());
    }

    /** {@code tc netem delay 10ms reorder 25%}: three frames in four wait exactly 10 ms, in order; the rest overtake them. */
    @Test
    void aLatencyDelaysEveryFrameButThoseThatJumpAheadAsNetemDoes() {
        FaultInjectingNetwork lossy = FaultInjectingNetwork.builder(lan.port(0), clock, clock).seed(12)
                .outgoing(Faults.builder().latency(Duration.ofMillis(10), 0.25).build()).build();
        long[] sent = new long[1000];
        long[] arrived = new long[1000];
        List<Integer> order = new ArrayList<>();
        lan.port(1).listen(frame -> {
            int sequence = sequence(frame.toArray(ValueLayout.JAVA_BYTE));
            arrived[sequence] = clock.monotonicNanos();
            order.add(sequence);
        });
        for (int i = 0; i < 1000; i++) {
            sent[i] = clock.monotonicNanos();
            send(lossy, numbered(lan.port(1).mac(), lossy.mac(), i));
            clock.advance(Duration.ofNanos(100_000));
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1000, order.size());
        long link = Long.MAX_VALUE;
        for (int i = 0; i < 1000; i++) {
            link = Math.min(link, arrived[i] - sent[i]);
        }
        int jumped = 0;
        int previousWaiting = -1;
        for (int sequence : order) {
            long took = arrived[sequence] - sent[sequence];
            if (took == link) {
                jumped++;
            } else {
                assertEquals(link + 10_000_000, took, "frame " + sequence);
                assertTrue(sequence > previousWaiting, "frames that wait keep their order");
                previousWaiting = sequence;
            }
        }
        // Binomial(1000, 0.25): mean 250, standard deviation 14.
        assertTrue(Math.abs(jumped - 250) < 70, jumped + " jumped");
        assertEquals(new Injected(0, 0, 0, 0, 0, 0, 0, jumped), lossy.outgoing());
        int overtaken = 0;
        for (int at = 0; at < order.size(); at++) {
            overtaken += order.get(at) != at ? 1 : 0;
        }
        assertTrue(overtaken > 0, "jumping frames overtake waiting ones");
    }

    @Test
    void incomingFaultsHarmWhatTheStackReceives() {
        FaultInjectingNetwork lossy = FaultInjectingNetwork.builder(lan.port(1), clock).seed(3)
                .incoming(Faults.builder().drop(0.5).build()).build();
        List<byte[]> got = received(lossy);
        for (int i = 0; i < 1000; i++) {
            send(lan.port(0), numbered(lossy.mac(), lan.port(0).mac(), i));
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1000 - lossy.incoming().dropped(), got.size());
        assertTrue(Math.abs(got.size() - 500) < 100);
        assertEquals(new Network.Counters(got.size(), got.size() * 60L, 0, 0, lossy.incoming().dropped()),
                lossy.counters());
        assertEquals(new Injected(0, 0, 0, 0, 0, 0, 0, 0), lossy.outgoing());
        int previous = -1;
        for (byte[] frame : got) {
            assertTrue(sequence(frame) > previous);
            previous = sequence(frame);
        }
    }

    @Test
    void postponedFramesAreBoundedAndOverflowIsCounted() {
        FaultInjectingNetwork lossy = FaultInjectingNetwork.builder(lan.port(0), clock).seed(1).queueLimit(10)
                .outgoing(Faults.builder().delay(1, Duration.ofMillis(1)).build()).build();
        List<byte[]> got = received(lan.port(1));
        for (int i = 0; i < 100; i++) {
            send(lossy, numbered(lan.port(1).mac(), lossy.mac(), i));
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(10, got.size());
        assertEquals(90, lossy.outgoing().overflowed());
        assertEquals(90, lossy.counters().drops());
    }

    @Test
    void withoutFaultsFramesPassUnchangedAndAtOnce() {
        FaultInjectingNetwork clean = FaultInjectingNetwork.builder(lan.port(0), clock).build();
        assertEquals(lan.port(0).mac(), clean.mac());
        assertEquals(1500, clean.mtu());
        List<byte[]> got = run(clean, 10);
        assertEquals(10, got.size());
        assertEquals(new Network.Counters(0, 0, 10, 600, 0), clean.counters());
        assertThrows(IllegalArgumentException.class, () -> clean.write(1515, buffer -> 0));
    }

    @Test
    void ratesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Faults.builder().drop(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> Faults.builder().corrupt(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> Faults.builder().duplicate(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> Faults.builder().reorder(0.1, 0).build());
        assertThrows(IllegalArgumentException.class, () -> Faults.builder().delay(0.1, Duration.ZERO).build());
        assertFalse(Faults.NONE.any());
        assertTrue(Faults.builder().truncate(0.01).build().any());
        assertNotEquals(Faults.NONE, Faults.builder().drop(0.01).build());
    }
}

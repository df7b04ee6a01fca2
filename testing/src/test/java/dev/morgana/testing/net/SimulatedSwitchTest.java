package dev.morgana.testing.net;

import static dev.morgana.testing.net.Frames.ethernet;
import static dev.morgana.testing.net.Frames.numbered;
import static dev.morgana.testing.net.Frames.received;
import static dev.morgana.testing.net.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch.Mode;
import dev.morgana.testing.net.SimulatedSwitch.Statistics;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SimulatedSwitchTest {

    private final VirtualClock clock = new VirtualClock();

    private static final MacAddress MULTICAST = MacAddress.parse("01:00:5e:00:00:fb");

    @Test
    void portsHaveDistinctLocallyAdministeredAddressesAndTheMtu() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).mtu(9000)
                .addPort(MacAddress.parse("52:54:00:12:34:56")).build();
        assertEquals(4, lan.ports().size());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), lan.port(0).mac());
        assertEquals(MacAddress.parse("02:00:00:00:00:03"), lan.port(2).mac());
        assertEquals(MacAddress.parse("52:54:00:12:34:56"), lan.port(3).mac());
        assertEquals(9000, lan.port(1).mtu());
        assertEquals(Duration.ofNanos(5000), lan.port(1).latency());
        assertThrows(IllegalArgumentException.class, () -> lan.port(0).write(9015, buffer -> 0));
        assertThrows(IllegalArgumentException.class, () -> lan.port(0).write(-1, buffer -> 0));
    }

    @Test
    void broadcastAndMulticastFloodToEveryOtherPortAfterTwoLinkLatencies() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        List<List<byte[]>> got = List.of(received(lan.port(0)), received(lan.port(1)), received(lan.port(2)));
        byte[] broadcast = ethernet(MacAddress.BROADCAST, lan.port(0).mac(), 0x0806, new byte[28]);
        byte[] multicast = ethernet(MULTICAST, lan.port(1).mac(), 0x0800, new byte[46]);
        send(lan.port(0), broadcast);
        send(lan.port(1), multicast);
        assertEquals(0, got.get(1).size(), "nothing is delivered before the clock moves");
        assertEquals(4, lan.inFlight() + 2);
        clock.advance(Duration.ofNanos(9_999));
        assertEquals(0, got.get(1).size(), "a frame takes two link latencies of 5 µs");
        clock.advance(Duration.ofNanos(1));
        assertEquals(1, got.get(0).size());
        assertArrayEquals(multicast, got.get(0).get(0));
        assertEquals(1, got.get(1).size());
        assertArrayEquals(broadcast, got.get(1).get(0));
        assertEquals(2, got.get(2).size());
        assertEquals(0, lan.inFlight());
        assertEquals(new Statistics(2, 0, 2, 0, 0, 0, 2), lan.statistics());
        assertEquals(new Network.Counters(1, 46 + 14, 1, 42, 0), lan.port(0).counters());
        assertEquals(new Network.Counters(2, 42 + 60, 0, 0, 0), lan.port(2).counters());
    }

    @Test
    void learningSwitchFloodsUnknownUnicastThenForwardsToTheLearnedPortOnly() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        List<byte[]> at0 = received(lan.port(0));
        List<byte[]> at1 = received(lan.port(1));
        List<byte[]> at2 = received(lan.port(2));
        MacAddress a = lan.port(0).mac();
        MacAddress b = lan.port(1).mac();
        send(lan.port(0), numbered(b, a, 1));
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, at1.size());
        assertEquals(1, at2.size(), "b is unknown yet: flooded");
        assertEquals(0, lan.port(0).index());
        assertEquals(0, lan.lookup(a));
        assertEquals(-1, lan.lookup(b));

        send(lan.port(1), numbered(a, b, 2));
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, at0.size());
        assertEquals(1, at2.size(), "a was learned: forwarded to its port only");
        assertEquals(1, lan.lookup(b));

        send(lan.port(0), numbered(b, a, 3));
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, at1.size());
        assertEquals(1, at2.size());
        assertEquals(new Statistics(3, 2, 1, 0, 0, 0, 2), lan.statistics());
    }

    @Test
    void multicastSourcesAreNotLearnedAndFramesBackToTheirOwnPortAreFiltered() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        List<byte[]> at1 = received(lan.port(1));
        List<byte[]> at2 = received(lan.port(2));
        send(lan.port(0), numbered(MacAddress.BROADCAST, MULTICAST, 1));
        clock.advance(Duration.ofMillis(1));
        assertEquals(-1, lan.lookup(MULTICAST));
        MacAddress elsewhere = MacAddress.parse("02:aa:00:00:00:01");
        send(lan.port(0), numbered(MacAddress.BROADCAST, elsewhere, 2));
        // A node on port 0 sends to an address that the switch learned on port 0 (a second host behind it).
        send(lan.port(0), numbered(elsewhere, lan.port(0).mac(), 3));
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, at1.size());
        assertEquals(2, at2.size());
        assertEquals(1, lan.statistics().filtered());
    }

    @Test
    void hubModeFloodsEverythingAndLearnsNothing() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).mode(Mode.HUB).build();
        assertEquals(Mode.HUB, lan.mode());
        List<byte[]> at0 = received(lan.port(0));
        List<byte[]> at2 = received(lan.port(2));
        MacAddress a = lan.port(0).mac();
        MacAddress b = lan.port(1).mac();
        for (int i = 0; i < 3; i++) {
            send(lan.port(0), numbered(b, a, i));
            send(lan.port(1), numbered(a, b, i));
        }
        clock.advance(Duration.ofMillis(1));
        assertEquals(3, at0.size());
        assertEquals(6, at2.size(), "a hub repeats unicast to every port");
        assertEquals(new Statistics(6, 0, 6, 0, 0, 0, 0), lan.statistics());
    }

    @Test
    void entriesAgeOutAndThenFramesFloodAgain() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).aging(Duration.ofSeconds(30)).build();
        received(lan.port(0));
        received(lan.port(1));
        List<byte[]> at2 = received(lan.port(2));
        MacAddress a = lan.port(0).mac();
        MacAddress b = lan.port(1).mac();
        send(lan.port(1), numbered(a, b, 0));
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, lan.lookup(b));
        send(lan.port(0), numbered(b, a, 1));
        clock.advance(Duration.ofSeconds(1).plusMillis(1));
        assertEquals(1, at2.size(), "b still known: not flooded to port 2");
        assertEquals(-1, lan.lookup(b), "30 s without a frame from b");
        send(lan.port(0), numbered(b, a, 2));
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, at2.size(), "b aged out: flooded");
    }

    @Test
    void aFullMacTableLearnsNothingNewAndFloodsWhatItCouldNotLearn() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).macTableLimit(4).build();
        received(lan.port(0));
        List<byte[]> at1 = received(lan.port(1));
        List<byte[]> at2 = received(lan.port(2));
        for (int i = 0; i < 10; i++) {
            send(lan.port(0), numbered(MacAddress.BROADCAST, new MacAddress(0x02AA_0000_0000L + i), i));
            clock.advance(Duration.ofMillis(1));
            assertTrue(lan.statistics().macTableSize() <= 4);
        }
        assertEquals(4, lan.statistics().macTableSize());
        assertEquals(6, lan.statistics().notLearned());
        assertEquals(0, lan.lookup(new MacAddress(0x02AA_0000_0003L)));
        assertEquals(-1, lan.lookup(new MacAddress(0x02AA_0000_0004L)));
        send(lan.port(1), numbered(new MacAddress(0x02AA_0000_0009L), lan.port(1).mac(), 99));
        clock.advance(Duration.ofMillis(1));
        assertEquals(11, at2.size(), "the unlearned address is flooded");
        assertEquals(10, at1.size());
        // After the entries age out, new addresses are learned again.
        clock.advance(Duration.ofMinutes(5));
        send(lan.port(1), numbered(MacAddress.BROADCAST, lan.port(1).mac(), 100));
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, lan.lookup(lan.port(1).mac()));
        assertTrue(lan.statistics().macTableSize() <= 4);
    }

    @Test
    void queuesAreBoundedBothWaysAndOverflowIsCountedAsDrops() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).queueLimit(8).build();
        List<byte[]> at2 = received(lan.port(2));
        for (int i = 0; i < 20; i++) {
            send(lan.port(0), numbered(MacAddress.BROADCAST, lan.port(0).mac(), i));
            send(lan.port(1), numbered(MacAddress.BROADCAST, lan.port(1).mac(), i));
        }
        assertEquals(16, lan.inFlight());
        assertEquals(new Network.Counters(0, 0, 20, 20 * 60, 12), lan.port(0).counters());
        clock.advance(Duration.ofMillis(1));
        // 16 frames reach the switch at the same instant; port 2 takes 8 of them, and port 1 (no handler)
        // drops the 8 from port 0.
        assertEquals(8, at2.size());
        assertEquals(8, lan.port(2).counters().drops());
        assertEquals(12 + 8, lan.port(1).counters().drops());
        assertEquals(0, lan.inFlight());
    }

    @Test
    void anyThreadMayWrite() throws InterruptedException {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(5).queueLimit(100_000).build();
        List<byte[]> at4 = received(lan.port(4));
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Network port = lan.port(i);
            writers.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < 5000; n++) {
                    send(port, numbered(lan.port(4).mac(), port.mac(), n));
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        clock.advance(Duration.ofMillis(1));
        assertEquals(20_000, at4.size());
        assertEquals(20_000, lan.statistics().switched());
        assertEquals(new Network.Counters(20_000, 20_000 * 60L, 0, 0, 0), lan.port(4).counters());
    }

    @Test
    void runtsAreDroppedAndCounted() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        List<byte[]> at1 = received(lan.port(1));
        send(lan.port(0), new byte[13]);
        send(lan.port(0), new byte[0]);
        clock.advance(Duration.ofMillis(1));
        assertEquals(0, at1.size());
        assertEquals(2, lan.statistics().runts());
        assertEquals(2, lan.port(0).counters().drops());
        assertEquals(2, lan.port(0).counters().framesOut());
    }

    @Test
    void aClosedPortRefusesWritesAndDropsWhatComesForIt() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        received(lan.port(1));
        send(lan.port(0), numbered(MacAddress.BROADCAST, lan.port(0).mac(), 1));
        lan.port(1).close();
        lan.port(1).close();
        assertTrue(lan.port(1).isClosed());
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, lan.port(1).counters().drops());
        assertEquals(0, lan.port(1).counters().framesIn());
        NetworkException refused = assertThrows(NetworkException.class,
                () -> lan.port(1).write(60, buffer -> 60));
        assertEquals(NetworkException.Reason.CLOSED, refused.reason());
    }

    @Test
    void segmentsAreReadOnlyAndValidOnlyDuringTheCall() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        List<MemorySegment> kept = new ArrayList<>();
        List<MemorySegment> buffers = new ArrayList<>();
        lan.port(1).listen(frame -> {
            assertTrue(frame.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> frame.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            kept.add(frame);
        });
        send(lan.port(0), numbered(MacAddress.BROADCAST, lan.port(0).mac(), 7));
        assertThrows(IllegalStateException.class, () -> lan.port(0).write(60, buffer -> 61));
        assertThrows(IllegalStateException.class, () -> lan.port(0).write(60, buffer -> {
            buffers.add(buffer);
            return -1;
        }));
        assertEquals(60, buffers.get(0).byteSize(), "the buffer is exactly as large as asked");
        assertThrows(IllegalStateException.class, () -> buffers.get(0).get(ValueLayout.JAVA_BYTE, 0));
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, kept.size());
        assertThrows(IllegalStateException.class, () -> kept.get(0).get(ValueLayout.JAVA_BYTE, 0),
                "a frame kept beyond its call is caught");
    }

    @Test
    void aPortMayHaveALinkOfItsOwnLatency() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).latency(Duration.ofNanos(20_000)).ports(1)
                .addPort(MacAddress.parse("02:00:00:00:00:99"), Duration.ofMillis(3)).build();
        List<Long> arrivals = new ArrayList<>();
        lan.port(1).listen(frame -> arrivals.add(clock.monotonicNanos()));
        lan.port(0).listen(frame -> arrivals.add(clock.monotonicNanos()));
        send(lan.port(0), numbered(MacAddress.BROADCAST, lan.port(0).mac(), 1));
        send(lan.port(1), numbered(MacAddress.BROADCAST, lan.port(1).mac(), 2));
        clock.advance(Duration.ofSeconds(1));
        // 20 µs + 3 ms either way: from port 0 to the switch and on to port 1, and back.
        assertEquals(List.of(3_020_000L, 3_020_000L), arrivals);
    }

    @Test
    void zeroLatencyDeliversWhenTheClockIsAdvancedByNothing() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).latency(Duration.ZERO).ports(2).build();
        List<byte[]> at1 = received(lan.port(1));
        send(lan.port(0), numbered(MacAddress.BROADCAST, lan.port(0).mac(), 1));
        assertEquals(0, at1.size());
        clock.advance(Duration.ZERO);
        assertEquals(1, at1.size());
        assertEquals(0, clock.monotonicNanos());
    }

    /**
     * Two nodes that answer every frame from inside their handlers: the conversation goes on through the
     * clock, never through the call stack, and a second of it is exactly 1 s / 10 µs exchanges.
     */
    @Test
    void handlersThatAnswerFromInsideTheCallAreNeverReentered() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        int[] depth = {-1, 0};
        int[] inside = {0};
        long[] frames = {0};
        for (int i = 0; i < 2; i++) {
            Network self = lan.port(i);
            MacAddress peer = lan.port(1 - i).mac();
            self.listen(frame -> {
                assertEquals(0, inside[0]++, "re-entered");
                if (frames[0]++ % 997 == 0) {
                    int here = StackWalker.getInstance().walk(java.util.stream.Stream::count).intValue();
                    if (depth[0] < 0) {
                        depth[0] = here;
                    }
                    depth[1] = Math.max(depth[1], here);
                }
                send(self, numbered(peer, self.mac(), Frames.sequence(frame.toArray(ValueLayout.JAVA_BYTE)) + 1));
                inside[0]--;
            });
        }
        send(lan.port(0), numbered(lan.port(1).mac(), lan.port(0).mac(), 0));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(100_000, frames[0]);
        assertEquals(depth[0], depth[1], "the stack does not grow");
        assertEquals(1, lan.inFlight());
    }

    /** An hour of three nodes that broadcast every second (from 0 s to 3599 s) and answer each other: milliseconds. */
    @Test
    void aSimulatedHourOfPeriodicTrafficTakesWellUnderASecond() {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        long[] answers = new long[3];
        Set<Long> sources = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Network self = lan.port(i);
            int node = i;
            self.listen(frame -> {
                byte[] bytes = frame.toArray(ValueLayout.JAVA_BYTE);
                sources.add(Segments.mac(bytes, 6));
                if (Segments.mac(bytes, 0) == MacAddress.BROADCAST.bits()) {
                    send(self, numbered(MacAddress.ofBytes(java.util.Arrays.copyOfRange(bytes, 6, 12)), self.mac(),
                            Frames.sequence(bytes)));
                } else {
                    answers[node]++;
                }
            });
            periodic(self, i * 1000L);
        }
        // The thread's CPU time, not the wall clock's: other builds on a loaded machine must not fail this.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wallStart = System.nanoTime();
        long start = threads.getCurrentThreadCpuTime();
        clock.advance(Duration.ofHours(1));
        long took = threads.getCurrentThreadCpuTime() - start;
        long wall = System.nanoTime() - wallStart;
        assertEquals(Duration.ofHours(1).toNanos(), clock.monotonicNanos());
        for (int i = 0; i < 3; i++) {
            assertEquals(2 * 3600, answers[i], "node " + i + ": two answers to each of its 3600 broadcasts");
            assertEquals(0, lan.port(i).counters().drops());
        }
        assertEquals(3, sources.size());
        assertEquals(3 * 3600 * 3, lan.statistics().switched());
        assertTrue(took < 1_000_000_000L, "a simulated hour took " + took / 1_000_000 + " ms of CPU time ("
                + wall / 1_000_000 + " ms on the wall clock)");
    }

    /**
     * Five nodes on a lossy switch (every fault on), each answering some frames from inside its handler and
     * sending on its own timers: two runs of the same seed deliver the same bytes to the same nodes at the
     * same instants.
     */
    @Property(tries = 10)
    void runsAreDeterministic(RandomGenerator random) {
        long seed = random.nextLong();
        List<String> first = scenario(seed);
        assertTrue(first.size() > 100, first.size() + " deliveries");
        assertEquals(first, scenario(seed));
    }

    /** The log of one run: instant, node, bytes of every delivery. */
    private static List<String> scenario(long seed) {
        VirtualClock clock = new VirtualClock();
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        Mode mode = random.nextBoolean() ? Mode.LEARNING : Mode.HUB;
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(5).mode(mode).queueLimit(64).build();
        Faults faults = Faults.builder().drop(0.1).duplicate(0.05).corrupt(0.05).truncate(0.02)
                .delay(0.1, Duration.ofMillis(3)).reorder(0.1, 3).build();
        List<String> log = new ArrayList<>();
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(FaultInjectingNetwork.builder(lan.port(i), clock).seed(seed + i).both(faults).build());
        }
        for (int i = 0; i < 5; i++) {
            Network self = nodes.get(i);
            int node = i;
            self.listen(frame -> {
                byte[] bytes = frame.toArray(ValueLayout.JAVA_BYTE);
                log.add(clock.monotonicNanos() + " " + node + " " + java.util.HexFormat.of().formatHex(bytes));
                if (bytes.length >= 18 && Frames.sequence(bytes) % 3 == 0 && log.size() < 5000) {
                    send(self, numbered(nodes.get(Math.floorMod(Frames.sequence(bytes), 5)).mac(), self.mac(),
                            Frames.sequence(bytes) + 1));
                }
            });
        }
        for (int k = 0; k < 300; k++) {
            int from = random.nextInt(5);
            MacAddress to = random.nextInt(4) == 0 ? MacAddress.BROADCAST : nodes.get(random.nextInt(5)).mac();
            int sequence = random.nextInt(1000);
            clock.schedule(random.nextLong(1_000_000_000L), () -> send(nodes.get(from), numbered(to,
                    nodes.get(from).mac(), sequence)));
        }
        clock.advance(Duration.ofSeconds(2));
        return log;
    }

    private void periodic(Network node, long atNanos) {
        clock.schedule(atNanos, () -> {
            send(node, numbered(MacAddress.BROADCAST, node.mac(), (int) (atNanos / 1_000_000_000L)));
            periodic(node, atNanos + 1_000_000_000L);
        });
    }
}

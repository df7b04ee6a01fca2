package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.FaultInjectingNetwork;
import dev.morgana.testing.net.Faults;
import dev.morgana.testing.net.SimulatedSwitch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * ARP on the simulated network: K nodes (Ethernet and ARP over a port of a {@link SimulatedSwitch}, behind a
 * {@link FaultInjectingNetwork} that loses, duplicates and delays frames) all resolve each other within the
 * retry budget, and no node's cache or pending queue ever exceeds its bound. Replay a failure with
 * {@code -Dmorgana.seed=N}.
 */
class SimulatedArpPropertiesTest {

    static final Duration INTERVAL = Duration.ofMillis(200);
    static final int RETRIES = 9;
    static final Duration STEP = Duration.ofMillis(5);

    /** One resolution: who asked, for whom, when, and what it was told when. */
    static class Asked implements Arp.Resolution {
        final int from;
        final int to;
        final long at;
        final VirtualClock clock;
        final List<Object> told = new ArrayList<>();
        long answeredAt = -1;

        Asked(int from, int to, VirtualClock clock) {
            this.from = from;
            this.to = to;
            this.clock = clock;
            this.at = clock.monotonicNanos();
        }

        @Override
        public void resolved(MacAddress mac) {
            told.add(mac);
            answeredAt = clock.monotonicNanos();
        }

        @Override
        public void failed(NetworkException error) {
            told.add(error.reason());
            answeredAt = clock.monotonicNanos();
        }
    }

    static Ipv4Address address(int node) {
        return Ipv4Address.of(10, 0, 0, node + 1);
    }

    /** Schedules an ask of node {@code from} for node {@code to} at {@code when}; an essential one is asked again when refused. */
    static void ask(VirtualClock clock, List<ArpLayer> nodes, List<Asked> asked, int from, int to, long when,
            boolean essential) {
        clock.schedule(when, () -> {
            Asked a = new Asked(from, to, clock) {
                @Override
                public void failed(NetworkException error) {
                    super.failed(error);
                    if (essential && error.reason() == NetworkException.Reason.UNREACHABLE) {
                        ask(clock, nodes, asked, from, to, clock.monotonicNanos() + 10_000_000L, true);
                    }
                }
            };
            asked.add(a);
            nodes.get(from).resolve(address(to), a);
        });
    }

    @Property(tries = 40)
    void nodesOnALossySwitchAllResolveEachOtherWithinTheRetryBudget(RandomGenerator random) {
        VirtualClock clock = new VirtualClock();
        int k = random.nextInt(2, 9);
        double loss = random.nextDouble(0, 0.1);
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(k)
                .mode(random.nextBoolean() ? SimulatedSwitch.Mode.LEARNING : SimulatedSwitch.Mode.HUB).build();
        ArpConfig config = ArpConfig.DEFAULT.withTimers(Duration.ofSeconds(30), RETRIES, INTERVAL)
                .withBounds(random.nextInt(1, k + 1), random.nextInt(1, 3), random.nextInt(1, 2 * k));
        Faults faults = Faults.builder().drop(loss).duplicate(random.nextDouble(0, 0.05))
                .delay(random.nextDouble(0, 0.2), Duration.ofMillis(20)).build();
        List<ArpLayer> nodes = new ArrayList<>();
        List<MacAddress> macs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            FaultInjectingNetwork port = FaultInjectingNetwork.builder(lan.port(i), clock).seed(random.nextLong())
                    .both(faults).build();
            EthernetLayer ethernet = new EthernetLayer(port, EthernetConfig.DEFAULT);
            ArpLayer arp = new ArpLayer(ethernet, clock, clock, config);
            ethernet.start();
            arp.start();
            arp.addAddress(address(i));
            nodes.add(arp);
            macs.add(port.mac());
        }
        // Every node asks for every other at a moment in the first 100 ms, sometimes in a burst of several
        // asks. An ask refused because a pending queue is full is asked again 10 ms later, as an upper layer
        // would; the others in its burst are not.
        List<Asked> asked = new ArrayList<>();
        for (int from = 0; from < k; from++) {
            for (int to = 0; to < k; to++) {
                if (from != to) {
                    int times = random.nextInt(4) == 0 ? random.nextInt(2, 5) : 1;
                    for (int t = 0; t < times; t++) {
                        ask(clock, nodes, asked, from, to, random.nextLong(0, 100_000_000L), t == 0);
                    }
                }
            }
        }
        long budget = (RETRIES + 1) * INTERVAL.toNanos();
        long limit = Duration.ofSeconds(60).toNanos();
        while (clock.monotonicNanos() < limit && !allResolved(k, asked)) {
            clock.advance(STEP);
            for (ArpLayer node : nodes) {
                ArpLayer.Counters counters = node.counters();
                assertTrue(counters.cacheSize() <= config.cacheSize(), "cache over its bound: " + counters);
                assertTrue(counters.pending() <= config.pendingTotal(), "pending over its bound: " + counters);
            }
        }
        assertTrue(allResolved(k, asked), "every node resolved every other within 60 s");
        long refused = 0;
        for (Asked a : asked) {
            assertEquals(1, a.told.size(), "told exactly once: " + a.told);
            Object outcome = a.told.getFirst();
            if (outcome == NetworkException.Reason.UNREACHABLE) {
                refused++; // the pending queue was full: refused at once
                assertEquals(a.at, a.answeredAt);
                continue;
            }
            assertEquals(macs.get(a.to), outcome, "node " + a.from + " asking for node " + a.to);
            assertTrue(a.answeredAt - a.at <= budget, "answered within the retry budget: " + (a.answeredAt - a.at));
        }
        long drops = nodes.stream().mapToLong(n -> n.counters().core().queueDrops()).sum();
        assertEquals(drops, refused, "every refusal counted");
    }

    /** Whether every ask so far was told, no more are due, and each node resolved each other. */
    static boolean allResolved(int k, List<Asked> asked) {
        if (asked.stream().anyMatch(a -> a.told.isEmpty())) {
            return false;
        }
        boolean[][] resolved = new boolean[k][k];
        for (Asked a : asked) {
            if (a.told.getFirst() instanceof MacAddress) {
                resolved[a.from][a.to] = true;
            }
        }
        for (int from = 0; from < k; from++) {
            for (int to = 0; to < k; to++) {
                if (from != to && !resolved[from][to]) {
                    return false;
                }
            }
        }
        return true;
    }
}

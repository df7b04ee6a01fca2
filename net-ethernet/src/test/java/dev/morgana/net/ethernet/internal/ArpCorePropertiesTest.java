package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.testing.Property;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Seeded properties of the ARP core (replay a failure with -Dmorgana.seed=N). */
class ArpCorePropertiesTest {

    static final MacAddress US = ArpCoreTest.US;

    /**
     * The in-place answer is the general path, only cheaper: two cores fed the same random events, one
     * trying {@link ArpCore#answerKnownRequest} on every request first, send the same packets and end in the
     * same state with the same counters.
     */
    @Property(tries = 200)
    void answeringInPlaceChangesNothingButTheCost(RandomGenerator random) {
        ArpConfig config = new ArpConfig(random.nextInt(1, 5), Duration.ofSeconds(random.nextInt(1, 30)),
                random.nextInt(0, 3), Duration.ofMillis(500), random.nextInt(1, 3), random.nextInt(1, 6),
                Map.of(Ipv4Address.of(10, 0, 0, 9), MacAddress.parse("02:00:00:00:00:99")));
        ArpCore<Integer> general = new ArpCore<>(US, config);
        ArpCore<Integer> fast = new ArpCore<>(US, config);
        List<String> generalSends = new ArrayList<>();
        List<String> fastSends = new ArrayList<>();
        long now = 0;
        for (int event = 0; event < 200; event++) {
            now += random.nextLong(0, 2_000_000_000L);
            Ipv4Address ip = Ipv4Address.of(10, 0, 0, random.nextInt(1, 10));
            MacAddress mac = random.nextInt(4) == 0 ? US : new MacAddress(0x0200_0000_0000L + random.nextInt(1, 4));
            switch (random.nextInt(6)) {
                case 0 -> {
                    record(general.addAddress(now, ip), generalSends);
                    record(fast.addAddress(now, ip), fastSends);
                }
                case 1 -> {
                    record(general.resolve(now, ip, event), generalSends);
                    record(fast.resolve(now, ip, event), fastSends);
                }
                case 2 -> {
                    record(general.timer(now), generalSends);
                    record(fast.timer(now), fastSends);
                }
                case 3 -> {
                    ArpMessage reply = new ArpMessage.Reply(mac, ip, US, Ipv4Address.of(10, 0, 0, random.nextInt(1, 10)));
                    record(general.received(now, reply), generalSends);
                    record(fast.received(now, reply), fastSends);
                }
                default -> {
                    Ipv4Address sender = random.nextInt(10) == 0 ? Ipv4Address.ANY : ip;
                    ArpMessage request = ArpMessage.Request.of(mac, sender, Ipv4Address.of(10, 0, 0, random.nextInt(1, 10)));
                    record(general.received(now, request), generalSends);
                    MacAddress answered = fast.answerKnownRequest(now, mac.bits(), sender.bits(), request.targetIp().bits());
                    if (answered != null) {
                        fastSends.add(answered + " " + new ArpMessage.Reply(US, request.targetIp(), answered, sender));
                    } else {
                        record(fast.received(now, request), fastSends);
                    }
                }
            }
            assertEquals(generalSends, fastSends, "event " + event);
            for (int last = 1; last < 10; last++) {
                Ipv4Address address = Ipv4Address.of(10, 0, 0, last);
                assertEquals(general.entry(now, address), fast.entry(now, address), "entry of " + address);
            }
            assertEquals(general.counters(), fast.counters());
            assertEquals(general.cacheSize(), fast.cacheSize());
        }
    }

    private static void record(ArpCore.Actions<Integer> actions, List<String> sends) {
        for (ArpCore.Send send : actions.sends()) {
            sends.add(send.destination() + " " + send.message());
        }
        for (ArpCore.Resolved<Integer> resolved : actions.resolved()) {
            sends.add("resolved " + resolved.waiter() + " " + resolved.mac());
        }
        for (ArpCore.Failed<Integer> failed : actions.failed()) {
            sends.add("failed " + failed.waiter() + " " + failed.error().reason());
        }
    }
}

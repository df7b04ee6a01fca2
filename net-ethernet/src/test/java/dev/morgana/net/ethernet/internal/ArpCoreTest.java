package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.internal.ArpCore.Absent;
import dev.morgana.net.ethernet.internal.ArpCore.Actions;
import dev.morgana.net.ethernet.internal.ArpCore.Conflict;
import dev.morgana.net.ethernet.internal.ArpCore.Incomplete;
import dev.morgana.net.ethernet.internal.ArpCore.Own;
import dev.morgana.net.ethernet.internal.ArpCore.Reachable;
import dev.morgana.net.ethernet.internal.ArpCore.Resolved;
import dev.morgana.net.ethernet.internal.ArpCore.Send;
import dev.morgana.net.ethernet.internal.ArpCore.Static;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ARP core, one test per state of an address and event, named {@code <state><Event>}: the state is the
 * address's {@link ArpCore.Entry} before the event (Absent, Incomplete, Reachable, Static, Own).
 */
class ArpCoreTest {

    static final MacAddress US = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress THIRD = MacAddress.parse("02:00:00:00:00:03");
    static final MacAddress FIXED = MacAddress.parse("02:00:00:00:00:99");
    static final Ipv4Address OURS = Ipv4Address.parse("192.0.2.1");
    static final Ipv4Address PEER_IP = Ipv4Address.parse("192.0.2.2");
    static final Ipv4Address THIRD_IP = Ipv4Address.parse("192.0.2.3");
    static final Ipv4Address STATIC_IP = Ipv4Address.parse("192.0.2.99");
    static final long SECOND = 1_000_000_000L;
    static final long INTERVAL = SECOND; // retry interval
    static final long LIFETIME = 60 * SECOND;
    static final MacAddress ZERO = new MacAddress(0);

    static final ArpConfig CONFIG = new ArpConfig(2, Duration.ofNanos(LIFETIME), 2, Duration.ofNanos(INTERVAL), 2, 3,
            java.util.Map.of(STATIC_IP, FIXED));

    private ArpCore<String> core;
    private long now;

    @BeforeEach
    void setUp() {
        core = new ArpCore<>(US, CONFIG);
        now = 1000 * SECOND;
        core.addAddress(now, OURS);
    }

    // Templates: what the peer sends.
    static ArpMessage requestFrom(MacAddress mac, Ipv4Address ip, Ipv4Address target) {
        return ArpMessage.Request.of(mac, ip, target);
    }

    static ArpMessage replyFrom(MacAddress mac, Ipv4Address ip) {
        return new ArpMessage.Reply(mac, ip, US, OURS);
    }

    static Send broadcastRequestFor(Ipv4Address target) {
        return new Send(MacAddress.BROADCAST, ArpMessage.Request.of(US, OURS, target));
    }

    private void assertEntry(ArpCore.Entry expected, Ipv4Address address) {
        assertEquals(expected, core.entry(now, address));
    }

    private Actions<String> incomplete(String... waiters) {
        Actions<String> last = null;
        for (String waiter : waiters) {
            last = core.resolve(now, PEER_IP, waiter);
        }
        return last;
    }

    private void reachable(MacAddress mac, Ipv4Address ip) {
        core.resolve(now, ip, "setup");
        core.received(now, new ArpMessage.Reply(mac, ip, US, OURS));
    }

    // Absent

    @Test
    void absentResolve() {
        Actions<String> actions = core.resolve(now, PEER_IP, "w");
        assertEquals(List.of(broadcastRequestFor(PEER_IP)), actions.sends());
        assertEquals(now + INTERVAL, actions.deadline());
        assertEntry(new Incomplete(1, now + INTERVAL, 1), PEER_IP);
        assertEquals(List.of(), actions.resolved());
    }

    @Test
    void absentRequestForUs() {
        // RFC 826: we are the target, so the sender is added, and the request answered.
        Actions<String> actions = core.received(now, requestFrom(PEER, PEER_IP, OURS));
        assertEquals(List.of(new Send(PEER, new ArpMessage.Reply(US, OURS, PEER, PEER_IP))), actions.sends());
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
    }

    @Test
    void absentRequestForAnother() {
        Actions<String> actions = core.received(now, requestFrom(PEER, PEER_IP, THIRD_IP));
        assertEquals(List.of(), actions.sends(), "replies only for our own addresses");
        assertEntry(new Absent(), PEER_IP);
    }

    @Test
    void absentReplyForUs() {
        Actions<String> actions = core.received(now, replyFrom(PEER, PEER_IP));
        assertEquals(List.of(), actions.sends());
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
    }

    @Test
    void absentAnnouncement() {
        core.received(now, ArpMessage.Request.announcement(PEER, PEER_IP));
        assertEntry(new Absent(), PEER_IP); // RFC 826: not in the table and not for us, so not added
    }

    @Test
    void absentProbeForAnother() {
        Actions<String> actions = core.received(now, requestFrom(PEER, Ipv4Address.ANY, THIRD_IP));
        assertEquals(List.of(), actions.sends());
        assertEntry(new Absent(), Ipv4Address.ANY);
    }

    @Test
    void absentRequestFromABroadcastOrMulticastAddress() {
        core.received(now, requestFrom(PEER, Ipv4Address.BROADCAST, OURS));
        core.received(now, requestFrom(PEER, Ipv4Address.parse("224.0.0.1"), OURS));
        core.received(now, requestFrom(MacAddress.BROADCAST, PEER_IP, OURS));
        assertEquals(0, core.cacheSize());
        assertEquals(3, core.counters().ignored());
        assertEquals(0, core.counters().repliesSent());
    }

    @Test
    void absentResolveWhenEveryQueueIsFull() {
        core.resolve(now, PEER_IP, "a");
        core.resolve(now, PEER_IP, "b");
        core.resolve(now, THIRD_IP, "c");
        Actions<String> actions = core.resolve(now, Ipv4Address.parse("192.0.2.4"), "d");
        assertEquals(List.of(), actions.sends());
        assertEquals(1, actions.failed().size());
        assertEquals(NetworkException.Reason.UNREACHABLE, actions.failed().getFirst().error().reason());
        assertEquals(3, core.pending());
        assertEquals(1, core.counters().queueDrops());
    }

    @Test
    void absentResolveOfBroadcast() {
        Actions<String> actions = core.resolve(now, Ipv4Address.BROADCAST, "w");
        assertEquals(List.of(new Resolved<>("w", MacAddress.BROADCAST)), actions.resolved());
    }

    // Incomplete

    @Test
    void incompleteResolve() {
        incomplete("a");
        Actions<String> actions = core.resolve(now + 10, PEER_IP, "b");
        assertEquals(List.of(), actions.sends(), "one query per address");
        assertEntry(new Incomplete(1, now + INTERVAL, 2), PEER_IP);
    }

    @Test
    void incompleteResolvePastThePerAddressBound() {
        incomplete("a", "b");
        Actions<String> actions = core.resolve(now, PEER_IP, "c");
        assertEquals("c", actions.failed().getFirst().waiter());
        assertEquals(NetworkException.Reason.UNREACHABLE, actions.failed().getFirst().error().reason());
        assertEntry(new Incomplete(1, now + INTERVAL, 2), PEER_IP);
    }

    @Test
    void incompleteReply() {
        incomplete("a", "b");
        now += INTERVAL / 2;
        Actions<String> actions = core.received(now, replyFrom(PEER, PEER_IP));
        assertEquals(List.of(new Resolved<>("a", PEER), new Resolved<>("b", PEER)), actions.resolved());
        assertEquals(Long.MAX_VALUE, actions.deadline());
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
        assertEquals(0, core.pending());
    }

    @Test
    void incompleteRequestFromTheAddress() {
        incomplete("a");
        Actions<String> actions = core.received(now, requestFrom(PEER, PEER_IP, OURS));
        assertEquals(List.of(new Resolved<>("a", PEER)), actions.resolved());
        assertEquals(1, actions.sends().size(), "and answered");
    }

    @Test
    void incompleteTimerBeforeTheDeadline() {
        incomplete("a");
        Actions<String> actions = core.timer(now + INTERVAL - 1);
        assertEquals(List.of(), actions.sends());
        assertEquals(now + INTERVAL, actions.deadline());
    }

    @Test
    void incompleteTimer() {
        incomplete("a");
        now += INTERVAL;
        Actions<String> actions = core.timer(now);
        assertEquals(List.of(broadcastRequestFor(PEER_IP)), actions.sends());
        assertEntry(new Incomplete(2, now + INTERVAL, 1), PEER_IP);
        assertEquals(now + INTERVAL, actions.deadline());
    }

    @Test
    void incompleteTimerOutOfRetries() {
        incomplete("a", "b");
        long start = now;
        int requests = 1;
        Actions<String> actions;
        while (true) {
            now += INTERVAL;
            actions = core.timer(now);
            if (actions.sends().isEmpty()) {
                break;
            }
            requests++;
        }
        assertEquals(1 + CONFIG.retries(), requests);
        assertEquals(start + (1 + CONFIG.retries()) * INTERVAL, now, "fails after (retries + 1) × interval");
        assertEquals(List.of("a", "b"), actions.failed().stream().map(ArpCore.Failed::waiter).toList());
        assertTrue(actions.failed().stream().allMatch(f -> f.error().reason() == NetworkException.Reason.TIMED_OUT));
        assertEntry(new Absent(), PEER_IP);
        assertEquals(1, core.counters().timeouts());
        assertEquals(Long.MAX_VALUE, actions.deadline());
    }

    @Test
    void incompleteClose() {
        incomplete("a");
        Actions<String> actions = core.close();
        assertEquals(NetworkException.Reason.CLOSED, actions.failed().getFirst().error().reason());
        assertEquals(NetworkException.Reason.CLOSED,
                core.resolve(now, THIRD_IP, "later").failed().getFirst().error().reason());
        assertEquals(0, core.pending());
    }

    @Test
    void incompleteAddAddress() {
        incomplete("a");
        Actions<String> actions = core.addAddress(now, PEER_IP);
        assertEquals(List.of(new Resolved<>("a", US)), actions.resolved(), "it is ours now");
        assertEntry(new Own(), PEER_IP);
    }

    // Reachable

    @Test
    void reachableResolve() {
        reachable(PEER, PEER_IP);
        Actions<String> actions = core.resolve(now, PEER_IP, "w");
        assertEquals(List.of(), actions.sends());
        assertEquals(List.of(new Resolved<>("w", PEER)), actions.resolved());
        assertEquals(Optional.of(PEER), core.lookup(now, PEER_IP));
    }

    @Test
    void reachableRequestForUsAnsweredInPlace() {
        reachable(PEER, PEER_IP);
        now += SECOND;
        long replies = core.counters().repliesSent();
        assertEquals(PEER, core.answerKnownRequest(now, PEER.bits(), PEER_IP.bits(), OURS.bits()));
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
        assertEquals(replies + 1, core.counters().repliesSent());
    }

    @Test
    void anyOtherRequestIsLeftToTheGeneralPath() {
        reachable(PEER, PEER_IP);
        Ipv4Address fourth = Ipv4Address.parse("192.0.2.4");
        assertEquals(null, core.answerKnownRequest(now, THIRD.bits(), THIRD_IP.bits(), OURS.bits()), "unknown sender");
        assertEquals(null, core.answerKnownRequest(now, THIRD.bits(), PEER_IP.bits(), OURS.bits()), "a new MAC");
        assertEquals(null, core.answerKnownRequest(now, PEER.bits(), PEER_IP.bits(), fourth.bits()), "not for us");
        assertEquals(null, core.answerKnownRequest(now, FIXED.bits(), STATIC_IP.bits(), OURS.bits()), "static");
        assertEquals(null, core.answerKnownRequest(now, PEER.bits(), OURS.bits(), OURS.bits()), "a conflict");
        assertEquals(null, core.answerKnownRequest(now, US.bits(), PEER_IP.bits(), OURS.bits()), "ourselves");
        assertEquals(null, core.answerKnownRequest(now, PEER.bits(), 0, OURS.bits()), "a probe");
        assertEquals(null, core.answerKnownRequest(now + LIFETIME, PEER.bits(), PEER_IP.bits(), OURS.bits()), "expired");
        core.resolve(now, THIRD_IP, "w");
        assertEquals(null, core.answerKnownRequest(now, THIRD.bits(), THIRD_IP.bits(), OURS.bits()), "a query waits");
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
    }

    @Test
    void reachableResolveAfterItsLifetime() {
        reachable(PEER, PEER_IP);
        now += LIFETIME;
        assertEquals(Optional.empty(), core.lookup(now, PEER_IP));
        Actions<String> actions = core.resolve(now, PEER_IP, "w");
        assertEquals(List.of(broadcastRequestFor(PEER_IP)), actions.sends());
    }

    @Test
    void reachableReplyFromANewMac() {
        reachable(PEER, PEER_IP);
        now += SECOND;
        core.received(now, new ArpMessage.Reply(THIRD, PEER_IP, US, OURS));
        assertEntry(new Reachable(THIRD, now + LIFETIME), PEER_IP); // RFC 826 merge, lifetime renewed
    }

    @Test
    void reachableAnnouncement() {
        reachable(PEER, PEER_IP);
        now += SECOND;
        core.received(now, ArpMessage.Request.announcement(THIRD, PEER_IP));
        assertEntry(new Reachable(THIRD, now + LIFETIME), PEER_IP);
    }

    @Test
    void reachableTimerAfterItsLifetime() {
        reachable(PEER, PEER_IP);
        core.timer(now + LIFETIME);
        assertEquals(0, core.cacheSize(), "swept");
    }

    @Test
    void reachableLearnWhenTheCacheIsFull() {
        reachable(PEER, PEER_IP);
        reachable(THIRD, THIRD_IP);
        core.lookup(now, PEER_IP); // PEER_IP is now the more recently used
        Ipv4Address fourth = Ipv4Address.parse("192.0.2.4");
        core.received(now, requestFrom(MacAddress.parse("02:00:00:00:00:04"), fourth, OURS));
        assertEquals(2, core.cacheSize());
        assertEntry(new Absent(), THIRD_IP);
        assertEntry(new Reachable(PEER, now + LIFETIME), PEER_IP);
        assertEquals(1, core.counters().evictions());
    }

    // Static

    @Test
    void staticResolve() {
        Actions<String> actions = core.resolve(now, STATIC_IP, "w");
        assertEquals(List.of(new Resolved<>("w", FIXED)), actions.resolved());
        assertEquals(List.of(), actions.sends());
    }

    @Test
    void staticReply() {
        core.received(now, replyFrom(PEER, STATIC_IP));
        assertEntry(new Static(FIXED), STATIC_IP);
        assertEquals(1, core.counters().ignored());
    }

    @Test
    void staticRequestForUs() {
        Actions<String> actions = core.received(now, requestFrom(PEER, STATIC_IP, OURS));
        assertEquals(1, actions.sends().size(), "answered");
        assertEntry(new Static(FIXED), STATIC_IP);
        assertEquals(0, core.cacheSize(), "not learned");
    }

    // Own

    @Test
    void ownAddAddress() {
        ArpCore<String> fresh = new ArpCore<>(US, CONFIG);
        Actions<String> actions = fresh.addAddress(now, OURS);
        // RFC 5227 §2.3: an announcement is a request with our address as sender and target
        assertEquals(List.of(new Send(MacAddress.BROADCAST, new ArpMessage.Request(US, OURS, ZERO, OURS))),
                actions.sends());
        assertEquals(List.of(), fresh.addAddress(now, OURS).sends(), "once");
        assertEquals(java.util.Set.of(OURS), fresh.addresses());
        assertThrows(IllegalArgumentException.class, () -> fresh.addAddress(now, Ipv4Address.ANY));
    }

    @Test
    void ownRequest() {
        Actions<String> actions = core.received(now, requestFrom(PEER, PEER_IP, OURS));
        assertEquals(List.of(new Send(PEER, new ArpMessage.Reply(US, OURS, PEER, PEER_IP))), actions.sends());
    }

    @Test
    void ownProbe() {
        // RFC 5227 §2.1.1: a probe for our address is answered, to the prober, with target 0.0.0.0
        Actions<String> actions = core.received(now, requestFrom(PEER, Ipv4Address.ANY, OURS));
        assertEquals(List.of(new Send(PEER, new ArpMessage.Reply(US, OURS, PEER, Ipv4Address.ANY))), actions.sends());
        assertEquals(0, core.cacheSize());
    }

    @Test
    void ownConflict() {
        // RFC 5227 §2.4: another host sends with our address; defend once per DEFEND_INTERVAL
        Actions<String> first = core.received(now, ArpMessage.Request.announcement(PEER, OURS));
        assertEquals(List.of(new Conflict(OURS, PEER, true)), first.conflicts());
        assertEquals(List.of(new Send(MacAddress.BROADCAST, ArpMessage.Request.announcement(US, OURS))), first.sends());
        Actions<String> soon = core.received(now + SECOND, replyFrom(PEER, OURS));
        assertEquals(List.of(new Conflict(OURS, PEER, false)), soon.conflicts());
        assertEquals(List.of(), soon.sends());
        Actions<String> later = core.received(now + ArpCore.DEFEND_INTERVAL_NANOS, replyFrom(PEER, OURS));
        assertEquals(List.of(new Conflict(OURS, PEER, true)), later.conflicts());
        assertEquals(3, core.counters().conflicts());
        assertEntry(new Own(), OURS);
    }

    @Test
    void ownResolve() {
        assertEquals(List.of(new Resolved<>("w", US)), core.resolve(now, OURS, "w").resolved());
    }

    @Test
    void ownAnnounce() {
        assertEquals(List.of(new Send(MacAddress.BROADCAST, ArpMessage.Request.announcement(US, OURS))),
                core.announce(now, OURS).sends());
        assertThrows(IllegalArgumentException.class, () -> core.announce(now, PEER_IP));
    }

    @Test
    void ownRemoveAddress() {
        core.removeAddress(OURS);
        assertEquals(List.of(), core.received(now, requestFrom(PEER, PEER_IP, OURS)).sends());
        assertEntry(new Absent(), OURS);
    }

    @Test
    void ownPacketLoopedBack() {
        Actions<String> actions = core.received(now, ArpMessage.Request.announcement(US, OURS));
        assertEquals(List.of(), actions.conflicts(), "our own announcement, seen again, is no conflict");
        assertEquals(1, core.counters().ignored());
    }
}

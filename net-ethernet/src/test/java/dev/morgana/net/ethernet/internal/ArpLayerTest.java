package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shell: Ethernet and ARP over a hub, on the virtual clock. */
class ArpLayerTest {

    static final Ipv4Address IP_A = Ipv4Address.parse("192.0.2.10");
    static final Ipv4Address IP_B = Ipv4Address.parse("192.0.2.11");
    static final Ipv4Address NOBODY = Ipv4Address.parse("192.0.2.200");

    /** A node: a hub port, Ethernet and ARP over it, started. */
    record Node(TestHub.Port port, EthernetLayer ethernet, ArpLayer arp) {
        static Node on(TestHub hub, VirtualClock clock, MacAddress mac, Ipv4Address address, ArpConfig config) {
            TestHub.Port port = hub.port(mac);
            EthernetLayer ethernet = new EthernetLayer(port, EthernetConfig.DEFAULT);
            ArpLayer arp = new ArpLayer(ethernet, clock, clock, config);
            ethernet.start();
            arp.start();
            arp.addAddress(address);
            return new Node(port, ethernet, arp);
        }
    }

    /** Records what a resolution was told. */
    static final class Outcome implements Arp.Resolution {
        final List<Object> told = new ArrayList<>();

        @Override
        public void resolved(MacAddress mac) {
            told.add(mac);
        }

        @Override
        public void failed(NetworkException error) {
            told.add(error.reason());
        }
    }

    private final VirtualClock clock = new VirtualClock();
    private TestHub hub;
    private Node a;
    private Node b;

    @BeforeEach
    void setUp() {
        hub = new TestHub(clock, new SplittableRandom(1), 0);
        ArpConfig config = ArpConfig.DEFAULT.withTimers(Duration.ofSeconds(60), 2, Duration.ofMillis(500));
        a = Node.on(hub, clock, EthernetHeaderTest.A, IP_A, config);
        b = Node.on(hub, clock, EthernetHeaderTest.B, IP_B, config);
        clock.advance(Duration.ofMillis(1)); // the announcements
    }

    @Test
    void twoNodesResolveEachOtherAndLearnFromTheRequest() {
        Outcome outcome = new Outcome();
        a.arp().resolve(IP_B, outcome);
        assertEquals(List.of(), outcome.told, "not before the answer arrives");
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(EthernetHeaderTest.B), outcome.told);
        assertEquals(Optional.of(EthernetHeaderTest.B), a.arp().lookup(IP_B));
        assertEquals(Optional.of(EthernetHeaderTest.A), b.arp().lookup(IP_A), "B learned A from its request");
        Outcome again = new Outcome();
        a.arp().resolve(IP_B, again);
        assertEquals(List.of(EthernetHeaderTest.B), again.told, "from the cache, at once");
        assertEquals(60, hub.written.get(2).length, "the request, padded");
    }

    @Test
    void aKnownNeighboursRequestIsAnsweredInPlaceWithTheSameBytes() {
        a.arp().resolve(IP_B, new Outcome());
        clock.advance(Duration.ofMillis(1)); // B answered A's request through the general path, and learned A
        byte[] request = hub.written.get(hub.written.size() - 2);
        byte[] reply = hub.written.getLast();
        assertEquals(ArpMessage.Request.of(EthernetHeaderTest.A, IP_A, IP_B),
                ArpMessage.parse(MemorySegment.ofArray(request).asSlice(14)));
        long replies = b.arp().counters().core().repliesSent();
        b.ethernet().frame(MemorySegment.ofArray(request).asReadOnly()); // the same request again: A is known now
        assertEquals(replies + 1, b.arp().counters().core().repliesSent());
        assertEquals(java.util.HexFormat.of().formatHex(reply), java.util.HexFormat.of().formatHex(hub.written.getLast()),
                "the in-place answer is the general path's, byte for byte");
    }

    @Test
    void anUnansweredResolutionTimesOutAfterItsRetries() {
        Outcome outcome = new Outcome();
        int before = hub.written.size();
        a.arp().resolve(NOBODY, outcome);
        clock.advance(Duration.ofMillis(1499));
        assertEquals(List.of(), outcome.told);
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(NetworkException.Reason.TIMED_OUT), outcome.told);
        assertEquals(3, hub.written.size() - before, "a request and two retries");
        assertEquals(0, clock.pendingTimers(), "no timer left behind");
    }

    @Test
    void aCallbackMayCallArpAgain() {
        List<Object> told = new ArrayList<>();
        a.arp().resolve(IP_B, new Arp.Resolution() {
            @Override
            public void resolved(MacAddress mac) {
                a.arp().resolve(IP_B, new Outcome());
                told.add(a.arp().lookup(IP_B).orElseThrow());
            }

            @Override
            public void failed(NetworkException error) {
                told.add(error);
            }
        });
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(EthernetHeaderTest.B), told);
    }

    @Test
    void stoppingFailsWhatWaitsWithClosed() {
        Outcome outcome = new Outcome();
        a.arp().resolve(NOBODY, outcome);
        a.arp().stop();
        assertEquals(List.of(NetworkException.Reason.CLOSED), outcome.told);
        Outcome later = new Outcome();
        a.arp().resolve(NOBODY, later);
        assertEquals(List.of(NetworkException.Reason.CLOSED), later.told);
    }

    @Test
    void malformedPacketsAreCountedAndDropped() {
        byte[] frame = Captures.arping(1).clone();
        frame[14 + 7] = 9; // operation 9 (InARP)
        a.ethernet().frame(MemorySegment.ofArray(frame).asReadOnly());
        assertEquals(1, a.arp().counters().malformed());
    }

    @Test
    void aConflictIsDetectedAndDefended() {
        TestHub.Port impostor = hub.port(MacAddress.parse("02:00:00:00:00:66"));
        EthernetLayer ethernet = new EthernetLayer(impostor, EthernetConfig.DEFAULT);
        try {
            ethernet.write(MacAddress.BROADCAST, Ethernet.ARP, 28,
                    ArpMessage.Request.announcement(impostor.mac(), IP_A)::emit);
        } catch (NetworkException e) {
            throw new AssertionError(e);
        }
        int before = hub.written.size();
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, a.arp().counters().core().conflicts());
        assertTrue(hub.written.size() > before, "A defended its address");
        assertEquals(Optional.of(EthernetHeaderTest.A), a.arp().lookup(IP_A));
    }

    @Test
    void announcingIsAGratuitousRequest() {
        int before = hub.written.size();
        a.arp().announce(IP_A);
        byte[] frame = hub.written.get(before);
        assertEquals(ArpMessage.Request.announcement(EthernetHeaderTest.A, IP_A),
                ArpMessage.parse(MemorySegment.ofArray(frame).asSlice(14)));
        a.arp().removeAddress(IP_A);
        assertEquals(java.util.Set.of(), a.arp().addresses());
    }
}

package dev.morgana.net.tcpip.icmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.icmp.IcmpLayer.Count;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ICMP layer over a recording IPv4: echo, errors sent and refused, the rate limit, errors delivered. */
class IcmpLayerTest {

    private final VirtualClock clock = new VirtualClock();
    private final TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
    private final IcmpLayer icmp = new IcmpLayer(ipv4, clock, new IcmpConfig(3, Duration.ofSeconds(1)));

    IcmpLayerTest() {
        icmp.start();
    }

    @Test
    void anEchoRequestGetsLinuxsReply() {
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(1));
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(1, written.size());
        assertEquals(Captures.A, written.getFirst().destination());
        assertEquals(Ipv4.ICMP, written.getFirst().protocol());
        assertArrayEquals(Captures.payload(2), written.getFirst().payload());
        assertEquals(1, icmp.count(Count.ECHO_ANSWERED));
    }

    @Test
    void echoesToBroadcastsOrFromNonHostsAreNotAnswered() {
        byte[] request = Captures.payload(1);
        ipv4.deliver(Ipv4.ICMP, Captures.A, Ipv4Address.BROADCAST, request);
        ipv4.deliver(Ipv4.ICMP, Captures.A, Ipv4Address.parse("192.0.2.255"), request);
        ipv4.deliver(Ipv4.ICMP, Captures.A, Ipv4Address.parse("224.0.0.1"), request);
        ipv4.deliver(Ipv4.ICMP, Ipv4Address.ANY, Captures.B, request);
        ipv4.deliver(Ipv4.ICMP, Ipv4Address.parse("240.0.0.1"), Captures.B, request);
        assertEquals(List.of(), ipv4.takeWritten());
        assertEquals(3, icmp.count(Count.ECHO_TO_BROADCAST));
        assertEquals(2, icmp.count(Count.ECHO_FROM_NON_HOST));
    }

    @Test
    void malformedMessagesAndRepliesAreCountedAndNotAnswered() {
        byte[] corrupt = Captures.payload(1);
        corrupt[30] ^= 0x40;
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, corrupt);
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, new byte[3]);
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(2));
        assertEquals(List.of(), ipv4.takeWritten());
        assertEquals(2, icmp.count(Count.MALFORMED));
        assertEquals(1, icmp.count(Count.IGNORED));
        assertEquals(3, icmp.count(Count.RECEIVED));
    }

    @Test
    void aPortUnreachableAboutLinuxsDatagramIsLinuxs() throws NetworkException {
        icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(Captures.datagram(4)).asReadOnly());
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(1, written.size());
        assertEquals(Captures.A, written.getFirst().destination());
        assertEquals(Ipv4.ICMP, written.getFirst().protocol());
        assertArrayEquals(Captures.payload(5), written.getFirst().payload());
        assertEquals(1, icmp.count(Count.UNREACHABLE_SENT));
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() throws NetworkException {
        icmp.sendUnreachable(Icmp.Unreachable.FRAGMENTATION_NEEDED, MemorySegment.ofArray(Captures.datagram(3)));
        byte[] error = ipv4.takeWritten().getFirst().payload();
        assertEquals(new IcmpMessage.Error(3, 4, 1500), IcmpMessage.parse(MemorySegment.ofArray(error)));
    }

    @Test
    void theQuoteKeepsTheErrorWithin576Bytes() throws NetworkException {
        byte[] big = new byte[2000];
        System.arraycopy(Captures.datagram(4), 0, big, 0, 28);
        big[2] = (byte) (2000 >>> 8);
        big[3] = (byte) 2000;
        icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(big));
        byte[] error = ipv4.takeWritten().getFirst().payload();
        assertEquals(576 - 20, error.length);
        assertArrayEquals(Arrays.copyOf(big, 548), Arrays.copyOfRange(error, 8, error.length));
    }

    /** Datagram 4 of the capture with some of its header changed (and its header checksum left alone). */
    private static byte[] datagram(int protocol, int destination, int source, int flagsFragment, int... icmpType) {
        byte[] d = Captures.datagram(4);
        MemorySegment s = MemorySegment.ofArray(d);
        s.set(ValueLayout.JAVA_BYTE, 9, (byte) protocol);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 16, destination);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 12, source);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 6, (short) flagsFragment);
        if (icmpType.length > 0) {
            d[20] = (byte) icmpType[0];
        }
        return d;
    }

    @Test
    void rfc1122sRefusalsSendNothingAndSpendNoToken() throws NetworkException {
        int a = Captures.A.bits();
        int b = Captures.B.bits();
        record Case(String name, byte[] datagram, Count expected) {}
        List<Case> cases = List.of(
                new Case("about a port unreachable", datagram(Ipv4.ICMP, b, a, 0, 3), Count.REFUSED_ABOUT_ERROR),
                new Case("about a time exceeded", datagram(Ipv4.ICMP, b, a, 0, 11), Count.REFUSED_ABOUT_ERROR),
                new Case("about a redirect", datagram(Ipv4.ICMP, b, a, 0, 5), Count.REFUSED_ABOUT_ERROR),
                new Case("about an unknown type", datagram(Ipv4.ICMP, b, a, 0, 77), Count.REFUSED_ABOUT_ERROR),
                new Case("about an ICMP message with no type byte",
                        Arrays.copyOf(datagram(Ipv4.ICMP, b, a, 0), 20), Count.REFUSED_ABOUT_ERROR),
                new Case("to the limited broadcast", datagram(Ipv4.UDP, -1, a, 0), Count.REFUSED_ABOUT_BROADCAST),
                new Case("to the directed broadcast", datagram(Ipv4.UDP, Ipv4Address.parse("192.0.2.255").bits(), a, 0),
                        Count.REFUSED_ABOUT_BROADCAST),
                new Case("to a multicast group", datagram(Ipv4.UDP, Ipv4Address.parse("239.1.2.3").bits(), a, 0),
                        Count.REFUSED_ABOUT_BROADCAST),
                new Case("about a second fragment", datagram(Ipv4.UDP, b, a, 0x2000 | 185), Count.REFUSED_ABOUT_FRAGMENT),
                new Case("about a last fragment", datagram(Ipv4.UDP, b, a, 185), Count.REFUSED_ABOUT_FRAGMENT),
                new Case("from 0.0.0.0", datagram(Ipv4.UDP, b, 0, 0), Count.REFUSED_TO_NON_HOST),
                new Case("from the broadcast", datagram(Ipv4.UDP, b, -1, 0), Count.REFUSED_TO_NON_HOST),
                new Case("from our network's broadcast", datagram(Ipv4.UDP, b, Ipv4Address.parse("192.0.2.255").bits(), 0),
                        Count.REFUSED_TO_NON_HOST),
                new Case("from a multicast group", datagram(Ipv4.UDP, b, Ipv4Address.parse("224.0.0.9").bits(), 0),
                        Count.REFUSED_TO_NON_HOST),
                new Case("from loopback", datagram(Ipv4.UDP, b, Ipv4Address.LOOPBACK.bits(), 0), Count.REFUSED_TO_NON_HOST),
                new Case("from class E", datagram(Ipv4.UDP, b, Ipv4Address.parse("250.1.1.1").bits(), 0),
                        Count.REFUSED_TO_NON_HOST));
        for (Case c : cases) {
            long before = icmp.count(c.expected());
            icmp.sendUnreachable(Icmp.Unreachable.PROTOCOL, MemorySegment.ofArray(c.datagram()));
            assertEquals(List.of(), ipv4.takeWritten(), c.name());
            assertEquals(before + 1, icmp.count(c.expected()), c.name());
        }
        // Allowed: about an echo request (a query, not an error), and about the first fragment of a datagram.
        icmp.sendUnreachable(Icmp.Unreachable.PROTOCOL, MemorySegment.ofArray(datagram(Ipv4.ICMP, b, a, 0, 8)));
        icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(datagram(Ipv4.UDP, b, a, 0x2000)));
        // A /31 has no broadcast address: its all-ones host is a host.
        TestingIpv4 pointToPoint = new TestingIpv4(Ipv4Address.parse("198.51.100.0"), Ipv4Prefix.parse("198.51.100.0/31"));
        IcmpLayer p2p = new IcmpLayer(pointToPoint, clock, IcmpConfig.DEFAULT);
        p2p.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(datagram(Ipv4.UDP,
                Ipv4Address.parse("198.51.100.0").bits(), Ipv4Address.parse("198.51.100.1").bits(), 0)));
        assertEquals(1, pointToPoint.takeWritten().size());
        // The refusals took no token: the burst of 3 still has one left after the two above.
        icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(Captures.datagram(4)));
        assertEquals(3, ipv4.takeWritten().size());
        assertEquals(0, icmp.count(Count.RATE_LIMITED));
    }

    @Test
    void theRateLimitHoldsOverVirtualTime() throws NetworkException {
        MemorySegment datagram = MemorySegment.ofArray(Captures.datagram(4));
        List<Integer> sentPerSecond = new ArrayList<>();
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 100; i++) {
                icmp.sendUnreachable(Icmp.Unreachable.PORT, datagram);
                clock.advance(Duration.ofMillis(5));
            }
            sentPerSecond.add(ipv4.takeWritten().size());
            clock.advance(Duration.ofMillis(500));
        }
        // The burst of 3, then one per second of virtual time.
        assertEquals(List.of(3, 1, 1, 1, 1), sentPerSecond);
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 10; i++) {
            icmp.sendUnreachable(Icmp.Unreachable.PORT, datagram);
        }
        assertEquals(3, ipv4.takeWritten().size(), "an hour's quiet refills the burst, no more");
        assertEquals(97 + 4 * 99 + 7, icmp.count(Count.RATE_LIMITED));
    }

    @Test
    void misuseAndSendFailuresAreReported() {
        assertThrows(IllegalArgumentException.class,
                () -> icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(new byte[19])));
        ipv4.failWith(new NetworkException(NetworkException.Reason.UNREACHABLE, "no route"));
        NetworkException e = assertThrows(NetworkException.class,
                () -> icmp.sendUnreachable(Icmp.Unreachable.PORT, MemorySegment.ofArray(Captures.datagram(4))));
        assertEquals(NetworkException.Reason.UNREACHABLE, e.reason());
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(1));
        assertEquals(2, icmp.count(Count.SEND_FAILED));
        assertThrows(IllegalArgumentException.class, () -> icmp.onError(256, (r, t, c, q) -> { }));
    }

    @Test
    void errorsGoToTheListenerOfTheQuotedProtocol() {
        List<String> heard = new ArrayList<>();
        byte[][] quoted = new byte[1][];
        // Linux's port unreachable, as host A receives it.
        TestingIpv4 hostA = new TestingIpv4(Captures.A, Ipv4Prefix.parse("192.0.2.0/24"));
        IcmpLayer icmpA = new IcmpLayer(hostA, clock, IcmpConfig.DEFAULT);
        icmpA.start();
        icmpA.onError(Ipv4.UDP, (reporter, type, code, quote) -> {
            heard.add(reporter + " " + type + "/" + code);
            quoted[0] = quote.toArray(ValueLayout.JAVA_BYTE);
            assertTrue(quote.isReadOnly());
        });
        icmpA.onError(Ipv4.TCP, (reporter, type, code, quote) -> heard.add("tcp"));
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, Captures.payload(5));
        assertEquals(List.of("192.0.2.11 3/3"), heard);
        assertArrayEquals(Captures.datagram(4), quoted[0]);
        assertEquals(1, icmpA.count(Count.ERROR_DELIVERED));
        // No listener for the quoted protocol: counted.
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, error(datagram(47, Captures.B.bits(), Captures.A.bits(), 0)));
        assertEquals(1, icmpA.count(Count.ERROR_NO_LISTENER));
        // A quote of a later fragment holds no ports: dropped.
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, error(datagram(Ipv4.UDP, Captures.B.bits(), Captures.A.bits(), 3)));
        assertEquals(1, icmpA.count(Count.ERROR_ABOUT_FRAGMENT));
        assertEquals(1, heard.size(), "TCP heard nothing: " + heard);
    }

    /** A port unreachable quoting {@code datagram}. */
    static byte[] error(byte[] datagram) {
        byte[] message = new byte[8 + datagram.length];
        System.arraycopy(datagram, 0, message, 8, datagram.length);
        new IcmpMessage.Error(3, 3, 0).emit(MemorySegment.ofArray(message));
        assertEquals(0, InternetChecksum.of(MemorySegment.ofArray(message), 0, message.length, 0));
        return message;
    }

    @Test
    void stoppedItNoLongerAnswers() {
        icmp.stop();
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(1));
        assertEquals(List.of(), ipv4.takeWritten());
        assertEquals(0, icmp.count(Count.RECEIVED));
    }
}

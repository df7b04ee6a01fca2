package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The layer between fakes of Ethernet and ARP: what it delivers, drops and counts, and what it writes where. */
class Ipv4LayerTest {

    static final Ipv4Address LINUX = Ipv4HeaderTest.A; // 192.0.2.10, the pinging side of the capture
    static final Ipv4Address US = Ipv4HeaderTest.B; // 192.0.2.11
    static final Ipv4Address ROUTER = Ipv4Address.parse("192.0.2.1");
    static final Ipv4Address FAR = Ipv4Address.parse("198.51.100.7");
    static final MacAddress LINUX_MAC = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress ROUTER_MAC = MacAddress.parse("02:00:00:00:00:fe");

    final VirtualClock clock = new VirtualClock();
    final Fakes.RecordingEthernet ethernet = new Fakes.RecordingEthernet();
    final Fakes.ScriptedArp arp = new Fakes.ScriptedArp();
    final List<String> delivered = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();

    Ipv4Layer layer(Ipv4Config config) {
        Ipv4Layer layer = new Ipv4Layer(ethernet, arp, clock, clock, config);
        layer.start();
        Ipv4.DatagramHandler handler = (source, destination, payload) -> {
            delivered.add(source + ">" + destination);
            payloads.add(payload.toArray(ValueLayout.JAVA_BYTE));
        };
        layer.register(Ipv4.ICMP, handler);
        return layer;
    }

    Ipv4Layer us() {
        return layer(Ipv4Config.of(US, 24));
    }

    static byte[] datagram(Ipv4Address source, Ipv4Address destination, int protocol, int payloadLength) {
        byte[] packet = new byte[20 + payloadLength];
        new Ipv4Header(0, 1, false, false, 0, 64, protocol, source, destination).emit(MemorySegment.ofArray(packet),
                payloadLength);
        return packet;
    }

    @Test
    void deliversLinuxsEchoRequestToTheProtocolWithItsPayload() {
        Ipv4Layer layer = us();
        byte[] packet = Captures.packet(7);
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, packet);
        assertEquals(List.of("192.0.2.10>192.0.2.11"), delivered);
        assertArrayEquals(Arrays.copyOfRange(packet, 20, 84), payloads.getFirst());
        assertEquals(1, layer.counters().delivered());
    }

    @Test
    void ethernetPaddingIsNotPartOfThePayload() {
        us();
        byte[] padded = Arrays.copyOf(datagram(LINUX, US, Ipv4.ICMP, 8), 46);
        Arrays.fill(padded, 28, 46, (byte) 0xEE);
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, padded);
        assertEquals(8, payloads.getFirst().length);
    }

    @Test
    void deliversLinuxsFragmentedEchoOnceReassembled() {
        Ipv4Layer layer = us();
        for (int number : new int[] {3, 1, 2}) {
            ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, Captures.packet(number));
        }
        assertEquals(1, payloads.size());
        assertEquals(3008, payloads.getFirst().length);
        Ipv4Layer.Counters counters = layer.counters();
        assertEquals(3, counters.fragments());
        assertEquals(1, counters.reassembly().reassembled());
        assertEquals(1, counters.delivered());
    }

    @Test
    void broadcastsAndAllHostsAreForUs() {
        us();
        ethernet.receive(LINUX_MAC, MacAddress.BROADCAST, datagram(LINUX, Ipv4Address.BROADCAST, Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, MacAddress.BROADCAST, datagram(LINUX, Ipv4Address.parse("192.0.2.255"), Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, MacAddress.parse("01:00:5e:00:00:01"),
                datagram(LINUX, Ipv4Address.parse("224.0.0.1"), Ipv4.ICMP, 8));
        assertEquals(List.of("192.0.2.10>255.255.255.255", "192.0.2.10>192.0.2.255", "192.0.2.10>224.0.0.1"), delivered);
    }

    @Test
    void everyDropIsCountedByReason() {
        Ipv4Layer layer = us();
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, new byte[10]);
        byte[] badChecksum = Captures.packet(7);
        badChecksum[8] = 1;
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, badChecksum);
        byte[] version6 = datagram(LINUX, US, Ipv4.ICMP, 8);
        version6[0] = 0x65;
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, version6);
        byte[] shortTotal = datagram(LINUX, US, Ipv4.ICMP, 8);
        shortTotal[3] = 10;
        Ipv4HeaderTest.rechecksum(shortTotal, 20);
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, shortTotal);
        byte[] pingOfDeath = datagram(LINUX, US, Ipv4.ICMP, 8);
        pingOfDeath[6] = 0x1F;
        pingOfDeath[7] = (byte) 0xFF;
        Ipv4HeaderTest.rechecksum(pingOfDeath, 20);
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, pingOfDeath);
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(LINUX, Ipv4Address.parse("192.0.2.12"), Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, MacAddress.BROADCAST, datagram(LINUX, US, Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(Ipv4Address.BROADCAST, US, Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(Ipv4Address.parse("127.0.0.1"), US, Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(Ipv4Address.parse("224.0.0.5"), US, Ipv4.ICMP, 8));
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(LINUX, US, Ipv4.UDP, 8));
        Ipv4Layer.Counters c = layer.counters();
        assertEquals(11, c.received());
        assertEquals(0, c.delivered());
        assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 3L, 1L), List.of(c.truncated(), c.badChecksum(), c.badVersion(),
                c.badLength(), c.badFragment(), c.notForUs(), c.linkBroadcast(), c.badSource(), c.noHandler()),
                c.toString());
        assertEquals(List.of(), delivered);
    }

    @Test
    void anIncompleteDatagramTimesOutOnTheClock() {
        Ipv4Layer layer = us();
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, Captures.packet(1));
        assertEquals(1480, layer.counters().reassemblyBytes());
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertEquals(1, layer.counters().reassemblyDatagrams());
        clock.advance(Duration.ofNanos(1));
        Ipv4Layer.Counters counters = layer.counters();
        assertEquals(0, counters.reassemblyDatagrams());
        assertEquals(0, counters.reassemblyBytes());
        assertEquals(1, counters.reassembly().timedOut());
        assertEquals(0, clock.pendingTimers(), "no timer left once nothing waits");
    }

    static Fill bytes(byte[] payload) {
        return Fill.copyOf(MemorySegment.ofArray(payload));
    }

    @Test
    void anOnLinkDestinationGoesToItsMacWithTheConfiguredTtl() throws NetworkException {
        Ipv4Layer layer = layer(Ipv4Config.of(US, 24).withTtl(7));
        arp.known.put(LINUX, LINUX_MAC);
        byte[] payload = {1, 2, 3, 4, 5};
        layer.write(LINUX, Ipv4.UDP, 100, bytes(payload));
        Fakes.Written frame = ethernet.written.getFirst();
        assertEquals(LINUX_MAC, frame.destination());
        assertEquals(Ethernet.IPV4, frame.etherType());
        MemorySegment packet = MemorySegment.ofArray(frame.packet());
        Ipv4Header header = Ipv4Header.parse(packet);
        assertEquals(new Ipv4Header(0, header.identification(), false, false, 0, 7, Ipv4.UDP, US, LINUX), header);
        assertEquals(25, Ipv4Packet.totalLength(packet), "the fill's 5 bytes, not the 100 it was offered");
        assertArrayEquals(payload, Ipv4Packet.payload(packet).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void anOffLinkDestinationGoesToTheGatewaysMac() throws NetworkException {
        Ipv4Layer layer = layer(Ipv4Config.of(US, 24).withGateway(ROUTER));
        arp.known.put(ROUTER, ROUTER_MAC);
        layer.write(FAR, Ipv4.UDP, 8, bytes(new byte[8]));
        assertEquals(ROUTER_MAC, ethernet.written.getFirst().destination());
        assertEquals(FAR.bits(), Ipv4Packet.destination(MemorySegment.ofArray(ethernet.written.getFirst().packet())));
    }

    @Test
    void withoutARouteTheWriteIsUnreachable() {
        Ipv4Layer layer = us();
        for (Ipv4Address nowhere : List.of(FAR, Ipv4Address.LOOPBACK, Ipv4Address.ANY, US)) {
            NetworkException e = assertThrows(NetworkException.class, () -> layer.write(nowhere, 17, 8, bytes(new byte[8])));
            assertEquals(NetworkException.Reason.UNREACHABLE, e.reason(), nowhere.toString());
        }
        assertEquals(4, layer.counters().noRoute());
        assertEquals(List.of(), ethernet.written);
    }

    @Test
    void broadcastsAndMulticastNeedNoArp() throws NetworkException {
        Ipv4Layer layer = us();
        layer.write(Ipv4Address.BROADCAST, 17, 8, bytes(new byte[8]));
        layer.write(Ipv4Address.parse("192.0.2.255"), 17, 8, bytes(new byte[8]));
        layer.write(Ipv4Address.parse("224.0.0.251"), 17, 8, bytes(new byte[8]));
        assertEquals(List.of(MacAddress.BROADCAST, MacAddress.BROADCAST, MacAddress.parse("01:00:5e:00:00:fb")),
                ethernet.written.stream().map(Fakes.Written::destination).toList());
        assertEquals(List.of(), List.copyOf(arp.asked.keySet()));
    }

    @Test
    void aLargeDatagramIsFragmentedAsLinuxFragmentsIt() throws NetworkException {
        Ipv4Layer layer = us();
        arp.known.put(LINUX, LINUX_MAC);
        // The 3008 bytes of Linux's echo request, sent by us: the same three fragments' payloads and offsets.
        byte[] echo = new byte[3008];
        for (int number = 1; number <= 3; number++) {
            MemorySegment linux = MemorySegment.ofArray(Captures.packet(number));
            MemorySegment.copy(Ipv4Packet.payload(linux), 0, MemorySegment.ofArray(echo), Ipv4Packet.fragmentOffset(linux),
                    Ipv4Packet.payload(linux).byteSize());
        }
        layer.write(LINUX, Ipv4.ICMP, echo.length, bytes(echo));
        assertEquals(3, ethernet.written.size());
        int id = -1;
        for (int number = 1; number <= 3; number++) {
            MemorySegment ours = MemorySegment.ofArray(ethernet.written.get(number - 1).packet());
            MemorySegment linux = MemorySegment.ofArray(Captures.packet(number));
            Ipv4Header header = Ipv4Header.parse(ours);
            Ipv4Header expected = Ipv4Header.parse(linux);
            assertEquals(new Ipv4Header(0, header.identification(), false, expected.moreFragments(),
                    expected.fragmentOffset(), 64, Ipv4.ICMP, US, LINUX), header, "fragment " + number);
            assertEquals(-1, Ipv4Packet.payload(ours).mismatch(Ipv4Packet.payload(linux)), "fragment " + number);
            assertTrue(id == -1 || id == header.identification(), "one identification for the datagram");
            id = header.identification();
        }
        assertEquals(3, layer.counters().fragmentsSent());
    }

    @Test
    void fragmentsFitASmallerMtuInMultiplesOfEight() throws NetworkException {
        ethernet.mtu = 576;
        Ipv4Layer layer = us();
        arp.known.put(LINUX, LINUX_MAC);
        assertEquals(556, layer.mtu());
        layer.write(LINUX, Ipv4.UDP, 1200, bytes(new byte[1200]));
        assertEquals(List.of(572, 572, 116), ethernet.written.stream().map(w -> w.packet().length).toList());
        assertEquals(List.of(0, 552, 1104), ethernet.written.stream()
                .map(w -> Ipv4Packet.fragmentOffset(MemorySegment.ofArray(w.packet()))).toList());
    }

    @Test
    void dontFragmentBeyondTheMtuIsTooLarge() throws NetworkException {
        Ipv4Layer layer = us();
        arp.known.put(LINUX, LINUX_MAC);
        NetworkException e = assertThrows(NetworkException.class,
                () -> layer.write(LINUX, Ipv4.TCP, 1481, bytes(new byte[1481]), true));
        assertEquals(NetworkException.Reason.MESSAGE_TOO_LARGE, e.reason());
        layer.write(LINUX, Ipv4.TCP, 1480, bytes(new byte[1480]), true);
        assertTrue(Ipv4Header.parse(MemorySegment.ofArray(ethernet.written.getFirst().packet())).dontFragment());
        assertEquals(1, layer.counters().tooLarge());
    }

    @Test
    void everyDatagramHasItsOwnIdentification() throws NetworkException {
        Ipv4Layer layer = us();
        arp.known.put(LINUX, LINUX_MAC);
        layer.write(LINUX, Ipv4.UDP, 8, bytes(new byte[8]));
        layer.write(LINUX, Ipv4.UDP, 8, bytes(new byte[8]));
        assertNotEquals(Ipv4Packet.identification(MemorySegment.ofArray(ethernet.written.get(0).packet())),
                Ipv4Packet.identification(MemorySegment.ofArray(ethernet.written.get(1).packet())));
    }

    @Test
    void datagramsWaitForArpAndGoOutInOrderOnceItAnswers() throws NetworkException {
        Ipv4Layer layer = us();
        for (byte i = 1; i <= 3; i++) {
            layer.write(LINUX, Ipv4.UDP, 1, bytes(new byte[] {i}));
        }
        layer.write(LINUX, Ipv4.UDP, 2000, bytes(new byte[2000]));
        assertEquals(List.of(), ethernet.written);
        assertEquals(1, arp.asked.get(LINUX).size(), "ARP is asked once for the next hop");
        assertEquals(4, layer.counters().waiting());
        arp.answer(LINUX, LINUX_MAC);
        assertEquals(5, ethernet.written.size(), "three small datagrams and two fragments");
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, ethernet.written.get(i).packet()[20]);
            assertEquals(LINUX_MAC, ethernet.written.get(i).destination());
        }
        assertEquals(0, layer.counters().waiting());
        assertEquals(4, layer.counters().queued());
    }

    @Test
    void theArpQueueIsBoundedAndAFailedResolutionDropsItsDatagrams() throws NetworkException {
        Ipv4Layer layer = layer(Ipv4Config.of(US, 24).withLimits(new Ipv4Config.Limits(1 << 20, 64, 64,
                Duration.ofSeconds(30), 2)));
        for (int i = 0; i < 3; i++) {
            layer.write(LINUX, Ipv4.UDP, 8, bytes(new byte[8]));
        }
        assertEquals(1, layer.counters().arpQueueFull());
        arp.timeOut(LINUX);
        Ipv4Layer.Counters counters = layer.counters();
        assertEquals(2, counters.arpFailed());
        assertEquals(0, counters.waiting());
        assertEquals(List.of(), ethernet.written);
    }

    @Test
    void aResolutionRefusedAtOnceFailsTheWrite() {
        Ipv4Layer layer = us();
        arp.refuse = true;
        NetworkException e = assertThrows(NetworkException.class, () -> layer.write(LINUX, 17, 8, bytes(new byte[8])));
        assertEquals(NetworkException.Reason.UNREACHABLE, e.reason());
        assertEquals(0, layer.counters().waiting());
    }

    @Test
    void dhcpCanAddressAnUnconfiguredLayerAtRunTime() throws NetworkException {
        Ipv4Layer layer = layer(Ipv4Config.unconfigured());
        assertEquals(List.of(), arp.log, "nothing to announce yet");
        assertEquals(Ipv4Address.ANY, layer.address());
        layer.write(Ipv4Address.BROADCAST, Ipv4.UDP, 8, bytes(new byte[8]));
        assertEquals(0, Ipv4Packet.source(MemorySegment.ofArray(ethernet.written.getFirst().packet())), "from 0.0.0.0");
        assertThrows(NetworkException.class, () -> layer.write(LINUX, Ipv4.UDP, 8, bytes(new byte[8])));
        Ipv4Address offered = Ipv4Address.parse("192.0.2.50");
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(LINUX, offered, Ipv4.ICMP, 8));
        assertEquals(List.of("192.0.2.10>192.0.2.50"), delivered, "an offer unicast to the offered address");

        Ipv4Addressing hook = layer;
        hook.assign(offered, Ipv4Prefix.parse("192.0.2.0/24"), Optional.of(ROUTER));
        assertEquals(offered, layer.address());
        assertEquals(Ipv4Prefix.parse("192.0.2.0/24"), layer.network());
        assertEquals(List.of("add 192.0.2.50"), arp.log);
        arp.known.put(ROUTER, ROUTER_MAC);
        layer.write(FAR, Ipv4.UDP, 8, bytes(new byte[8]));
        assertEquals(ROUTER_MAC, ethernet.written.getLast().destination());
        ethernet.receive(LINUX_MAC, Fakes.OUR_MAC, datagram(LINUX, Ipv4Address.parse("192.0.2.51"), Ipv4.ICMP, 8));
        assertEquals(1, layer.counters().notForUs(), "configured, only our own address is ours");

        hook.unassign();
        assertEquals(Ipv4Address.ANY, layer.address());
        assertEquals(List.of("add 192.0.2.50", "remove 192.0.2.50"), arp.log);
        assertThrows(IllegalArgumentException.class,
                () -> hook.assign(offered, Ipv4Prefix.parse("10.0.0.0/8"), Optional.empty()));
    }

    @Test
    void aStaticAddressIsAddedToArpOnStartAndRemovedOnStop() {
        Ipv4Layer layer = us();
        assertEquals(List.of("add 192.0.2.11"), arp.log);
        assertSame(layer.address(), layer.address());
        layer.stop();
        assertEquals(List.of("add 192.0.2.11", "remove 192.0.2.11"), arp.log);
    }

    // ---- TCP segmentation offload

    @Test
    void noOffloadWithoutTheLinksSupport() {
        assertEquals(0, us().tcpSegmentationLimit());
    }

    @Test
    void aSuperDatagramHasItsWholeLengthDfAndItsOwnChecksum() throws NetworkException {
        ethernet.segmentationLimit = 0xFFFF;
        Ipv4Layer layer = layer(Ipv4Config.of(US, 24).withTtl(9));
        assertEquals(0xFFFF - 20, layer.tcpSegmentationLimit());
        arp.known.put(LINUX, LINUX_MAC);
        byte[] segment = new byte[3032];
        Arrays.fill(segment, (byte) 0x5A);
        layer.writeTcpSegments(LINUX, 4000, 1448, bytes(segment));
        assertEquals(List.of(), ethernet.written, "nothing through the ordinary write");
        Fakes.Offloaded frame = ethernet.offloaded.getFirst();
        assertEquals(LINUX_MAC, frame.destination());
        assertEquals(1448, frame.segmentSize());
        MemorySegment packet = MemorySegment.ofArray(frame.packet());
        assertEquals(Ipv4Packet.OK, Ipv4Packet.problem(packet), "its header checksum adds up");
        Ipv4Header header = Ipv4Header.parse(packet);
        assertEquals(new Ipv4Header(0, header.identification(), true, false, 0, 9, Ipv4.TCP, US, LINUX), header);
        assertEquals(20 + 3032, Ipv4Packet.totalLength(packet));
        assertArrayEquals(segment, Ipv4Packet.payload(packet).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, layer.counters().sent());
    }

    @Test
    void anUnresolvedNextHopIsUnreachableAtOnceAndNothingWaits() {
        ethernet.segmentationLimit = 0xFFFF;
        Ipv4Layer layer = us();
        NetworkException e = assertThrows(NetworkException.class,
                () -> layer.writeTcpSegments(LINUX, 3000, 1448, bytes(new byte[3000])));
        assertEquals(NetworkException.Reason.UNREACHABLE, e.reason());
        assertEquals(0, layer.counters().waiting());
        assertEquals(List.of(), ethernet.offloaded);
    }

    @Test
    void offloadIsRefusedBeyondTheLimitAndWithoutSupport() {
        Ipv4Layer plain = us();
        arp.known.put(LINUX, LINUX_MAC);
        assertThrows(UnsupportedOperationException.class,
                () -> plain.writeTcpSegments(LINUX, 3000, 1448, bytes(new byte[3000])));
        ethernet.segmentationLimit = 9000;
        assertThrows(IllegalArgumentException.class,
                () -> plain.writeTcpSegments(LINUX, 8981, 1448, bytes(new byte[10])));
        assertThrows(IllegalArgumentException.class,
                () -> plain.writeTcpSegments(Ipv4Address.BROADCAST, 3000, 1448, bytes(new byte[10])));
    }
}

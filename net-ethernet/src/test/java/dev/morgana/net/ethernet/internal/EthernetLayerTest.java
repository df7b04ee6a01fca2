package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dispatch by EtherType, what is accepted and what is dropped and counted, and padding on send. */
class EthernetLayerTest {

    static final MacAddress US = EthernetHeaderTest.B;
    static final MacAddress OTHER = EthernetHeaderTest.A;
    static final MacAddress GROUP = MacAddress.parse("01:00:5e:00:00:fb");

    record Received(MacAddress source, MacAddress destination, byte[] payload) {}

    private TestHub hub;
    private TestHub.Port port;
    private final List<Received> ipv4 = new ArrayList<>();
    private final List<Received> arp = new ArrayList<>();

    @BeforeEach
    void setUp() {
        hub = new TestHub(new VirtualClock(), new SplittableRandom(1), 0);
        port = hub.port(US);
    }

    private EthernetLayer layer(EthernetConfig config) {
        EthernetLayer layer = new EthernetLayer(port, config);
        layer.start();
        layer.register(Ethernet.IPV4, (s, d, p) -> ipv4.add(new Received(s, d, p.toArray(ValueLayout.JAVA_BYTE))));
        layer.register(Ethernet.ARP, (s, d, p) -> arp.add(new Received(s, d, p.toArray(ValueLayout.JAVA_BYTE))));
        return layer;
    }

    static byte[] frame(MacAddress destination, MacAddress source, String typeAndPayload) {
        byte[] header = new byte[12];
        MemorySegment segment = MemorySegment.ofArray(header);
        segment.asSlice(0, 6).copyFrom(MemorySegment.ofArray(destination.toBytes()));
        segment.asSlice(6, 6).copyFrom(MemorySegment.ofArray(source.toBytes()));
        byte[] rest = EthernetHeaderTest.hex(typeAndPayload);
        byte[] frame = Arrays.copyOf(header, 12 + rest.length);
        System.arraycopy(rest, 0, frame, 12, rest.length);
        return frame;
    }

    private static void deliver(EthernetLayer layer, byte[] frame) {
        layer.frame(MemorySegment.ofArray(frame).asReadOnly());
    }

    @Test
    void dispatchesByEtherTypeWithTheAddressesAndAPayloadSlice() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        deliver(layer, frame(US, OTHER, "0800 45000014"));
        deliver(layer, Captures.arping(1)); // Linux's broadcast request
        assertEquals(1, ipv4.size());
        assertEquals(OTHER, ipv4.get(0).source());
        assertSame(US, ipv4.get(0).destination());
        assertArrayEquals(EthernetHeaderTest.hex("45000014"), ipv4.get(0).payload());
        assertEquals(1, arp.size());
        assertSame(MacAddress.BROADCAST, arp.get(0).destination());
        assertEquals(44, arp.get(0).payload().length, "padding stays: ARP reads its 28 bytes");
        assertEquals(new EthernetLayer.Counters(2, 2, 0, 0, 0, 0, 0), layer.counters());
    }

    @Test
    void dropsAndCountsFramesForOtherUnicastMacsAndUnconfiguredGroups() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        deliver(layer, frame(OTHER, US, "0800 45"));
        deliver(layer, frame(GROUP, OTHER, "0800 45"));
        assertEquals(List.of(), ipv4);
        assertEquals(new EthernetLayer.Counters(2, 0, 2, 0, 0, 0, 0), layer.counters());
    }

    @Test
    void acceptsConfiguredGroups() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT.withMulticast(GROUP));
        deliver(layer, frame(GROUP, OTHER, "0800 45"));
        assertEquals(1, ipv4.size());
        assertEquals(GROUP, ipv4.get(0).destination());
    }

    @Test
    void dropsTaggedFramesUnlessTheirVlanIsConfigured() {
        EthernetLayer plain = layer(EthernetConfig.DEFAULT);
        deliver(plain, frame(US, OTHER, "8100 0064 0800 45"));
        assertEquals(List.of(), ipv4);
        assertEquals(1, plain.counters().tagged());
        deliver(plain, frame(US, OTHER, "8100 a000 0800 46")); // priority tag only: VLAN 0
        assertEquals(1, ipv4.size());
        assertArrayEquals(new byte[] {0x46}, ipv4.get(0).payload());

        EthernetLayer vlan = layer(EthernetConfig.DEFAULT.withVlan(100));
        deliver(vlan, frame(US, OTHER, "8100 2064 0800 47"));
        deliver(vlan, frame(US, OTHER, "8100 0065 0800 48"));
        assertEquals(2, ipv4.size());
        assertArrayEquals(new byte[] {0x47}, ipv4.get(1).payload(), "the tag is removed");
        assertEquals(new EthernetLayer.Counters(2, 1, 0, 1, 0, 0, 0), vlan.counters());
    }

    @Test
    void dropsAndCountsUnknownTypesAndMalformedFrames() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        deliver(layer, frame(US, OTHER, "86dd 60"));
        deliver(layer, frame(US, OTHER, "0026 aaaa03"));
        deliver(layer, frame(US, OTHER, "08"));
        deliver(layer, frame(US, OTHER, "8100 00"));
        assertEquals(new EthernetLayer.Counters(4, 0, 0, 0, 1, 3, 0), layer.counters());
    }

    @Test
    void registeringAgainReplacesTheHandler() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        List<String> seen = new ArrayList<>();
        layer.register(Ethernet.IPV4, (s, d, p) -> seen.add("new"));
        deliver(layer, frame(US, OTHER, "0800 45"));
        assertEquals(List.of("new"), seen);
        assertEquals(List.of(), ipv4);
        assertThrows(IllegalArgumentException.class, () -> layer.register(0x05DC, (s, d, p) -> {}));
        assertThrows(IllegalArgumentException.class, () -> layer.register(0x8100, (s, d, p) -> {}));
    }

    @Test
    void padsShortFramesWithZerosToSixtyBytes() throws Exception {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        layer.write(OTHER, Ethernet.ARP, 28, Fill.copyOf(MemorySegment.ofArray(new byte[28]).fill((byte) 7)));
        byte[] sent = hub.written.getLast();
        assertEquals(60, sent.length);
        assertArrayEquals(EthernetHeaderTest.hex("02000000000a 02000000000b 0806"), Arrays.copyOf(sent, 14));
        byte[] padding = Arrays.copyOfRange(sent, 42, 60);
        assertArrayEquals(new byte[18], padding, "padded with zeros, not the buffer's old bytes");
        layer.write(OTHER, Ethernet.IPV4, 1500, buffer -> 1500);
        assertEquals(1514, hub.written.getLast().length);
        layer.write(OTHER, Ethernet.IPV4, 100, buffer -> 50);
        assertEquals(64, hub.written.getLast().length, "the fill's length, not the room it had");
        assertEquals(3, layer.counters().sent());
    }

    @Test
    void refusesWritesThatCannotBeFramed() {
        EthernetLayer layer = layer(EthernetConfig.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> layer.write(OTHER, Ethernet.IPV4, 1501, b -> 0));
        assertThrows(IllegalArgumentException.class, () -> layer.write(OTHER, 0x05FF, 10, b -> 0));
        assertThrows(IllegalStateException.class, () -> layer.write(OTHER, Ethernet.IPV4, 10, b -> 11));
        assertEquals(1500, layer.mtu());
        assertEquals(US, layer.mac());
    }
}

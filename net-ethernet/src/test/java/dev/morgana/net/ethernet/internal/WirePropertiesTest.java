package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Seeded properties of the Ethernet and ARP wire formats (replay a failure with -Dmorgana.seed=N). */
class WirePropertiesTest {

    static final Gen<Integer> ETHER_TYPES = random -> {
        int type = random.nextInt(0x0600, 0x10000);
        return type == EthernetFrame.TPID_8021Q || type == EthernetFrame.TPID_8021AD ? Ethernet.IPV4 : type;
    };

    static EthernetHeader header(RandomGenerator random) {
        OptionalInt tci = random.nextBoolean() ? OptionalInt.of(random.nextInt(0x10000)) : OptionalInt.empty();
        return new EthernetHeader(ApiGen.macAddresses().next(random), ApiGen.macAddresses().next(random), tci,
                random.nextInt(4) == 0 ? Ethernet.ARP : ETHER_TYPES.next(random));
    }

    static ArpMessage arp(RandomGenerator random) {
        MacAddress senderMac = ApiGen.macAddresses().next(random);
        Ipv4Address senderIp = ApiGen.ipv4Addresses().next(random);
        MacAddress targetMac = ApiGen.macAddresses().next(random);
        Ipv4Address targetIp = ApiGen.ipv4Addresses().next(random);
        return random.nextBoolean() ? new ArpMessage.Request(senderMac, senderIp, targetMac, targetIp)
                : new ArpMessage.Reply(senderMac, senderIp, targetMac, targetIp);
    }

    /** A valid frame (an ARP packet behind a header, sometimes tagged, sometimes padded), then damaged or not. */
    static byte[] nearlyValidFrame(RandomGenerator random) {
        EthernetHeader header = header(random);
        header = new EthernetHeader(header.destination(), header.source(), header.tci(), Ethernet.ARP);
        byte[] frame = new byte[header.length() + ArpPacket.LENGTH + (random.nextBoolean() ? 0 : random.nextInt(20))];
        MemorySegment segment = MemorySegment.ofArray(frame);
        int at = header.emit(segment);
        arp(random).emit(segment.asSlice(at));
        return Gen.damaged(frame).next(random);
    }

    @Property
    void ethernetHeaderParseOfEmitIsIdentity(RandomGenerator random) {
        EthernetHeader header = header(random);
        byte[] frame = new byte[header.length() + random.nextInt(50)];
        header.emit(MemorySegment.ofArray(frame));
        assertEquals(header, EthernetHeader.parse(MemorySegment.ofArray(frame)));
    }

    @Property
    void arpMessageParseOfEmitIsIdentity(RandomGenerator random) {
        ArpMessage message = arp(random);
        byte[] packet = new byte[ArpPacket.LENGTH + random.nextInt(20)];
        message.emit(MemorySegment.ofArray(packet));
        assertEquals(message, ArpMessage.parse(MemorySegment.ofArray(packet)));
    }

    @Property(tries = 500)
    void anyFrameIsParsedCanonicallyOrRefused(RandomGenerator random) {
        byte[] bytes = random.nextInt(3) == 0 ? Gen.bytes(0, 80).next(random) : nearlyValidFrame(random);
        assertFrameParsedCanonicallyOrRefused(bytes);
    }

    @Property(tries = 500)
    void anyArpPacketIsParsedCanonicallyOrRefused(RandomGenerator random) {
        byte[] bytes = random.nextInt(3) == 0 ? Gen.bytes(0, 40).next(random) : Gen.damaged(packetBytes(arp(random))).next(random);
        assertArpParsedCanonicallyOrRefused(bytes);
    }

    @Property(tries = 200)
    void theLayersDropWhatTheyCannotUseAndThrowNothing(RandomGenerator random) {
        byte[][] frames = new byte[20][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = random.nextInt(3) == 0 ? Gen.bytes(0, 80).next(random) : nearlyValidFrame(random);
        }
        assertLayersSurvive(frames);
    }

    static byte[] packetBytes(ArpMessage message) {
        byte[] bytes = new byte[ArpPacket.LENGTH];
        message.emit(MemorySegment.ofArray(bytes));
        return bytes;
    }

    /** Parse succeeds and emitting the result gives back the header's bytes, or parse throws MalformedPacketException. */
    static void assertFrameParsedCanonicallyOrRefused(byte[] bytes) {
        EthernetHeader header;
        try {
            header = EthernetHeader.parse(MemorySegment.ofArray(bytes).asReadOnly());
        } catch (MalformedPacketException refused) {
            return;
        }
        byte[] out = new byte[header.length()];
        header.emit(MemorySegment.ofArray(out));
        assertArrayEquals(Arrays.copyOf(bytes, header.length()), out);
    }

    /** The same for ARP: the first 28 bytes come back, or the packet is refused as malformed. */
    static void assertArpParsedCanonicallyOrRefused(byte[] bytes) {
        ArpMessage message;
        try {
            message = ArpMessage.parse(MemorySegment.ofArray(bytes).asReadOnly());
        } catch (MalformedPacketException refused) {
            return;
        }
        assertArrayEquals(Arrays.copyOf(bytes, ArpPacket.LENGTH), packetBytes(message));
    }

    /**
     * Ethernet and ARP over a hub port, fed {@code frames} as if the device had received them: nothing may
     * throw, and every frame is delivered or counted as dropped.
     */
    static void assertLayersSurvive(byte[]... frames) {
        VirtualClock clock = new VirtualClock();
        TestHub hub = new TestHub(clock, new SplittableRandom(1), 0);
        TestHub.Port port = hub.port(EthernetHeaderTest.B);
        EthernetLayer ethernet = new EthernetLayer(port, EthernetConfig.DEFAULT.withVlan(100)
                .withMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        ArpLayer arp = new ArpLayer(ethernet, clock, clock, ArpConfig.DEFAULT.withBounds(4, 2, 4));
        ethernet.start();
        arp.start();
        arp.addAddress(ArpMessageTest.IP_B);
        for (byte[] frame : frames) {
            ethernet.frame(MemorySegment.ofArray(frame).asReadOnly());
            clock.advance(java.time.Duration.ofMillis(300));
        }
        EthernetLayer.Counters counters = ethernet.counters();
        assertEquals(frames.length, counters.received());
        assertEquals(counters.received(), counters.delivered() + counters.notForUs() + counters.tagged()
                + counters.unknownType() + counters.malformed(), counters.toString());
        assertEquals(true, arp.counters().cacheSize() <= 4);
        arp.stop();
        ethernet.stop();
    }
}

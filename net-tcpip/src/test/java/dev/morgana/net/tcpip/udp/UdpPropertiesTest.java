package dev.morgana.net.tcpip.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.icmp.Captures;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Seeded properties of the UDP wire format and layer (replay a failure with -Dmorgana.seed=N). */
class UdpPropertiesTest {

    static byte[] datagram(UdpHeader header, byte[] payload, int pseudo) {
        byte[] bytes = new byte[UdpPacket.HEADER + payload.length];
        System.arraycopy(payload, 0, bytes, UdpPacket.HEADER, payload.length);
        header.emit(MemorySegment.ofArray(bytes), pseudo);
        return bytes;
    }

    static UdpHeader header(RandomGenerator random) {
        return new UdpHeader(random.nextInt(0x10000), random.nextInt(0x10000));
    }

    /** A valid datagram from A to B, then damaged or not, sometimes with its checksum zeroed, sometimes padded. */
    static byte[] nearlyValid(RandomGenerator random) {
        byte[] payload = Gen.bytes(0, 60).next(random);
        byte[] bytes = datagram(header(random), payload, UdpHeaderTest.pseudo(Captures.A, Captures.B, UdpPacket.HEADER + payload.length));
        if (random.nextInt(5) == 0) {
            bytes[6] = 0;
            bytes[7] = 0;
        }
        if (random.nextInt(5) == 0) {
            bytes = Arrays.copyOf(bytes, bytes.length + random.nextInt(1, 10));
        }
        return Gen.damaged(bytes).next(random);
    }

    @Property
    void parseOfEmitIsIdentity(RandomGenerator random) {
        UdpHeader header = header(random);
        Ipv4Address source = ApiGen.ipv4Addresses().next(random);
        Ipv4Address destination = ApiGen.ipv4Addresses().next(random);
        byte[] payload = Gen.bytes(0, 200).next(random);
        int pseudo = UdpHeaderTest.pseudo(source, destination, UdpPacket.HEADER + payload.length);
        byte[] bytes = datagram(header, payload, pseudo);
        assertTrue(UdpPacket.checksum(MemorySegment.ofArray(bytes)) != 0, "a checksum is always sent");
        assertEquals(header, UdpHeader.parse(MemorySegment.ofArray(bytes).asReadOnly(), pseudo));
        assertArrayEquals(payload, UdpPacket.payload(MemorySegment.ofArray(bytes)).toArray(ValueLayout.JAVA_BYTE));
    }

    @Property(tries = 500)
    void anyBytesParseCanonicallyOrAreRefused(RandomGenerator random) {
        assertParsedCanonicallyOrRefused(random.nextInt(3) == 0 ? Gen.bytes(0, 40).next(random) : nearlyValid(random));
    }

    @Property(tries = 200)
    void theLayerSurvivesAnything(RandomGenerator random) {
        byte[][] datagrams = new byte[20][];
        for (int i = 0; i < datagrams.length; i++) {
            datagrams[i] = random.nextInt(3) == 0 ? Gen.bytes(0, 40).next(random) : nearlyValid(random);
        }
        assertLayerSurvives(datagrams);
    }

    @Property
    void whatOneLayerWritesAnotherDeliversByteForByte(RandomGenerator random) throws NetworkException {
        TestingIpv4 ipA = new TestingIpv4(Captures.A, Ipv4Prefix.parse("192.0.2.0/24"));
        TestingIpv4 ipB = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
        VirtualClock clock = new VirtualClock();
        UdpLayer a = new UdpLayer(ipA, new IcmpLayer(ipA, clock, IcmpConfig.DEFAULT));
        UdpLayer b = new UdpLayer(ipB, new IcmpLayer(ipB, clock, IcmpConfig.DEFAULT));
        a.start();
        b.start();
        int port = random.nextInt(1, 0x10000);
        List<String> received = new ArrayList<>();
        b.listen(port, (source, destination, payload) ->
                received.add(source + ">" + destination + ":" + Arrays.toString(payload.toArray(ValueLayout.JAVA_BYTE))));
        List<String> expected = new ArrayList<>();
        for (int i = random.nextInt(1, 10); i > 0; i--) {
            byte[] payload = Gen.bytes(0, 1500).next(random);
            int from = random.nextInt(0x10000);
            a.write(from, new Endpoint(Captures.B, port), MemorySegment.ofArray(payload));
            expected.add(new Endpoint(Captures.A, from == 0 ? UdpLayer.EPHEMERAL_FIRST : from) + ">"
                    + new Endpoint(Captures.B, port) + ":" + Arrays.toString(payload));
        }
        for (TestingIpv4.Written written : ipA.takeWritten()) {
            assertEquals(Captures.B, written.destination());
            ipB.deliver(written.protocol(), Captures.A, written.destination(), written.payload());
        }
        assertEquals(expected, received);
        assertEquals(List.of(), ipB.takeWritten(), "no port unreachable");
    }

    /** Parse succeeds and emitting the result gives back the datagram's bytes, or parse refuses them. */
    static void assertParsedCanonicallyOrRefused(byte[] bytes) {
        int pseudo;
        UdpHeader header;
        try {
            UdpPacket.check(MemorySegment.ofArray(bytes));
            pseudo = UdpHeaderTest.pseudo(Captures.A, Captures.B, UdpPacket.length(MemorySegment.ofArray(bytes)));
            header = UdpHeader.parse(MemorySegment.ofArray(bytes).asReadOnly(), pseudo);
        } catch (MalformedPacketException refused) {
            return;
        }
        int length = UdpPacket.length(MemorySegment.ofArray(bytes));
        byte[] out = Arrays.copyOf(bytes, length);
        header.emit(MemorySegment.ofArray(out), pseudo);
        byte[] expected = Arrays.copyOf(bytes, length);
        if (UdpPacket.checksum(MemorySegment.ofArray(bytes)) == 0) {
            // "None" comes back computed, as every datagram is sent.
            expected[6] = out[6];
            expected[7] = out[7];
            assertEquals(header, UdpHeader.parse(MemorySegment.ofArray(out), pseudo));
        }
        assertArrayEquals(expected, out);
    }

    /**
     * UDP over a recording IPv4 with a listener on port 5000, fed {@code datagrams} from A: nothing throws,
     * every datagram is counted once, and what is written is a port unreachable from ICMP.
     */
    static void assertLayerSurvives(byte[]... datagrams) {
        TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
        IcmpLayer icmp = new IcmpLayer(ipv4, new VirtualClock(), IcmpConfig.DEFAULT);
        UdpLayer udp = new UdpLayer(ipv4, icmp);
        icmp.start();
        udp.start();
        try {
            udp.listen(5000, (source, destination, payload) -> payload.toArray(ValueLayout.JAVA_BYTE));
        } catch (NetworkException e) {
            throw new AssertionError(e);
        }
        for (byte[] datagram : datagrams) {
            ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, datagram);
        }
        Map<UdpLayer.Count, Long> c = udp.counters();
        assertEquals(datagrams.length, c.get(UdpLayer.Count.RECEIVED));
        assertEquals(datagrams.length, c.get(UdpLayer.Count.MALFORMED) + c.get(UdpLayer.Count.BAD_CHECKSUM)
                + c.get(UdpLayer.Count.DELIVERED) + c.get(UdpLayer.Count.NO_LISTENER), c.toString());
        assertEquals(0, c.get(UdpLayer.Count.HANDLER_FAILED));
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(c.get(UdpLayer.Count.NO_LISTENER), written.size(), "one port unreachable per closed-port datagram");
        for (TestingIpv4.Written w : written) {
            assertEquals(Ipv4.ICMP, w.protocol());
            assertEquals(Captures.A, w.destination());
            assertEquals(3, w.payload()[0]);
            assertEquals(3, w.payload()[1]);
        }
    }
}

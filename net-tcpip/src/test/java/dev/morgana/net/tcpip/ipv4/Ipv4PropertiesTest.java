package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Seeded properties of the IPv4 wire format and of the layer's receive path (replay with -Dmorgana.seed=N). */
class Ipv4PropertiesTest {

    /** A header and a payload length that fit together. */
    record Sized(Ipv4Header header, int payloadLength) {}

    static Sized header(RandomGenerator random) {
        boolean more = random.nextInt(3) == 0;
        int offset = random.nextBoolean() ? 0 : 8 * random.nextInt(0, 8000);
        int room = Ipv4Packet.MAX_LENGTH - Ipv4Packet.HEADER - offset;
        int length = random.nextInt(0, Math.min(room, 3000) + 1);
        if (more) {
            length = Math.max(8, length / 8 * 8);
        }
        Ipv4Header header = new Ipv4Header(random.nextInt(256), random.nextInt(0x10000), random.nextBoolean(), more,
                offset, random.nextInt(256), random.nextInt(256), ApiGen.ipv4Addresses().next(random),
                ApiGen.ipv4Addresses().next(random));
        return new Sized(header, length);
    }

    static byte[] packet(Sized sized, int padding, RandomGenerator random) {
        byte[] bytes = new byte[Ipv4Packet.HEADER + sized.payloadLength() + padding];
        random.nextBytes(bytes);
        sized.header().emit(MemorySegment.ofArray(bytes), sized.payloadLength());
        return bytes;
    }

    /** A valid packet, sometimes padded, then damaged or not. */
    static byte[] nearlyValidPacket(RandomGenerator random) {
        byte[] bytes = packet(header(random), random.nextBoolean() ? 0 : random.nextInt(30), random);
        switch (random.nextInt(5)) {
            case 0 -> {
                return bytes;
            }
            case 1 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            case 2 -> bytes[random.nextInt(Math.min(bytes.length, 24))] ^= (byte) (1 << random.nextInt(8));
            case 3 -> {
                // Another IHL with a checksum that holds: options (of whatever bytes were there) or a short IHL.
                bytes[0] = (byte) (0x40 | random.nextInt(16));
                int header = Math.min((bytes[0] & 0xF) * 4, bytes.length);
                if (header >= 12) {
                    Ipv4HeaderTest.rechecksum(bytes, header);
                }
            }
            default -> {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                Ipv4HeaderTest.rechecksum(bytes, 20);
            }
        }
        return bytes;
    }

    @Property
    void parseOfEmitIsIdentity(RandomGenerator random) {
        Sized sized = header(random);
        byte[] bytes = packet(sized, random.nextInt(40), random);
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertEquals(sized.header(), Ipv4Header.parse(segment));
        assertEquals(sized.payloadLength(), Ipv4Packet.payload(segment).byteSize());
    }

    @Property(tries = 1000)
    void anyBytesAreParsedCanonicallyOrRefused(RandomGenerator random) {
        byte[] bytes = random.nextInt(4) == 0 ? Gen.bytes(0, 80).next(random) : nearlyValidPacket(random);
        assertParsedCanonicallyOrRefused(bytes);
    }

    @Property(tries = 100)
    void theLayerDropsWhatItCannotUseCountsItAndThrowsNothing(RandomGenerator random) {
        byte[][] packets = new byte[50][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = random.nextInt(4) == 0 ? Gen.bytes(0, 80).next(random) : nearlyValidPacket(random);
            if (random.nextBoolean() && packets[i].length >= 20) {
                // Aimed at the layer's address, so that more of them get past the address checks.
                System.arraycopy(Ipv4LayerTest.US.toBytes(), 0, packets[i], 16, 4);
                Ipv4HeaderTest.rechecksum(packets[i], 20);
            }
        }
        assertLayerSurvives(packets);
    }

    @Property
    void aFragmentEndingPast65535BytesIsRefusedBeforeReassembly(RandomGenerator random) {
        // The "ping of death": offsets and lengths that each fit, but together pass the largest datagram.
        int length = 8 * random.nextInt(1, 185);
        int offset = 8 * random.nextInt((Ipv4Packet.MAX_LENGTH - Ipv4Packet.HEADER - length) / 8 + 1, 0x2000);
        Ipv4Header header = new Ipv4Header(0, random.nextInt(0x10000), false, random.nextBoolean(), offset, 64,
                Ipv4.UDP, Ipv4LayerTest.LINUX, Ipv4LayerTest.US);
        byte[] packet = new byte[Ipv4Packet.HEADER + length];
        // emit refuses such a header, as it should: write it field by field instead.
        Ipv4Packet.putHeader(MemorySegment.ofArray(packet), 0, packet.length, header.identification(),
                header.flagsAndOffset(), 64, Ipv4.UDP, header.source().bits(), header.destination().bits());
        assertEquals(Ipv4Packet.BAD_FRAGMENT, Ipv4Packet.problem(MemorySegment.ofArray(packet)));
        assertLayerSurvives(packet);
    }

    /** Parse succeeds and the header emits back as it came (for headers without options), or parse refuses. */
    static void assertParsedCanonicallyOrRefused(byte[] bytes) {
        MemorySegment segment = MemorySegment.ofArray(bytes).asReadOnly();
        Ipv4Header header;
        try {
            header = Ipv4Header.parse(segment);
        } catch (MalformedPacketException refused) {
            assertTrue(Ipv4Packet.problem(segment) != Ipv4Packet.OK);
            return;
        }
        int payload = Ipv4Packet.totalLength(segment) - Ipv4Packet.headerLength(segment);
        assertEquals(payload, Ipv4Packet.payload(segment).byteSize());
        if (Ipv4Packet.headerLength(segment) == Ipv4Packet.HEADER) {
            byte[] out = new byte[Ipv4Packet.HEADER];
            header.emit(MemorySegment.ofArray(out), payload);
            byte[] in = Arrays.copyOf(bytes, Ipv4Packet.HEADER);
            if ((in[6] & 0x80) != 0) {
                // The reserved flag is ignored, so it is not sent back: compare without it.
                in[6] &= 0x7F;
                Ipv4HeaderTest.rechecksum(in, 20);
            }
            assertArrayEquals(in, out);
        }
    }

    /**
     * The layer (our address 192.0.2.11/24, ICMP and UDP registered, small reassembly bounds) fed
     * {@code packets}: nothing throws, every packet is counted once, and reassembly stays in its bounds.
     */
    static void assertLayerSurvives(byte[]... packets) {
        VirtualClock clock = new VirtualClock();
        Fakes.RecordingEthernet ethernet = new Fakes.RecordingEthernet();
        Ipv4Config.Limits limits = new Ipv4Config.Limits(4096, 4, 3, Duration.ofSeconds(1), 4);
        Ipv4Layer layer = new Ipv4Layer(ethernet, new Fakes.ScriptedArp(), clock, clock,
                Ipv4Config.of(Ipv4LayerTest.US, 24).withLimits(limits));
        layer.start();
        long[] delivered = new long[1];
        Ipv4.DatagramHandler count = (source, destination, payload) -> delivered[0]++;
        layer.register(Ipv4.ICMP, count);
        layer.register(Ipv4.UDP, count);
        for (byte[] packet : packets) {
            ethernet.receive(Ipv4LayerTest.LINUX_MAC, packet.length % 7 == 0 ? MacAddress.BROADCAST : Fakes.OUR_MAC,
                    packet);
            clock.advance(Duration.ofMillis(100));
            Ipv4Layer.Counters c = layer.counters();
            assertTrue(c.reassemblyBytes() <= 4096 && c.reassemblyDatagrams() <= 3, c.toString());
        }
        Ipv4Layer.Counters c = layer.counters();
        assertEquals(packets.length, c.received());
        assertEquals(c.received(), c.delivered() - c.reassembly().reassembled() + c.truncated() + c.badVersion()
                + c.badLength() + c.badChecksum() + c.badFragment() + c.notForUs() + c.linkBroadcast() + c.badSource()
                + c.noHandler() + c.fragments(), c.toString());
        assertEquals(delivered[0], c.delivered());
        layer.stop();
    }
}

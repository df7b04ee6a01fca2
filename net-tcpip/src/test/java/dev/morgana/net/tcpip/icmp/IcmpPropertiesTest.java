package dev.morgana.net.tcpip.icmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Seeded properties of the ICMP wire format and layer (replay a failure with -Dmorgana.seed=N). */
class IcmpPropertiesTest {

    static IcmpMessage message(RandomGenerator random) {
        int id = random.nextInt(0x10000);
        int seq = random.nextInt(0x10000);
        return switch (random.nextInt(4)) {
            case 0 -> new IcmpMessage.EchoRequest(id, seq);
            case 1 -> new IcmpMessage.EchoReply(id, seq);
            case 2 -> new IcmpMessage.Error(new int[] {3, 11, 12}[random.nextInt(3)], random.nextInt(256), random.nextInt());
            default -> {
                int type;
                int code;
                do {
                    type = random.nextInt(256);
                    code = random.nextInt(3) == 0 ? 0 : random.nextInt(256);
                } while (type == 3 || type == 11 || type == 12 || (type == 0 || type == 8) && code == 0);
                yield new IcmpMessage.Other(type, code, random.nextInt());
            }
        };
    }

    /** A message with data after its header: for errors, a quote of a random IPv4 header and 8+ bytes. */
    static byte[] bytes(IcmpMessage message, RandomGenerator random) {
        byte[] data;
        if (message instanceof IcmpMessage.Error) {
            int header = 4 * random.nextInt(5, 16);
            data = Gen.bytes(header + 8, header + 100).next(random);
            data[0] = (byte) (0x40 | header / 4);
        } else {
            data = Gen.bytes(0, 100).next(random);
        }
        byte[] packet = new byte[IcmpPacket.HEADER + data.length];
        System.arraycopy(data, 0, packet, IcmpPacket.HEADER, data.length);
        message.emit(MemorySegment.ofArray(packet));
        return packet;
    }

    @Property
    void parseOfEmitIsIdentity(RandomGenerator random) {
        IcmpMessage message = message(random);
        byte[] packet = bytes(message, random);
        assertEquals(message, IcmpMessage.parse(MemorySegment.ofArray(packet).asReadOnly()));
    }

    @Property(tries = 500)
    void anyBytesParseCanonicallyOrAreRefused(RandomGenerator random) {
        byte[] bytes = random.nextInt(3) == 0 ? Gen.bytes(0, 80).next(random) : Damage.damage(bytes(message(random), random), random);
        assertParsedCanonicallyOrRefused(bytes);
    }

    @Property(tries = 200)
    void theLayerSurvivesAnything(RandomGenerator random) {
        byte[][] packets = new byte[20][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = random.nextInt(3) == 0 ? Gen.bytes(0, 80).next(random) : Damage.damage(bytes(message(random), random), random);
        }
        assertLayerSurvives(packets);
    }

    /**
     * Parse succeeds and emitting the result over the same data gives back the bytes, or parse refuses them.
     * One difference is allowed: where the rest of the message sums to 0xFFFF, the checksum is 0x0000 as we
     * (and Linux) write it, and 0xFFFF, one's complement's other zero, verifies as well and is accepted.
     */
    static void assertParsedCanonicallyOrRefused(byte[] bytes) {
        IcmpMessage message;
        try {
            message = IcmpMessage.parse(MemorySegment.ofArray(bytes).asReadOnly());
        } catch (MalformedPacketException refused) {
            return;
        }
        byte[] out = bytes.clone();
        Arrays.fill(out, 0, IcmpPacket.HEADER, (byte) 0x5A);
        message.emit(MemorySegment.ofArray(out));
        byte[] expected = bytes.clone();
        if (IcmpPacket.checksum(MemorySegment.ofArray(bytes)) == 0xFFFF) {
            assertEquals(0, IcmpPacket.checksum(MemorySegment.ofArray(out)), "0xFFFF verifies only as the other zero");
            expected[2] = 0;
            expected[3] = 0;
        }
        assertArrayEquals(expected, out);
    }

    /**
     * The layer fed {@code packets} as ICMP from a neighbour: nothing throws, every message is counted once,
     * and what it writes is a valid ICMP message (an echo reply, as only echoes are answered).
     */
    static void assertLayerSurvives(byte[]... packets) {
        VirtualClock clock = new VirtualClock();
        TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
        IcmpLayer icmp = new IcmpLayer(ipv4, clock, new IcmpConfig(2, Duration.ofMillis(10)));
        icmp.start();
        icmp.onError(Ipv4.UDP, (reporter, type, code, quoted) -> { });
        for (byte[] packet : packets) {
            ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, packet);
        }
        Map<IcmpLayer.Count, Long> c = icmp.counters();
        assertEquals(packets.length, c.get(IcmpLayer.Count.RECEIVED));
        long outcomes = c.get(IcmpLayer.Count.MALFORMED) + c.get(IcmpLayer.Count.ECHO_ANSWERED)
                + c.get(IcmpLayer.Count.ERROR_DELIVERED) + c.get(IcmpLayer.Count.ERROR_NO_LISTENER)
                + c.get(IcmpLayer.Count.ERROR_ABOUT_FRAGMENT) + c.get(IcmpLayer.Count.IGNORED);
        assertEquals(packets.length, outcomes, c.toString());
        for (TestingIpv4.Written written : ipv4.takeWritten()) {
            assertEquals(IcmpPacket.ECHO_REPLY,
                    IcmpMessage.parse(MemorySegment.ofArray(written.payload())).type());
        }
    }
}

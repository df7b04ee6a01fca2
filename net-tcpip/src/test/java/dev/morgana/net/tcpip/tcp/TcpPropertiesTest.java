package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.tcp.TcpOptions.SackBlock;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/** Seeded properties of the TCP wire format (replay a failure with -Dmorgana.seed=N). */
class TcpPropertiesTest {

    static TcpOptions options(RandomGenerator random) {
        if (random.nextInt(4) == 0) {
            return TcpOptions.NONE;
        }
        int maxSegmentSize = random.nextBoolean() ? TcpOptions.ABSENT : random.nextInt(0x10000);
        int windowScale = random.nextBoolean() ? TcpOptions.ABSENT : random.nextInt(TcpOptions.MAX_WINDOW_SCALE + 1);
        boolean sackPermitted = random.nextBoolean();
        boolean timestamps = random.nextBoolean();
        List<SackBlock> blocks = new ArrayList<>();
        for (int i = random.nextInt(timestamps ? 4 : 5); i > 0; i--) {
            blocks.add(new SackBlock(random.nextInt(), random.nextInt()));
        }
        TcpOptions options = new TcpOptions(maxSegmentSize, windowScale, sackPermitted, timestamps,
                timestamps ? random.nextInt() : 0, timestamps ? random.nextInt() : 0, blocks);
        // Drop blocks until the options fit in the 40 bytes of a header.
        while (options.length() > TcpPacket.MAX_HEADER - TcpPacket.HEADER) {
            blocks.removeLast();
            options = new TcpOptions(maxSegmentSize, windowScale, sackPermitted, timestamps,
                    options.timestampValue(), options.timestampEcho(), blocks);
        }
        return options;
    }

    static TcpHeader header(RandomGenerator random) {
        return new TcpHeader(random.nextInt(0x10000), random.nextInt(0x10000), random.nextInt(), random.nextInt(),
                random.nextInt(0x100), random.nextInt(0x10000), random.nextInt(0x10000), options(random));
    }

    static byte[] segment(TcpHeader header, byte[] payload, int pseudo) {
        byte[] bytes = new byte[header.length() + payload.length];
        System.arraycopy(payload, 0, bytes, header.length(), payload.length);
        header.emit(MemorySegment.ofArray(bytes), pseudo);
        return bytes;
    }

    /**
     * A valid segment from A to B, or a Linux one, then damaged or not, and its checksum put right half the
     * time so that the damage reaches the options.
     */
    static byte[] nearlyValid(RandomGenerator random) {
        byte[] valid;
        if (random.nextInt(4) == 0) {
            valid = Captures.segment(random.nextInt(1, 9));
        } else {
            TcpHeader header = header(random);
            byte[] payload = Gen.bytes(0, 40).next(random);
            valid = segment(header, payload, TcpHeaderTest.pseudo(Captures.A, Captures.B, header.length() + payload.length));
        }
        byte[] damaged = Gen.damaged(valid).next(random);
        return random.nextBoolean() ? withChecksumIfLongEnough(damaged) : damaged;
    }

    /**
     * A segment from A to B whose options area is built from random options: known kinds with their own
     * length or another, random values, unknown kinds, NOPs and ends of options, cut at the header's end;
     * checksum right. Damage to a valid segment rarely lands on an option's value; this reaches them all.
     */
    static byte[] randomOptions(RandomGenerator random) {
        int area = 4 * random.nextInt(11);
        byte[] bytes = new byte[TcpPacket.HEADER + area + random.nextInt(20)];
        random.nextBytes(bytes);
        bytes[12] = (byte) ((TcpPacket.HEADER + area) / 4 << 4);
        int at = TcpPacket.HEADER;
        int[] kinds = {TcpPacket.END_OF_OPTIONS, TcpPacket.NO_OPERATION, TcpPacket.MAXIMUM_SEGMENT_SIZE,
            TcpPacket.WINDOW_SCALE, TcpPacket.SACK_PERMITTED, TcpPacket.SACK, TcpPacket.TIMESTAMPS, 30, 254};
        int[] lengths = {1, 1, 4, 3, 2, 2 + 8 * random.nextInt(1, 5), 10, 2 + random.nextInt(10), 4};
        while (at < TcpPacket.HEADER + area) {
            int option = random.nextInt(kinds.length);
            int length = random.nextInt(10) == 0 ? random.nextInt(256) : lengths[option];
            bytes[at] = (byte) kinds[option];
            if (length > 1 && at + 1 < bytes.length) {
                bytes[at + 1] = (byte) length;
            }
            at += Math.max(1, length);
        }
        return TcpHeaderTest.withChecksum(bytes);
    }

    static byte[] withChecksumIfLongEnough(byte[] bytes) {
        return bytes.length >= TcpPacket.HEADER ? TcpHeaderTest.withChecksum(bytes) : bytes;
    }

    @Property
    void parseOfEmitIsIdentity(RandomGenerator random) {
        TcpHeader header = header(random);
        Ipv4Address source = ApiGen.ipv4Addresses().next(random);
        Ipv4Address destination = ApiGen.ipv4Addresses().next(random);
        byte[] payload = Gen.bytes(0, 200).next(random);
        int pseudo = TcpHeaderTest.pseudo(source, destination, header.length() + payload.length);
        byte[] bytes = segment(header, payload, pseudo);
        MemorySegment segment = MemorySegment.ofArray(bytes).asReadOnly();
        TcpHeader.validate(segment, pseudo);
        TcpHeader parsed = TcpHeader.parse(segment, pseudo);
        assertEquals(header, parsed);
        if (header.options().equals(TcpOptions.NONE)) {
            assertSame(TcpOptions.NONE, parsed.options());
        }
        assertEquals(header.length(), TcpPacket.headerLength(segment));
        assertEquals(0, TcpPacket.headerLength(segment) % 4);
        assertArrayEquals(payload, TcpPacket.payload(segment).toArray(ValueLayout.JAVA_BYTE));
        int timestamps = TcpPacket.option(segment, TcpPacket.TIMESTAMPS);
        assertEquals(header.options().timestamps(), timestamps >= 0);
        if (timestamps >= 0) {
            assertEquals(header.options().timestampValue(), segment.get(TcpPacket.I32, timestamps + 2));
            assertEquals(header.options().timestampEcho(), segment.get(TcpPacket.I32, timestamps + 6));
        }
    }

    @Property
    void aWrongPseudoHeaderIsRefused(RandomGenerator random) {
        TcpHeader header = header(random);
        byte[] bytes = segment(header, Gen.bytes(0, 50).next(random), 0);
        int other = random.nextInt(1, 0xFFFF);
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(MemorySegment.ofArray(bytes), other));
    }

    @Property(tries = 1000)
    void anyBytesParseOrAreRefused(RandomGenerator random) {
        byte[] bytes = switch (random.nextInt(4)) {
            case 0 -> withChecksumIfLongEnough(Gen.bytes(0, 80).next(random));
            case 1 -> randomOptions(random);
            default -> nearlyValid(random);
        };
        assertParsedOrRefused(bytes);
    }

    /**
     * Parse and validate agree, and throw nothing but {@link MalformedPacketException}; what parses is emitted
     * again over the same payload, the header's bytes scrambled first, and parses back to the same header.
     * (Not byte for byte: padding, option order, unknown options and the reserved bits are not kept.)
     *
     * @param bytes a segment from A to B, or anything
     */
    static void assertParsedOrRefused(byte[] bytes) {
        int pseudo = TcpHeaderTest.pseudo(bytes);
        TcpHeader header;
        try {
            header = TcpHeader.parse(MemorySegment.ofArray(bytes).asReadOnly(), pseudo);
        } catch (MalformedPacketException refused) {
            assertThrows(MalformedPacketException.class,
                    () -> TcpHeader.validate(MemorySegment.ofArray(bytes).asReadOnly(), pseudo), "validate agrees");
            return;
        }
        TcpHeader.validate(MemorySegment.ofArray(bytes).asReadOnly(), pseudo);
        byte[] payload = TcpPacket.payload(MemorySegment.ofArray(bytes)).toArray(ValueLayout.JAVA_BYTE);
        if (header.options().length() > TcpPacket.MAX_HEADER - TcpPacket.HEADER) {
            // Valid options that our layout cannot send together (MSS, window scale and four SACK blocks,
            // packed tighter by a sender); a received header is never sent back as such.
            assertThrows(IllegalArgumentException.class, header::length);
            return;
        }
        byte[] out = new byte[header.length() + payload.length];
        Arrays.fill(out, 0, header.length(), (byte) 0x5A);
        System.arraycopy(payload, 0, out, header.length(), payload.length);
        int outPseudo = TcpHeaderTest.pseudo(out);
        header.emit(MemorySegment.ofArray(out), outPseudo);
        assertEquals(header, TcpHeader.parse(MemorySegment.ofArray(out), outPseudo));
        assertArrayEquals(payload, TcpPacket.payload(MemorySegment.ofArray(out)).toArray(ValueLayout.JAVA_BYTE));
    }
}

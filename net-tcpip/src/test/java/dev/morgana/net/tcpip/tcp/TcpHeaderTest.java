package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.net.tcpip.tcp.TcpOptions.SackBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TCP wire format against Linux's bytes: deconstruct, parse, construct, emit, and what is refused. */
class TcpHeaderTest {

    private static final Ipv4 PSEUDO = new TestingIpv4(Captures.A, Ipv4Prefix.parse("192.0.2.0/24"));
    private static final HexFormat HEX = HexFormat.of();

    static int pseudo(Ipv4Address source, Ipv4Address destination, int length) {
        return PSEUDO.pseudoHeaderSum(source, destination, Ipv4.TCP, length);
    }

    /** The pseudo-header sum of a segment from A to B of {@code bytes.length} bytes. */
    static int pseudo(byte[] bytes) {
        return pseudo(Captures.A, Captures.B, bytes.length);
    }

    /** The pseudo-header sum of frame {@code number}'s segment, in its direction. */
    private static int pseudoOfFrame(int number, byte[] segment) {
        return Captures.fromA(number)
                ? pseudo(Captures.A, Captures.B, segment.length)
                : pseudo(Captures.B, Captures.A, segment.length);
    }

    static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes).asReadOnly();
    }

    /** Puts the right checksum, for A to B, in a segment whose other bytes a test has changed. */
    static byte[] withChecksum(byte[] bytes) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        TcpPacket.putChecksum(segment, 0);
        TcpPacket.putChecksum(segment, InternetChecksum.of(segment, 0, bytes.length, pseudo(bytes)));
        return bytes;
    }

    /** Linux's SYN (frame 1) with its 20 bytes of options replaced by {@code options}, checksum right. */
    static byte[] synWithOptions(String options) {
        byte[] syn = Captures.segment(1);
        byte[] replaced = HEX.parseHex(options);
        assertEquals(20, replaced.length, "a test replaces exactly the 20 bytes of options");
        System.arraycopy(replaced, 0, syn, TcpPacket.HEADER, replaced.length);
        return withChecksum(syn);
    }

    @Test
    void linuxsSynDeconstructs() {
        MemorySegment syn = segment(Captures.segment(1));
        TcpPacket.check(syn);
        assertEquals(40002, TcpPacket.sourcePort(syn));
        assertEquals(5002, TcpPacket.destinationPort(syn));
        assertEquals(4_213_598_137L, Integer.toUnsignedLong(TcpPacket.sequence(syn)));
        assertEquals(0, TcpPacket.acknowledgment(syn));
        assertEquals(10, TcpPacket.dataOffset(syn));
        assertEquals(40, TcpPacket.headerLength(syn));
        assertEquals(TcpHeader.SYN, TcpPacket.flags(syn));
        assertEquals(64240, TcpPacket.window(syn));
        assertEquals(0xF2B0, TcpPacket.checksum(syn));
        assertEquals(0, TcpPacket.urgentPointer(syn));
        // MSS 1460, SACK-permitted, timestamps (908103032, 0), NOP, window scale 10: Linux's SYN order.
        assertEquals("020405b40402080a36208d78000000000103030a",
                HEX.formatHex(TcpPacket.options(syn).toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(0, TcpPacket.payload(syn).byteSize());
        assertEquals(26, TcpPacket.option(syn, TcpPacket.TIMESTAMPS));
        assertEquals(37, TcpPacket.option(syn, TcpPacket.WINDOW_SCALE));
        assertEquals(-1, TcpPacket.option(syn, TcpPacket.SACK));
    }

    @Test
    void linuxsDataSegmentDeconstructs() {
        MemorySegment data = segment(Captures.segment(4));
        TcpPacket.check(data);
        assertEquals(8, TcpPacket.dataOffset(data));
        assertEquals(TcpHeader.PSH | TcpHeader.ACK, TcpPacket.flags(data));
        assertEquals(355_311_067L, Integer.toUnsignedLong(TcpPacket.acknowledgment(data)));
        assertEquals(63, TcpPacket.window(data));
        assertEquals("0101080a36208d7841cff52a", HEX.formatHex(TcpPacket.options(data).toArray(ValueLayout.JAVA_BYTE)));
        assertEquals("hello morgana\n",
                new String(TcpPacket.payload(data).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        // Slices, not copies: the payload is the segment's own memory.
        assertEquals(data.address() + 32, TcpPacket.payload(data).address());
        assertEquals(22, TcpPacket.option(data, TcpPacket.TIMESTAMPS));
        assertEquals(-1, TcpPacket.option(data, TcpPacket.MAXIMUM_SEGMENT_SIZE));
    }

    @Test
    void linuxsSegmentsParse() {
        assertEquals(new TcpHeader(40002, 5002, (int) 4_213_598_137L, 0, TcpHeader.SYN, 64240, 0,
                        new TcpOptions(1460, 10, true, true, 908_103_032, 0, List.of())),
                parseFrame(1));
        assertEquals(new TcpHeader(5002, 40002, 355_311_066, (int) 4_213_598_138L, TcpHeader.SYN | TcpHeader.ACK,
                        65160, 0, new TcpOptions(1460, 10, true, true, 1_104_147_754, 908_103_032, List.of())),
                parseFrame(2));
        TcpOptions timestamps = TcpOptions.NONE.withTimestamps(908_103_032, 1_104_147_754);
        assertEquals(new TcpHeader(40002, 5002, (int) 4_213_598_138L, 355_311_067, TcpHeader.ACK, 63, 0, timestamps),
                parseFrame(3));
        assertEquals(new TcpHeader(40002, 5002, (int) 4_213_598_138L, 355_311_067, TcpHeader.PSH | TcpHeader.ACK,
                        63, 0, timestamps),
                parseFrame(4));
        assertEquals(new TcpHeader(40002, 5002, (int) 4_213_598_152L, 355_311_067, TcpHeader.FIN | TcpHeader.ACK,
                        63, 0, TcpOptions.NONE.withTimestamps(908_103_533, 1_104_147_754)),
                parseFrame(6));
        assertEquals(new TcpHeader(40003, 5003, 1_399_176_731, 0, TcpHeader.SYN, 65400, 0,
                        new TcpOptions(200, 10, true, true, 482_682_542, 0, List.of())),
                parseFrame(9));
        assertEquals(new TcpHeader(5003, 40003, (int) 3_780_003_682L, 1_399_178_048, TcpHeader.ACK, 64, 0,
                        new TcpOptions(TcpOptions.ABSENT, TcpOptions.ABSENT, false, true, 1_562_164_406, 482_683_370,
                                List.of(new SackBlock(1_399_178_800, 1_399_178_988)))),
                parseFrame(28));
        TcpHeader last = parseFrame(52);
        assertEquals(TcpHeader.FIN | TcpHeader.PSH | TcpHeader.ACK, last.flags());
        assertEquals(52 + 1, last.sequenceLength(52));
        assertEquals(52, TcpPacket.payload(segment(Captures.segment(52))).byteSize());
    }

    private static TcpHeader parseFrame(int number) {
        byte[] bytes = Captures.segment(number);
        int pseudo = pseudoOfFrame(number, bytes);
        TcpHeader.validate(segment(bytes), pseudo);
        return TcpHeader.parse(segment(bytes), pseudo);
    }

    @Test
    void everyLinuxSegmentEmittedOverItsPayloadIsLinuxs() {
        List<byte[]> frames = Captures.frames();
        for (int number = 1; number <= frames.size(); number++) {
            byte[] linux = Captures.segment(number);
            int pseudo = pseudoOfFrame(number, linux);
            TcpHeader header = TcpHeader.parse(segment(linux), pseudo);
            assertEquals(TcpPacket.headerLength(segment(linux)), header.length(), "frame " + number);
            byte[] ours = linux.clone();
            Arrays.fill(ours, 0, header.length(), (byte) 0xA5);
            assertEquals(linux.length, header.emit(MemorySegment.ofArray(ours), pseudo));
            assertArrayEquals(linux, ours, "frame " + number);
        }
    }

    @Test
    void constructedLikeLinuxTheyAreLinuxs() {
        // A SYN built from its fields alone, the way the connection will build one.
        TcpHeader syn = new TcpHeader(40002, 5002, (int) 4_213_598_137L, 0, TcpHeader.SYN, 64240, 0,
                new TcpOptions(1460, 10, true, false, 0, 0, List.of()).withTimestamps(908_103_032, 0));
        byte[] bytes = new byte[syn.length()];
        syn.emit(MemorySegment.ofArray(bytes), pseudo(bytes));
        assertArrayEquals(Captures.segment(1), bytes);

        // The SACK acknowledgment of frame 28, B to A, over no data.
        TcpHeader sack = new TcpHeader(5003, 40003, (int) 3_780_003_682L, 1_399_178_048, TcpHeader.ACK, 64, 0,
                new TcpOptions(TcpOptions.ABSENT, TcpOptions.ABSENT, false, true, 1_562_164_406, 482_683_370,
                        List.of(new SackBlock(1_399_178_800, 1_399_178_988))));
        assertEquals(44, sack.length());
        byte[] ack = new byte[sack.length()];
        sack.emit(MemorySegment.ofArray(ack), pseudo(Captures.B, Captures.A, ack.length));
        assertArrayEquals(Captures.segment(28), ack);

        // The data segment of frame 4, its payload written first.
        byte[] payload = "hello morgana\n".getBytes(StandardCharsets.US_ASCII);
        TcpHeader data = new TcpHeader(40002, 5002, (int) 4_213_598_138L, 355_311_067, TcpHeader.PSH | TcpHeader.ACK,
                63, 0, TcpOptions.NONE.withTimestamps(908_103_032, 1_104_147_754));
        byte[] segment = new byte[data.length() + payload.length];
        System.arraycopy(payload, 0, segment, data.length(), payload.length);
        data.emit(MemorySegment.ofArray(segment), pseudo(segment));
        assertArrayEquals(Captures.segment(4), segment);
    }

    @Test
    void optionLayoutsWithoutTimestampsAreLinuxs() {
        // Linux's tcp_options_write without timestamps: NOP NOP SACK-permitted, NOP window scale; no padding.
        TcpOptions options = new TcpOptions(1460, 7, true, false, 0, 0, List.of());
        assertEquals(12, options.length());
        byte[] bytes = new byte[TcpPacket.HEADER + options.length()];
        new TcpHeader(1, 2, 3, 0, TcpHeader.SYN, 100, 0, options).emit(MemorySegment.ofArray(bytes), pseudo(bytes));
        assertEquals("020405b401010402" + "01030307",
                HEX.formatHex(Arrays.copyOfRange(bytes, TcpPacket.HEADER, bytes.length)));
        assertEquals(0, TcpOptions.NONE.length());
        TcpOptions fourBlocks = new TcpOptions(TcpOptions.ABSENT, TcpOptions.ABSENT, false, false, 0, 0,
                List.of(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(5, 6), new SackBlock(7, 8)));
        assertEquals(36, fourBlocks.length());
        TcpHeader header = new TcpHeader(1, 2, 3, 4, TcpHeader.ACK, 5, 0, fourBlocks);
        byte[] sack = new byte[header.length()];
        header.emit(MemorySegment.ofArray(sack), pseudo(sack));
        assertEquals(header, TcpHeader.parse(segment(sack), pseudo(sack)));
    }

    @Test
    void theChecksumCoversThePseudoHeaderAndEveryByte() {
        byte[] data = Captures.segment(4);
        assertThrows(MalformedPacketException.class,
                () -> TcpHeader.parse(segment(data), pseudo(Captures.A, Ipv4Address.parse("192.0.2.12"), data.length)));
        // Length is in the pseudo-header too.
        assertThrows(MalformedPacketException.class,
                () -> TcpHeader.parse(segment(data), pseudo(Captures.A, Captures.B, data.length + 1)));
        for (int i = 0; i < data.length; i++) {
            byte[] flipped = data.clone();
            flipped[i] ^= 0x10;
            assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(segment(flipped), pseudo(flipped)),
                    "byte " + i);
            assertThrows(MalformedPacketException.class, () -> TcpHeader.validate(segment(flipped), pseudo(flipped)),
                    "byte " + i);
        }
    }

    @Test
    void lengthsAreChecked() {
        byte[] syn = Captures.segment(1);
        assertThrows(MalformedPacketException.class, () -> TcpPacket.check(segment(new byte[19])));
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(segment(new byte[19]), 0));
        // A data offset of 4 words is shorter than the fixed header.
        byte[] tooShort = syn.clone();
        tooShort[12] = 0x40;
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(segment(withChecksum(tooShort)), pseudo(tooShort)));
        // Cut inside the options: the data offset says more than there is.
        byte[] cut = withChecksum(Arrays.copyOf(syn, 39));
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(segment(cut), pseudo(cut)));
        // A data offset of 15 words (60 bytes) in 40.
        byte[] offsetBeyond = syn.clone();
        offsetBeyond[12] = (byte) 0xF0;
        assertThrows(MalformedPacketException.class,
                () -> TcpHeader.parse(segment(withChecksum(offsetBeyond)), pseudo(offsetBeyond)));
        // The reserved bits beside the data offset are ignored.
        byte[] reserved = syn.clone();
        reserved[12] |= 0x0F;
        assertEquals(TcpHeader.parse(segment(syn), pseudo(syn)),
                TcpHeader.parse(segment(withChecksum(reserved)), pseudo(reserved)));
    }

    @Test
    void everyOptionErrorIsRefused() {
        List<String> malformed = List.of(
                "0101010101010101010101010101010101010102", // MSS kind in the last byte: no length
                "0200010101010101010101010101010101010101", // length 0
                "0201010101010101010101010101010101010101", // length 1
                "fe15000000000000000000000000000000000000", // unknown kind, length 21 in 20 bytes
                "0205000000010101010101010101010101010101", // MSS of length 5
                "0203000101010101010101010101010101010101", // MSS of length 3
                "0302010101010101010101010101010101010101", // window scale of length 2
                "0304070001010101010101010101010101010101", // window scale of length 4
                "0403000101010101010101010101010101010101", // SACK-permitted of length 3
                "0809000000000000000001010101010101010101", // timestamps of length 9
                "080b000000000000000000000101010101010101", // timestamps of length 11
                "0502010101010101010101010101010101010101", // SACK of no block
                "050b000000000000000000000101010101010101", // SACK of 9 bytes of blocks
                "051a000000000000000000000000000000000000"); // SACK of three blocks in 20 bytes
        for (String options : malformed) {
            byte[] syn = synWithOptions(options);
            assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(segment(syn), pseudo(syn)), options);
            assertThrows(MalformedPacketException.class, () -> TcpHeader.validate(segment(syn), pseudo(syn)), options);
        }
    }

    @Test
    void unknownOptionsArePaddingAndDuplicatesAreSkipped() {
        // An unknown option (kind 30, MPTCP, 6 bytes), a window scale of 15 (taken as 14), end of options, and
        // what would be a malformed MSS after it, which is padding.
        byte[] syn = synWithOptions("1e060102030403030f00" + "0205000000000000" + "0000");
        TcpHeader header = TcpHeader.parse(segment(syn), pseudo(syn));
        assertEquals(new TcpOptions(TcpOptions.ABSENT, 14, false, false, 0, 0, List.of()), header.options());
        // Twice every option: the first counts.
        byte[] twice = synWithOptions("02040100" + "02040200" + "030301" + "030302" + "0402" + "0402" + "0101");
        assertEquals(new TcpOptions(0x100, 1, true, false, 0, 0, List.of()), TcpHeader.parse(segment(twice), pseudo(twice)).options());
        byte[] twoStamps = synWithOptions("080a0000000100000002" + "080a0000000300000004");
        assertEquals(TcpOptions.NONE.withTimestamps(1, 2), TcpHeader.parse(segment(twoStamps), pseudo(twoStamps)).options());
        assertEquals(20, TcpPacket.option(segment(twoStamps), TcpPacket.TIMESTAMPS));
    }

    @Test
    void noOptionsAreTheSharedNone() {
        byte[] nops = synWithOptions("0101010101010101010101010101010101010100");
        assertSame(TcpOptions.NONE, TcpHeader.parse(segment(nops), pseudo(nops)).options());
        byte[] plain = new byte[TcpPacket.HEADER];
        TcpHeader bare = new TcpHeader(80, 40000, 1, 2, TcpHeader.RST | TcpHeader.ACK, 0, 0, TcpOptions.NONE);
        assertEquals(20, bare.length());
        bare.emit(MemorySegment.ofArray(plain), pseudo(plain));
        assertEquals(5, TcpPacket.dataOffset(segment(plain)));
        assertSame(TcpOptions.NONE, TcpHeader.parse(segment(plain), pseudo(plain)).options());
    }

    @Test
    void emitChecksItsBufferAndItsOptions() {
        TcpHeader header = new TcpHeader(1, 2, 3, 4, TcpHeader.ACK, 5, 0, TcpOptions.NONE.withTimestamps(6, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> header.emit(MemorySegment.ofArray(new byte[31]), 0));
        assertThrows(IllegalArgumentException.class,
                () -> header.emit(MemorySegment.ofArray(new byte[TcpHeader.MAX_SEGMENT + 1]), 0));
        assertEquals(TcpHeader.MAX_SEGMENT, header.emit(MemorySegment.ofArray(new byte[TcpHeader.MAX_SEGMENT]), 0));
        // MSS, window scale and four SACK blocks: 4 + 4 + 36 bytes, more than the 40 a header has.
        TcpOptions tooMany = new TcpOptions(1460, 7, false, false, 0, 0,
                List.of(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(5, 6), new SackBlock(7, 8)));
        assertEquals(44, tooMany.length());
        TcpHeader overfull = new TcpHeader(1, 2, 3, 4, TcpHeader.ACK, 5, 0, tooMany);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, overfull::length);
        assertTrue(refused.getMessage().contains("44"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> overfull.emit(MemorySegment.ofArray(new byte[100]), 0));
    }
}

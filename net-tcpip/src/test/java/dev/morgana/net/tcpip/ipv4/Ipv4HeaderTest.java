package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The IPv4 header against Linux's bytes: deconstruct, construct, parse, emit, and each way to be malformed. */
class Ipv4HeaderTest {

    static final Ipv4Address A = Ipv4Address.parse("192.0.2.10");
    static final Ipv4Address B = Ipv4Address.parse("192.0.2.11");

    @Test
    void parsesLinuxsFirstFragment() {
        MemorySegment packet = MemorySegment.ofArray(Captures.packet(1));
        assertEquals(Ipv4Packet.OK, Ipv4Packet.problem(packet));
        assertEquals(20, Ipv4Packet.headerLength(packet));
        assertEquals(1500, Ipv4Packet.totalLength(packet));
        assertEquals(0xa508, Ipv4Packet.checksum(packet));
        assertEquals(new Ipv4Header(0, 0x2c03, false, true, 0, 64, Ipv4.ICMP, A, B), Ipv4Header.parse(packet));
    }

    @Test
    void parsesTheMiddleAndLastFragmentsAndTheDontFragmentEcho() {
        assertEquals(new Ipv4Header(0, 0x2c03, false, true, 1480, 64, Ipv4.ICMP, A, B),
                Ipv4Header.parse(MemorySegment.ofArray(Captures.packet(2))));
        Ipv4Header last = Ipv4Header.parse(MemorySegment.ofArray(Captures.packet(3)));
        assertEquals(new Ipv4Header(0, 0x2c03, false, false, 2960, 64, Ipv4.ICMP, A, B), last);
        assertTrue(last.isFragment());
        Ipv4Header small = Ipv4Header.parse(MemorySegment.ofArray(Captures.packet(7)));
        assertEquals(new Ipv4Header(0, 0x2c05, true, false, 0, 64, Ipv4.ICMP, A, B), small);
        assertFalse(small.isFragment());
        assertEquals(new Ipv4Header(0, 0xce36, false, false, 0, 64, Ipv4.ICMP, B, A),
                Ipv4Header.parse(MemorySegment.ofArray(Captures.packet(8))));
    }

    @Test
    void emitWritesLinuxsHeadersByteForByte() {
        for (int number = 1; number <= 8; number++) {
            byte[] linux = Captures.packet(number);
            MemorySegment packet = MemorySegment.ofArray(linux);
            Ipv4Header header = Ipv4Header.parse(packet);
            byte[] ours = new byte[20];
            header.emit(MemorySegment.ofArray(ours), Ipv4Packet.totalLength(packet) - 20);
            assertArrayEquals(Arrays.copyOf(linux, 20), ours, "frame " + number);
        }
    }

    @Test
    void constructedHeaderIsTheCapturedOne() {
        byte[] ours = new byte[20];
        new Ipv4Header(0, 0x2c03, false, false, 2960, 64, Ipv4.ICMP, A, B).emit(MemorySegment.ofArray(ours), 48);
        assertArrayEquals(Arrays.copyOf(Captures.packet(3), 20), ours);
    }

    @Test
    void payloadLeavesEthernetPaddingOut() {
        // A 28-byte datagram (an ICMP echo of no data) padded by Ethernet to 46 bytes, as Linux receives it.
        byte[] packet = new byte[46];
        MemorySegment segment = MemorySegment.ofArray(packet);
        new Ipv4Header(0, 7, false, false, 0, 64, Ipv4.ICMP, A, B).emit(segment, 8);
        Arrays.fill(packet, 20, 28, (byte) 0x5A);
        Arrays.fill(packet, 28, 46, (byte) 0xEE);
        assertEquals(Ipv4Packet.OK, Ipv4Packet.problem(segment));
        MemorySegment payload = Ipv4Packet.payload(segment);
        assertEquals(8, payload.byteSize());
        assertEquals((byte) 0x5A, payload.get(ValueLayout.JAVA_BYTE, 7));
    }

    @Test
    void optionsAreSkipped() {
        // IHL 6: a record-route option would be longer; four NOPs are the simplest valid word.
        byte[] packet = new byte[24 + 4];
        MemorySegment segment = MemorySegment.ofArray(packet);
        new Ipv4Header(0, 9, false, false, 0, 1, Ipv4.UDP, A, B).emit(segment, 4);
        packet[0] = 0x46;
        packet[3] = 28;
        Arrays.fill(packet, 20, 24, (byte) 1);
        Arrays.fill(packet, 24, 28, (byte) 0x77);
        rechecksum(packet, 24);
        assertEquals(24, Ipv4Packet.headerLength(segment));
        assertEquals(new Ipv4Header(0, 9, false, false, 0, 1, Ipv4.UDP, A, B), Ipv4Header.parse(segment));
        assertArrayEquals(new byte[] {0x77, 0x77, 0x77, 0x77}, Ipv4Packet.payload(segment).toArray(ValueLayout.JAVA_BYTE));
    }

    static void rechecksum(byte[] packet, int headerLength) {
        packet[10] = 0;
        packet[11] = 0;
        int checksum = InternetChecksum.of(MemorySegment.ofArray(packet), 0, headerLength, 0);
        packet[10] = (byte) (checksum >>> 8);
        packet[11] = (byte) checksum;
    }

    /** Linux's last fragment, changed by {@code change} and (unless it is about the checksum) rechecksummed. */
    static int problemAfter(java.util.function.Consumer<byte[]> change, boolean rechecksum) {
        byte[] packet = Captures.packet(3);
        change.accept(packet);
        if (rechecksum && packet.length >= 20) {
            rechecksum(packet, 20);
        }
        return Ipv4Packet.problem(MemorySegment.ofArray(packet));
    }

    @Test
    void eachMalformationIsNamed() {
        assertEquals(Ipv4Packet.TRUNCATED, Ipv4Packet.problem(MemorySegment.ofArray(new byte[19])));
        assertEquals(Ipv4Packet.TRUNCATED, Ipv4Packet.problem(MemorySegment.ofArray(Arrays.copyOf(Captures.packet(3), 67))),
                "one byte short of the total length");
        assertEquals(Ipv4Packet.BAD_VERSION, problemAfter(p -> p[0] = 0x65, true));
        assertEquals(Ipv4Packet.BAD_LENGTH, problemAfter(p -> p[0] = 0x44, true), "IHL 4");
        byte[] longHeader = Arrays.copyOf(Captures.packet(3), 40);
        longHeader[0] = 0x4F;
        assertEquals(Ipv4Packet.TRUNCATED, Ipv4Packet.problem(MemorySegment.ofArray(longHeader)), "IHL 15 in 40 bytes");
        assertEquals(Ipv4Packet.BAD_LENGTH, problemAfter(p -> {
            p[2] = 0;
            p[3] = 19;
        }, true), "total length below the header");
        assertEquals(Ipv4Packet.BAD_CHECKSUM, problemAfter(p -> p[8] = 63, false), "TTL changed, checksum not");
        assertEquals(Ipv4Packet.BAD_FRAGMENT, problemAfter(p -> {
            p[6] = 0x1F; // offset 65528 + 68 bytes
            p[7] = (byte) 0xFF;
        }, true));
        assertEquals(Ipv4Packet.OK, problemAfter(p -> p[6] |= 0x20, true), "more fragments after 48 bytes is fine");
        assertEquals(Ipv4Packet.BAD_FRAGMENT, problemAfter(p -> {
            p[6] |= 0x20;
            p[3] = 67;
        }, true), "a non-final fragment of 47 bytes");
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> Ipv4Header.parse(MemorySegment.ofArray(new byte[3])));
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
    }

    @Test
    void recordAndEmitRefuseWhatCannotBeSent() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, false, false, 4, 64, 1, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0x10000, false, false, 0, 64, 1, A, B));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, false, false, 0, 256, 1, A, B));
        Ipv4Header first = new Ipv4Header(0, 1, false, true, 0, 64, 1, A, B);
        MemorySegment room = MemorySegment.ofArray(new byte[100]);
        assertThrows(IllegalArgumentException.class, () -> first.emit(room, 13));
        assertThrows(IllegalArgumentException.class, () -> first.emit(room, 65_516));
        assertThrows(IndexOutOfBoundsException.class, () -> first.emit(MemorySegment.ofArray(new byte[19]), 8));
    }
}

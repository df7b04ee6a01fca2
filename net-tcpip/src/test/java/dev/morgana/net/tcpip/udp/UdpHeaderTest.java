package dev.morgana.net.tcpip.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.icmp.Captures;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The UDP wire format against Linux's bytes: parse, construct, emit, and what is refused. */
class UdpHeaderTest {

    private static final Ipv4 PSEUDO = new TestingIpv4(Captures.A, dev.morgana.api.net.Ipv4Prefix.parse("192.0.2.0/24"));

    static int pseudo(Ipv4Address source, Ipv4Address destination, int length) {
        return PSEUDO.pseudoHeaderSum(source, destination, Ipv4.UDP, length);
    }

    static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes).asReadOnly();
    }

    @Test
    void linuxsDatagramsParse() {
        byte[] hello = Captures.payload(3);
        assertEquals(new UdpHeader(40000, 5000), UdpHeader.parse(segment(hello), pseudo(Captures.A, Captures.B, hello.length)));
        assertEquals("hello morgana\n",
                new String(UdpPacket.payload(segment(hello)).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        byte[] anybody = Captures.payload(4);
        assertEquals(new UdpHeader(40001, 5001), UdpHeader.parse(segment(anybody), pseudo(Captures.A, Captures.B, anybody.length)));
    }

    @Test
    void emittedOverTheSamePayloadTheyAreLinuxs() {
        for (int frame : new int[] {3, 4}) {
            byte[] linux = Captures.payload(frame);
            byte[] ours = linux.clone();
            Arrays.fill(ours, 0, UdpPacket.HEADER, (byte) 0xA5);
            UdpHeader header = UdpHeader.parse(segment(linux), pseudo(Captures.A, Captures.B, linux.length));
            assertEquals(linux.length, header.emit(MemorySegment.ofArray(ours), pseudo(Captures.A, Captures.B, linux.length)));
            assertArrayEquals(linux, ours, "frame " + frame);
        }
    }

    @Test
    void theChecksumCoversThePseudoHeader() {
        byte[] hello = Captures.payload(3);
        assertThrows(MalformedPacketException.class,
                () -> UdpHeader.parse(segment(hello), pseudo(Captures.A, Ipv4Address.parse("192.0.2.12"), hello.length)));
        byte[] flipped = hello.clone();
        flipped[12] ^= 0x01;
        assertThrows(MalformedPacketException.class,
                () -> UdpHeader.parse(segment(flipped), pseudo(Captures.A, Captures.B, hello.length)));
    }

    @Test
    void aZeroChecksumMeansNone() {
        byte[] hello = Captures.payload(3);
        hello[6] = 0;
        hello[7] = 0;
        hello[12] ^= 0x01; // nothing verifies it any more
        assertEquals(new UdpHeader(40000, 5000), UdpHeader.parse(segment(hello), pseudo(Captures.A, Captures.B, hello.length)));
    }

    @Test
    void aComputedZeroIsSentAsAllOnes() {
        // Two payload bytes chosen so that the sum of everything else plus them is 0xFFFF: the checksum is 0.
        byte[] datagram = new byte[UdpPacket.HEADER + 2];
        MemorySegment packet = MemorySegment.ofArray(datagram);
        int pseudo = pseudo(Captures.A, Captures.B, datagram.length);
        UdpPacket.put(packet, 1234, 5678, datagram.length);
        int rest = InternetChecksum.sum(packet, 0, datagram.length, pseudo);
        packet.set(UdpPacket.U16, UdpPacket.HEADER, (short) (0xFFFF - rest));
        new UdpHeader(1234, 5678).emit(packet, pseudo);
        assertEquals(0xFFFF, UdpPacket.checksum(packet));
        assertEquals(new UdpHeader(1234, 5678), UdpHeader.parse(segment(datagram), pseudo));
    }

    @Test
    void lengthsAreChecked() {
        byte[] hello = Captures.payload(3);
        int pseudo = pseudo(Captures.A, Captures.B, hello.length);
        assertThrows(MalformedPacketException.class, () -> UdpHeader.parse(segment(new byte[7]), pseudo));
        // Cut short: the length field says more than there is.
        assertThrows(MalformedPacketException.class,
                () -> UdpHeader.parse(segment(Arrays.copyOf(hello, hello.length - 1)), pseudo));
        byte[] tiny = hello.clone();
        tiny[5] = 7; // a length below the header's
        assertThrows(MalformedPacketException.class, () -> UdpHeader.parse(segment(tiny), pseudo));
        // Padding after the datagram is not part of it.
        byte[] padded = Arrays.copyOf(hello, hello.length + 9);
        assertEquals(new UdpHeader(40000, 5000), UdpHeader.parse(segment(padded), pseudo));
        assertEquals(14, UdpPacket.payload(segment(padded)).byteSize());
    }

    @Test
    void emitChecksItsBuffer() {
        UdpHeader header = new UdpHeader(1, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> header.emit(MemorySegment.ofArray(new byte[7]), 0));
        assertThrows(IllegalArgumentException.class, () -> header.emit(MemorySegment.ofArray(new byte[65_516]), 0));
        assertThrows(IllegalArgumentException.class, () -> new UdpHeader(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new UdpHeader(1, 65_536));
    }
}

package dev.morgana.net.tcpip.icmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ICMP wire format against Linux's bytes: parse, construct, emit, and what is refused. */
class IcmpMessageTest {

    static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes).asReadOnly();
    }

    @Test
    void linuxsEchoRequestParses() {
        byte[] request = Captures.payload(1);
        assertEquals(new IcmpMessage.EchoRequest(0x4656, 1), IcmpMessage.parse(segment(request)));
        assertEquals(56, IcmpPacket.data(segment(request)).byteSize());
    }

    @Test
    void theReplyEmittedOverTheRequestsDataIsLinuxsReply() {
        byte[] request = Captures.payload(1);
        IcmpMessage.EchoRequest parsed = (IcmpMessage.EchoRequest) IcmpMessage.parse(segment(request));
        byte[] reply = request.clone();
        assertEquals(reply.length, parsed.reply().emit(MemorySegment.ofArray(reply)));
        assertArrayEquals(Captures.payload(2), reply);
        assertEquals(new IcmpMessage.EchoReply(0x4656, 1), IcmpMessage.parse(segment(reply)));
    }

    @Test
    void linuxsPortUnreachableParsesAndQuotesTheWholeDatagram() {
        byte[] error = Captures.payload(5);
        assertEquals(new IcmpMessage.Error(3, 3, 0), IcmpMessage.parse(segment(error)));
        assertArrayEquals(Captures.datagram(4), IcmpPacket.data(segment(error)).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void aPortUnreachableConstructedOverTheQuoteIsLinuxs() {
        byte[] quote = Captures.datagram(4);
        byte[] error = new byte[IcmpPacket.HEADER + quote.length];
        System.arraycopy(quote, 0, error, IcmpPacket.HEADER, quote.length);
        IcmpMessage.Error.unreachable(Icmp.Unreachable.PORT, 0).emit(MemorySegment.ofArray(error));
        assertArrayEquals(Captures.payload(5), error);
    }

    @Test
    void echoesWithAnotherCodeAndUnknownTypesAreOthers() {
        assertEquals(new IcmpMessage.Other(8, 1, 0x12345678), parseFresh(8, 1, 0x12345678, 0));
        assertEquals(new IcmpMessage.Other(4, 0, 0), parseFresh(4, 0, 0, 0));
        assertEquals(new IcmpMessage.Other(200, 7, -1), parseFresh(200, 7, -1, 3));
        assertThrows(IllegalArgumentException.class, () -> new IcmpMessage.Other(8, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new IcmpMessage.Other(3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new IcmpMessage.Error(4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new IcmpMessage.EchoRequest(0x10000, 0));
    }

    /** A message of the given header and {@code data} zero bytes, emitted and parsed back. */
    private static IcmpMessage parseFresh(int type, int code, int rest, int data) {
        byte[] bytes = new byte[IcmpPacket.HEADER + data];
        MemorySegment packet = MemorySegment.ofArray(bytes);
        IcmpPacket.put(packet, type, code, rest);
        IcmpPacket.putChecksum(packet, dev.morgana.net.tcpip.internal.InternetChecksum.of(packet, 0, bytes.length, 0));
        return IcmpMessage.parse(segment(bytes));
    }

    @Test
    void shortMessagesBadChecksumsAndShortQuotesAreMalformed() {
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(segment(new byte[7])));
        byte[] request = Captures.payload(1);
        request[20] ^= 1;
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(segment(request)));
        // An error must quote an IPv4 header and 8 bytes after it (RFC 1122 §3.2.2).
        byte[] error = Captures.payload(5);
        byte[] shortQuote = reemit(Arrays.copyOf(error, IcmpPacket.HEADER + 20 + 7));
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(segment(shortQuote)));
        byte[] notIpv4 = error.clone();
        notIpv4[IcmpPacket.HEADER] = 0x65;
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(segment(reemit(notIpv4))));
        byte[] longHeader = error.clone();
        longHeader[IcmpPacket.HEADER] = 0x4F; // 60-byte header: the quote is too short for it and 8 more
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(segment(reemit(longHeader))));
        assertEquals(new IcmpMessage.Error(3, 3, 0), IcmpMessage.parse(segment(reemit(Arrays.copyOf(error, 8 + 28)))));
    }

    /** The same bytes with a correct checksum. */
    private static byte[] reemit(byte[] message) {
        MemorySegment packet = MemorySegment.ofArray(message);
        IcmpPacket.putChecksum(packet, 0);
        IcmpPacket.putChecksum(packet, dev.morgana.net.tcpip.internal.InternetChecksum.of(packet, 0, message.length, 0));
        return message;
    }

    @Test
    void bothZerosOfOnesComplementVerify() {
        // An echo request whose other words sum to 0xFFFF: its checksum is 0x0000; 0xFFFF (negative zero)
        // verifies as well, and Linux accepts it too, so parse does; emit writes 0x0000 as Linux does.
        byte[] request = new byte[IcmpPacket.HEADER + 2];
        MemorySegment packet = MemorySegment.ofArray(request);
        IcmpPacket.put(packet, IcmpPacket.ECHO_REQUEST, 0, 0);
        packet.set(IcmpPacket.U16, IcmpPacket.HEADER, (short) (0xFFFF - (IcmpPacket.ECHO_REQUEST << 8)));
        new IcmpMessage.EchoRequest(0, 0).emit(packet);
        assertEquals(0, IcmpPacket.checksum(packet));
        IcmpPacket.putChecksum(packet, 0xFFFF);
        assertEquals(new IcmpMessage.EchoRequest(0, 0), IcmpMessage.parse(segment(request)));
    }

    @Test
    void emitNeedsTheHeader() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> new IcmpMessage.EchoReply(1, 1).emit(MemorySegment.ofArray(new byte[7])));
    }

    @Test
    void whatCountsAsAnError() {
        for (int type : new int[] {0, 8, 9, 10, 13, 14, 15, 16, 17, 18}) {
            assertEquals(false, IcmpPacket.isError(type), "type " + type);
        }
        for (int type : new int[] {3, 4, 5, 11, 12, 6, 19, 40, 255}) {
            assertEquals(true, IcmpPacket.isError(type), "type " + type);
        }
    }
}

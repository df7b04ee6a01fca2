package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Golden bytes (Linux's frames), construct, parse, emit, and what parse refuses. */
class EthernetHeaderTest {

    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    @Test
    void deconstructsLinuxsBroadcastRequestAndUnicastReply() {
        MemorySegment request = MemorySegment.ofArray(Captures.arping(1));
        EthernetFrame.check(request);
        assertEquals(MacAddress.BROADCAST.bits(), EthernetFrame.destination(request));
        assertEquals(A.bits(), EthernetFrame.source(request));
        assertEquals(Ethernet.ARP, EthernetFrame.etherType(request));
        assertEquals(14, EthernetFrame.headerLength(request));
        assertEquals(EthernetHeader.of(MacAddress.BROADCAST, A, Ethernet.ARP), EthernetHeader.parse(request));
        assertEquals(EthernetHeader.of(A, B, Ethernet.ARP), EthernetHeader.parse(MemorySegment.ofArray(Captures.arping(2))));
    }

    @Test
    void emitsLinuxsHeaderByteForByte() {
        byte[] golden = Captures.arping(2);
        byte[] out = new byte[14];
        assertEquals(14, EthernetHeader.of(A, B, Ethernet.ARP).emit(MemorySegment.ofArray(out)));
        assertArrayEquals(Arrays.copyOf(golden, 14), out);
    }

    @Test
    void constructsParsesAndEmitsAnIeee8021QTag() {
        // VLAN 100, priority 5: TCI 0xA064 (802.1Q §9.6), then IPv4's EtherType.
        byte[] golden = hex("ffffffffffff 02000000000a 8100 a064 0800");
        EthernetHeader header = new EthernetHeader(MacAddress.BROADCAST, A, OptionalInt.of(0xA064), Ethernet.IPV4);
        assertEquals(OptionalInt.of(100), header.vlan());
        assertEquals(18, header.length());
        assertEquals(header, EthernetHeader.parse(MemorySegment.ofArray(golden)));
        byte[] out = new byte[18];
        assertEquals(18, header.emit(MemorySegment.ofArray(out)));
        assertArrayEquals(golden, out);
    }

    @Test
    void refusesWhatIsNotAnEthernetIiHeader() {
        assertMalformed("ffffffffffff 02000000000a 08"); // cut short
        assertMalformed("ffffffffffff 02000000000a 8100 a0"); // tag cut short
        assertMalformed("ffffffffffff 02000000000a 0040 aaaa03000000"); // an 802.3 length (LLC)
        assertMalformed("ffffffffffff 02000000000a 88a8 0064 8100 0064 0800"); // Q-in-Q
        assertMalformed("ffffffffffff 02000000000a 8100 0064 8100 0800"); // stacked 802.1Q tags
        assertMalformed("ffffffffffff 02000000000a 8100 0064 0010"); // a length after the tag
        assertMalformed("");
    }

    private static void assertMalformed(String text) {
        assertThrows(MalformedPacketException.class, () -> EthernetHeader.parse(MemorySegment.ofArray(hex(text))), text);
    }

    @Test
    void refusesToBuildWhatCouldNotBeSent() {
        assertThrows(IllegalArgumentException.class, () -> EthernetHeader.of(A, B, 0x05FF));
        assertThrows(IllegalArgumentException.class, () -> EthernetHeader.of(A, B, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> EthernetHeader.of(A, B, 0x8100));
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(A, B, OptionalInt.of(0x10000), 0x0800));
        assertThrows(IndexOutOfBoundsException.class, () -> EthernetHeader.of(A, B, 0x0800).emit(MemorySegment.ofArray(new byte[13])));
    }
}

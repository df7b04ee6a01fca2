package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The {@code struct virtio_net_hdr} in front of an offloaded write, byte for byte. */
class VnetHeaderTest {

    /**
     * An Ethernet header, an IPv4 header without options (45) carrying TCP (06), and a TCP header of 32 bytes
     * (data offset 8: timestamps), then {@code data} bytes; behind 10 bytes for the virtio header.
     */
    static MemorySegment frame(int ihl, int dataOffset, int data) {
        int length = 14 + ihl * 4 + dataOffset * 4 + data;
        MemorySegment buffer = MemorySegment.ofArray(new byte[TapNetwork.VNET_HEADER + length]);
        MemorySegment frame = buffer.asSlice(TapNetwork.VNET_HEADER);
        byte[] ethernet = HexFormat.of().parseHex("0242c0000201" + "02aabbccddee" + "0800");
        MemorySegment.copy(ethernet, 0, frame, ValueLayout.JAVA_BYTE, 0, ethernet.length);
        frame.set(ValueLayout.JAVA_BYTE, 14, (byte) (0x40 | ihl));
        frame.set(ValueLayout.JAVA_BYTE, 14 + 9, (byte) 6);
        frame.set(ValueLayout.JAVA_BYTE, 14 + ihl * 4 + 12, (byte) (dataOffset << 4));
        return buffer;
    }

    @Test
    void anOffloadedFrameAsksForChecksumAndTcpv4SegmentationAtTheMss() {
        MemorySegment buffer = frame(5, 8, 3000);
        TapNetwork.offloadHeader(buffer, (int) buffer.byteSize() - TapNetwork.VNET_HEADER, 1448);
        byte[] header = buffer.asSlice(0, TapNetwork.VNET_HEADER).toArray(ValueLayout.JAVA_BYTE);
        // flags NEEDS_CSUM, gso_type TCPV4, hdr_len 14 + 20 + 32 = 66, gso_size 1448, csum_start 34, csum_offset 16;
        // the 16-bit fields in the host's order, little-endian here (x86-64, AArch64).
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the golden bytes are a little-endian host's");
        assertArrayEquals(HexFormat.of().parseHex("01" + "01" + "4200" + "a805" + "2200" + "1000"), header);
    }

    @Test
    void ipv4OptionsMoveTheTcpHeader() {
        MemorySegment buffer = frame(6, 5, 2000);
        TapNetwork.offloadHeader(buffer, (int) buffer.byteSize() - TapNetwork.VNET_HEADER, 536);
        assertArrayEquals(HexFormat.of().parseHex("0101" + "3a00" + "1802" + "2600" + "1000"),
                buffer.asSlice(0, TapNetwork.VNET_HEADER).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void aFrameThatIsNotTcpOverIpv4IsRefused() {
        MemorySegment udp = frame(5, 5, 100);
        udp.set(ValueLayout.JAVA_BYTE, TapNetwork.VNET_HEADER + 14 + 9, (byte) 17);
        assertThrows(IllegalArgumentException.class, () -> TapNetwork.offloadHeader(udp, 14 + 20 + 20 + 100, 1448));
        MemorySegment arp = frame(5, 5, 100);
        arp.set(ValueLayout.JAVA_BYTE, TapNetwork.VNET_HEADER + 13, (byte) 6);
        assertThrows(IllegalArgumentException.class, () -> TapNetwork.offloadHeader(arp, 14 + 20 + 20 + 100, 1448));
        MemorySegment shortTcp = frame(5, 4, 100);
        assertThrows(IllegalArgumentException.class,
                () -> TapNetwork.offloadHeader(shortTcp, 14 + 20 + 16 + 100, 1448));
        MemorySegment truncated = frame(5, 15, 0);
        assertThrows(IllegalArgumentException.class, () -> TapNetwork.offloadHeader(truncated, 14 + 20 + 30, 1448));
    }
}

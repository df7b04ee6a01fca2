package dev.morgana.net.tcpip.dhcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Big-endian, unaligned reads and writes of the fields DHCP carries. */
final class Wire {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Wire() {}

    static int u8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    static int u16(MemorySegment segment, long offset) {
        return segment.get(SHORT, offset) & 0xFFFF;
    }

    static int i32(MemorySegment segment, long offset) {
        return segment.get(INT, offset);
    }

    /** Six bytes as the low 48 bits of a long, first byte highest. */
    static long mac(MemorySegment segment, long offset) {
        return (long) u16(segment, offset) << 32 | Integer.toUnsignedLong(i32(segment, offset + 2));
    }

    static void putU8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    static void putU16(MemorySegment segment, long offset, int value) {
        segment.set(SHORT, offset, (short) value);
    }

    static void putI32(MemorySegment segment, long offset, int value) {
        segment.set(INT, offset, value);
    }

    static void putMac(MemorySegment segment, long offset, long bits) {
        putU16(segment, offset, (int) (bits >>> 32));
        putI32(segment, offset + 2, (int) bits);
    }
}

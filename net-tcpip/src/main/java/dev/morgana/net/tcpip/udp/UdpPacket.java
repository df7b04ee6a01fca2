package dev.morgana.net.tcpip.udp;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The view of a UDP datagram (RFC 768): static accessors at constant offsets over the IPv4 payload.
 *
 * <pre>
 *  0             2                  4        6          8
 *  | source port | destination port | length | checksum | payload …
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the
 * 8-byte header is there and its length field is at least 8 and at most the bytes received, after which no
 * accessor can fail. The checksum is not checked here: {@link UdpHeader#parse} does that.
 */
public final class UdpPacket {

    /** Bytes of the header. */
    public static final int HEADER = 8;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** The whole header in one read, for the receive path (see {@code UdpLayer.datagram}). */
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int LENGTH = 4;
    private static final int CHECKSUM = 6;

    private UdpPacket() {}

    /**
     * Checks that {@code packet} holds the header and as many bytes as its length field says.
     *
     * @param packet the IPv4 payload
     * @throws MalformedPacketException when it is shorter than 8 bytes, or the length field is below 8 or
     *     beyond the bytes received
     */
    public static void check(MemorySegment packet) {
        long size = packet.byteSize();
        if (size < HEADER) {
            throw new MalformedPacketException("a UDP datagram has an 8-byte header, got " + size + " bytes");
        }
        int length = length(packet);
        if (length < HEADER || length > size) {
            throw new MalformedPacketException("a UDP length of " + length + " in a payload of " + size + " bytes");
        }
    }

    /**
     * Returns the source port.
     *
     * @param packet a checked packet
     * @return 0–65535; 0 when the sender expects no answer
     */
    public static int sourcePort(MemorySegment packet) {
        return packet.get(U16, SOURCE_PORT) & 0xFFFF;
    }

    /**
     * Returns the destination port.
     *
     * @param packet a checked packet
     * @return 0–65535
     */
    public static int destinationPort(MemorySegment packet) {
        return packet.get(U16, DESTINATION_PORT) & 0xFFFF;
    }

    /**
     * Returns the length field: header and payload, in bytes.
     *
     * @param packet a checked packet
     * @return 8–65535
     */
    public static int length(MemorySegment packet) {
        return packet.get(U16, LENGTH) & 0xFFFF;
    }

    /**
     * Returns the checksum field.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF; 0 when the sender computed none
     */
    public static int checksum(MemorySegment packet) {
        return packet.get(U16, CHECKSUM) & 0xFFFF;
    }

    /**
     * Returns the payload: the bytes the length field covers after the header (IPv4 padding excluded).
     *
     * @param packet a checked packet
     * @return a slice of {@code packet}
     */
    public static MemorySegment payload(MemorySegment packet) {
        return packet.asSlice(HEADER, length(packet) - HEADER);
    }

    /**
     * Writes the header with a zero checksum.
     *
     * @param packet at least 8 writable bytes
     * @param sourcePort the source port
     * @param destinationPort the destination port
     * @param length header and payload in bytes
     */
    static void put(MemorySegment packet, int sourcePort, int destinationPort, int length) {
        packet.set(U16, SOURCE_PORT, (short) sourcePort);
        packet.set(U16, DESTINATION_PORT, (short) destinationPort);
        packet.set(U16, LENGTH, (short) length);
        packet.set(U16, CHECKSUM, (short) 0);
    }

    /**
     * Writes the checksum field.
     *
     * @param packet a packet with its header
     * @param checksum 0–0xFFFF
     */
    static void putChecksum(MemorySegment packet, int checksum) {
        packet.set(U16, CHECKSUM, (short) checksum);
    }
}

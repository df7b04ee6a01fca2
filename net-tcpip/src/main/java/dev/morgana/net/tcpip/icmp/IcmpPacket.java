package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The view of an ICMPv4 message (RFC 792): static accessors at constant offsets over the IPv4 payload.
 *
 * <pre>
 *  0      1      2          4                      8
 *  | type | code | checksum | identifier | sequence | data …     echo request (8) and reply (0)
 *  | type | code | checksum | rest of the header    | data …     errors: unused, MTU or pointer; then the
 *                                                               quoted IPv4 header and 8+ bytes after it
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the
 * 8-byte header is there, after which no accessor can fail. The values and the checksum are not checked
 * here: {@link IcmpMessage#parse} does that.
 */
public final class IcmpPacket {

    /** Bytes of the header. */
    public static final int HEADER = 8;
    /** Echo reply. */
    public static final int ECHO_REPLY = 0;
    /** Destination unreachable. */
    public static final int UNREACHABLE = 3;
    /** Source quench (deprecated by RFC 6633: received ones are ignored). */
    public static final int SOURCE_QUENCH = 4;
    /** Redirect. */
    public static final int REDIRECT = 5;
    /** Echo request. */
    public static final int ECHO_REQUEST = 8;
    /** Time exceeded. */
    public static final int TIME_EXCEEDED = 11;
    /** Parameter problem. */
    public static final int PARAMETER_PROBLEM = 12;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST = 4;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;

    private IcmpPacket() {}

    /**
     * Checks that {@code packet} holds the header.
     *
     * @param packet the IPv4 payload
     * @throws MalformedPacketException when it is shorter than 8 bytes
     */
    public static void check(MemorySegment packet) {
        if (packet.byteSize() < HEADER) {
            throw new MalformedPacketException("an ICMP message has an 8-byte header, got " + packet.byteSize() + " bytes");
        }
    }

    /**
     * Tells whether messages of a type report errors (RFC 1122 §3.2.2): no error is ever sent about one.
     * Types this host does not know count as errors, so that nothing is ever sent about them either.
     *
     * @param type an ICMP type, 0–255
     * @return false only for the query messages of RFC 792 and RFC 950 (echo, timestamp, information,
     *     address mask) and router advertisement and solicitation (RFC 1256)
     */
    public static boolean isError(int type) {
        return switch (type) {
            case ECHO_REPLY, ECHO_REQUEST, 9, 10, 13, 14, 15, 16, 17, 18 -> false;
            default -> true;
        };
    }

    /**
     * Returns the type.
     *
     * @param packet a checked packet
     * @return 0–255
     */
    public static int type(MemorySegment packet) {
        return packet.get(ValueLayout.JAVA_BYTE, TYPE) & 0xFF;
    }

    /**
     * Returns the code.
     *
     * @param packet a checked packet
     * @return 0–255
     */
    public static int code(MemorySegment packet) {
        return packet.get(ValueLayout.JAVA_BYTE, CODE) & 0xFF;
    }

    /**
     * Returns the checksum field.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF
     */
    public static int checksum(MemorySegment packet) {
        return packet.get(U16, CHECKSUM) & 0xFFFF;
    }

    /**
     * Returns the second word of the header: an echo's identifier and sequence number, an error's unused
     * bits, next-hop MTU (RFC 1191) or pointer.
     *
     * @param packet a checked packet
     * @return the 32 bits
     */
    public static int rest(MemorySegment packet) {
        return packet.get(I32, REST);
    }

    /**
     * Returns an echo's identifier.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF
     */
    public static int identifier(MemorySegment packet) {
        return packet.get(U16, IDENTIFIER) & 0xFFFF;
    }

    /**
     * Returns an echo's sequence number.
     *
     * @param packet a checked packet
     * @return 0–0xFFFF
     */
    public static int sequence(MemorySegment packet) {
        return packet.get(U16, SEQUENCE) & 0xFFFF;
    }

    /**
     * Returns what follows the header: an echo's data, an error's quoted datagram.
     *
     * @param packet a checked packet
     * @return a slice of {@code packet}, perhaps empty
     */
    public static MemorySegment data(MemorySegment packet) {
        return packet.asSlice(HEADER);
    }

    /**
     * Writes the header's type, code and second word, and a zero checksum.
     *
     * @param packet at least 8 writable bytes
     * @param type the type
     * @param code the code
     * @param rest the second word
     */
    static void put(MemorySegment packet, int type, int code, int rest) {
        packet.set(ValueLayout.JAVA_BYTE, TYPE, (byte) type);
        packet.set(ValueLayout.JAVA_BYTE, CODE, (byte) code);
        packet.set(U16, CHECKSUM, (short) 0);
        packet.set(I32, REST, rest);
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

package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;

/**
 * The view of an Ethernet II frame (IEEE 802.3 clause 3, with the 802.1Q tag of clause 9 of IEEE 802.1Q):
 * static accessors at constant offsets over a segment that starts at the destination MAC and holds no FCS.
 *
 * <pre>
 *  0                   6                   12      14
 *  | destination MAC   | source MAC        | type  | payload …                 untagged
 *  | destination MAC   | source MAC        | 8100  | TCI | type | payload …    802.1Q-tagged
 * </pre>
 *
 * <p>On untrusted input call {@link #check} first: it throws {@link MalformedPacketException} unless the
 * whole header (the tag included, when there is one) is there, after which no accessor can fail. The
 * accessors allocate nothing: addresses are the low 48 bits of a {@code long}.
 */
public final class EthernetFrame {

    /** Bytes of an untagged header: two addresses and the EtherType. */
    public static final int HEADER = 14;
    /** Bytes an 802.1Q tag adds: the TPID 0x8100 where the EtherType was, then the TCI. */
    public static final int TAG = 4;
    /** The smallest frame on the wire without its FCS (64 with it): shorter ones are padded on send. */
    public static final int MIN_FRAME = 60;
    /** The EtherType that says an 802.1Q tag follows (the TPID). */
    public static final int TPID_8021Q = 0x8100;
    /** The TPID of an 802.1ad service tag (Q-in-Q), recognised only to be refused. */
    public static final int TPID_8021AD = 0x88A8;
    /** The smallest EtherType; below it the field is an 802.3 length, not a type. */
    public static final int MIN_ETHER_TYPE = 0x0600;

    private static final int DESTINATION = 0;
    private static final int SOURCE = 6;
    private static final int TYPE = 12;
    private static final int TCI = 14;
    private static final int INNER_TYPE = 16;

    private EthernetFrame() {}

    /**
     * Checks that {@code frame} holds a whole header, tag included.
     *
     * @param frame the received bytes from the destination MAC on
     * @throws MalformedPacketException when the header is cut short
     */
    public static void check(MemorySegment frame) {
        long size = frame.byteSize();
        if (size < HEADER) {
            throw new MalformedPacketException("an Ethernet frame has a 14-byte header, got " + size + " bytes");
        }
        if (isTagged(frame) && size < HEADER + TAG) {
            throw new MalformedPacketException("an 802.1Q-tagged frame has an 18-byte header, got " + size + " bytes");
        }
    }

    /**
     * Returns the destination MAC.
     *
     * @param frame a checked frame
     * @return the address in the low 48 bits
     */
    public static long destination(MemorySegment frame) {
        return Wire.mac(frame, DESTINATION);
    }

    /**
     * Returns the source MAC.
     *
     * @param frame a checked frame
     * @return the address in the low 48 bits
     */
    public static long source(MemorySegment frame) {
        return Wire.mac(frame, SOURCE);
    }

    /**
     * Returns the type field after the addresses: an EtherType, a TPID, or (below 0x0600) an 802.3 length.
     *
     * @param frame a checked frame
     * @return 0–0xFFFF
     */
    public static int outerType(MemorySegment frame) {
        return Wire.u16(frame, TYPE);
    }

    /**
     * Tells whether an 802.1Q tag follows the addresses.
     *
     * @param frame a frame of at least 14 bytes
     * @return whether the outer type is 0x8100
     */
    public static boolean isTagged(MemorySegment frame) {
        return outerType(frame) == TPID_8021Q;
    }

    /**
     * Returns the tag control information of a tagged frame: priority (3 bits), drop eligible (1), VLAN id (12).
     *
     * @param frame a checked, tagged frame
     * @return 0–0xFFFF
     */
    public static int tci(MemorySegment frame) {
        return Wire.u16(frame, TCI);
    }

    /**
     * Returns the EtherType of the payload: after the tag in a tagged frame.
     *
     * @param frame a checked frame
     * @return 0–0xFFFF
     */
    public static int etherType(MemorySegment frame) {
        return isTagged(frame) ? Wire.u16(frame, INNER_TYPE) : outerType(frame);
    }

    /**
     * Returns where the payload starts.
     *
     * @param frame a checked frame
     * @return 14, or 18 in a tagged frame
     */
    public static int headerLength(MemorySegment frame) {
        return isTagged(frame) ? HEADER + TAG : HEADER;
    }

    /**
     * Writes an untagged header.
     *
     * @param frame at least 14 writable bytes
     * @param destination the destination MAC's bits
     * @param source the source MAC's bits
     * @param etherType the EtherType
     */
    public static void putHeader(MemorySegment frame, long destination, long source, int etherType) {
        Wire.putMac(frame, DESTINATION, destination);
        Wire.putMac(frame, SOURCE, source);
        Wire.putU16(frame, TYPE, etherType);
    }

    /**
     * Writes an 802.1Q-tagged header.
     *
     * @param frame at least 18 writable bytes
     * @param destination the destination MAC's bits
     * @param source the source MAC's bits
     * @param tci the tag control information
     * @param etherType the EtherType of the payload
     */
    public static void putTaggedHeader(MemorySegment frame, long destination, long source, int tci, int etherType) {
        putHeader(frame, destination, source, TPID_8021Q);
        Wire.putU16(frame, TCI, tci);
        Wire.putU16(frame, INNER_TYPE, etherType);
    }
}

package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/**
 * The validated header of an Ethernet II frame: addresses, the 802.1Q tag if there is one, and the
 * EtherType of the payload.
 *
 * <p>{@link #parse} accepts exactly the frames the layer accepts the format of: an EtherType (at least
 * 0x0600, so not an 802.3 length) after at most one 802.1Q tag. Anything else is a
 * {@link MalformedPacketException}, never another exception.
 *
 * @param destination the destination MAC
 * @param source the source MAC
 * @param tci the 802.1Q tag control information, empty for an untagged frame
 * @param etherType the payload's EtherType, 0x0600–0xFFFF and not a tag's TPID
 */
public record EthernetHeader(MacAddress destination, MacAddress source, OptionalInt tci, int etherType) {

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when the EtherType is out of range or a TPID, or the TCI is not 16 bits
     */
    public EthernetHeader {
        if (etherType < EthernetFrame.MIN_ETHER_TYPE || etherType > 0xFFFF) {
            throw new IllegalArgumentException("an EtherType is 0x0600–0xFFFF, got 0x" + Integer.toHexString(etherType));
        }
        if (etherType == EthernetFrame.TPID_8021Q || etherType == EthernetFrame.TPID_8021AD) {
            throw new IllegalArgumentException("0x" + Integer.toHexString(etherType) + " is a VLAN tag, not a payload type");
        }
        if (tci.isPresent() && (tci.getAsInt() < 0 || tci.getAsInt() > 0xFFFF)) {
            throw new IllegalArgumentException("a TCI has 16 bits, got " + tci.getAsInt());
        }
    }

    /**
     * An untagged header.
     *
     * @param destination the destination MAC
     * @param source the source MAC
     * @param etherType the EtherType
     * @return the header
     */
    public static EthernetHeader of(MacAddress destination, MacAddress source, int etherType) {
        return new EthernetHeader(destination, source, OptionalInt.empty(), etherType);
    }

    /**
     * Parses and validates the header at the start of {@code frame}.
     *
     * @param frame received bytes from the destination MAC on
     * @return the header
     * @throws MalformedPacketException when the bytes are not an Ethernet II header
     */
    public static EthernetHeader parse(MemorySegment frame) {
        EthernetFrame.check(frame);
        int outer = EthernetFrame.outerType(frame);
        if (outer == EthernetFrame.TPID_8021AD) {
            throw new MalformedPacketException("802.1ad (Q-in-Q) service tags are not supported");
        }
        int type = EthernetFrame.etherType(frame);
        if (type < EthernetFrame.MIN_ETHER_TYPE) {
            throw new MalformedPacketException("0x" + Integer.toHexString(type)
                    + " is an 802.3 length field, not an Ethernet II EtherType");
        }
        if (type == EthernetFrame.TPID_8021Q || type == EthernetFrame.TPID_8021AD) {
            throw new MalformedPacketException("stacked VLAN tags are not supported");
        }
        OptionalInt tci = EthernetFrame.isTagged(frame) ? OptionalInt.of(EthernetFrame.tci(frame)) : OptionalInt.empty();
        return new EthernetHeader(new MacAddress(EthernetFrame.destination(frame)),
                new MacAddress(EthernetFrame.source(frame)), tci, type);
    }

    /**
     * Returns the header's size on the wire.
     *
     * @return 14, or 18 with a tag
     */
    public int length() {
        return tci.isPresent() ? EthernetFrame.HEADER + EthernetFrame.TAG : EthernetFrame.HEADER;
    }

    /**
     * Returns the VLAN the tag names.
     *
     * @return the 12-bit VLAN id, empty for an untagged frame
     */
    public OptionalInt vlan() {
        return tci.isPresent() ? OptionalInt.of(tci.getAsInt() & 0xFFF) : OptionalInt.empty();
    }

    /**
     * Writes the header at the start of {@code frame}.
     *
     * @param frame at least {@link #length()} writable bytes
     * @return the header's length, where the payload starts
     * @throws IndexOutOfBoundsException when {@code frame} is too short
     */
    public int emit(MemorySegment frame) {
        if (frame.byteSize() < length()) {
            throw new IndexOutOfBoundsException("an Ethernet header needs " + length() + " bytes, got " + frame.byteSize());
        }
        if (tci.isPresent()) {
            EthernetFrame.putTaggedHeader(frame, destination.bits(), source.bits(), tci.getAsInt(), etherType);
        } else {
            EthernetFrame.putHeader(frame, destination.bits(), source.bits(), etherType);
        }
        return length();
    }
}

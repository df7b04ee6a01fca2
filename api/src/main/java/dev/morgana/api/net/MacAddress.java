package dev.morgana.api.net;

import java.util.HexFormat;

/**
 * A 48-bit IEEE 802 MAC address, written as six two-digit hex bytes separated by colons
 * ({@code 02:00:5e:10:00:01}).
 *
 * @param bits the address in the low 48 bits, first byte on the wire in bits 47–40
 */
public record MacAddress(long bits) {

    /** {@code ff:ff:ff:ff:ff:ff}. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    /** The number of bytes of a MAC address on the wire. */
    public static final int BYTES = 6;

    private static final long MAX = (1L << 48) - 1;
    private static final int TEXT_LENGTH = 17;

    /**
     * Checks the bits.
     *
     * @throws IllegalArgumentException when {@code bits} is outside 0 … 2<sup>48</sup>−1
     */
    public MacAddress {
        if (bits < 0 || bits > MAX) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(bits));
        }
    }

    /**
     * Parses the colon-separated form, in either case: exactly six two-digit hex bytes.
     *
     * @param text for example {@code 02:00:5e:10:00:01}
     * @return the address
     * @throws IllegalArgumentException when {@code text} is anything else, with a message that says what
     *     was expected
     */
    public static MacAddress parse(String text) {
        if (text.length() != TEXT_LENGTH) {
            throw invalid(text);
        }
        long bits = 0;
        for (int i = 0; i < BYTES; i++) {
            int at = i * 3;
            if (i > 0 && text.charAt(at - 1) != ':') {
                throw invalid(text);
            }
            int high = Character.digit(text.charAt(at), 16);
            int low = Character.digit(text.charAt(at + 1), 16);
            if (high < 0 || low < 0 || !isAsciiHex(text.charAt(at)) || !isAsciiHex(text.charAt(at + 1))) {
                throw invalid(text);
            }
            bits = bits << 8 | high << 4 | low;
        }
        return new MacAddress(bits);
    }

    /**
     * Makes an address from its six bytes in wire order.
     *
     * @param bytes exactly six bytes; not kept
     * @return the address
     * @throws IllegalArgumentException when {@code bytes} is not six bytes long
     */
    public static MacAddress ofBytes(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        long bits = 0;
        for (byte b : bytes) {
            bits = bits << 8 | (b & 0xFF);
        }
        return new MacAddress(bits);
    }

    /**
     * Returns the six bytes in wire order.
     *
     * @return a new array
     */
    public byte[] toBytes() {
        byte[] bytes = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            bytes[i] = (byte) (bits >>> (8 * (BYTES - 1 - i)));
        }
        return bytes;
    }

    /**
     * Tells whether this is {@code ff:ff:ff:ff:ff:ff}.
     *
     * @return whether this is the broadcast address
     */
    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    /**
     * Tells whether the group bit (the lowest bit of the first byte) is set; broadcast is multicast too.
     *
     * @return whether this addresses a group rather than one interface
     */
    public boolean isMulticast() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    /**
     * Tells whether the locally-administered bit (the second-lowest bit of the first byte) is set, as in
     * addresses that software makes up rather than a vendor assigned.
     *
     * @return whether the address is locally administered
     */
    public boolean isLocallyAdministered() {
        return (bits & 0x0200_0000_0000L) != 0;
    }

    /**
     * Formats the address as six lower-case two-digit hex bytes separated by colons.
     *
     * @return for example {@code 02:00:5e:10:00:01}
     */
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }

    private static boolean isAsciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not a MAC address: \"" + text
                + "\" (expected six two-digit hex bytes separated by colons, like 02:00:5e:10:00:01)");
    }
}

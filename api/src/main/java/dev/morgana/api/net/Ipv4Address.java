package dev.morgana.api.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address, written in dotted-quad form ({@code 192.0.2.1}).
 *
 * <p>Parsing is strict: exactly four decimal numbers from 0 to 255 without leading zeros (which other
 * parsers read as octal), no spaces, no shortened forms.
 *
 * @param bits the address, first byte on the wire in the highest 8 bits
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    /** {@code 0.0.0.0}: unspecified; as a listening address, every local address. */
    public static final Ipv4Address ANY = new Ipv4Address(0);

    /** {@code 255.255.255.255}: the limited broadcast address. */
    public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

    /** {@code 127.0.0.1}. */
    public static final Ipv4Address LOOPBACK = of(127, 0, 0, 1);

    /** The number of bytes of an IPv4 address on the wire. */
    public static final int BYTES = 4;

    private static final int MIN_TEXT_LENGTH = 7;
    private static final int MAX_TEXT_LENGTH = 15;

    /**
     * Makes an address from its four bytes.
     *
     * @param a first byte, 0–255
     * @param b second byte, 0–255
     * @param c third byte, 0–255
     * @param d fourth byte, 0–255
     * @return the address {@code a.b.c.d}
     * @throws IllegalArgumentException when a byte is out of range
     */
    public static Ipv4Address of(int a, int b, int c, int d) {
        int bits = 0;
        for (int part : new int[] {a, b, c, d}) {
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("an IPv4 address byte is 0–255, got " + part);
            }
            bits = bits << 8 | part;
        }
        return new Ipv4Address(bits);
    }

    /**
     * Parses the dotted-quad form.
     *
     * @param text for example {@code 192.0.2.1}
     * @return the address
     * @throws IllegalArgumentException when {@code text} is anything else, with a message that says what
     *     was expected
     */
    public static Ipv4Address parse(String text) {
        // One pass, no allocation but the result: addresses are parsed from configuration and from
        // protocol text (HTTP Host headers, DNS answers), so this is worth keeping cheap.
        int length = text.length();
        if (length < MIN_TEXT_LENGTH || length > MAX_TEXT_LENGTH) {
            throw invalid(text);
        }
        int bits = 0;
        int part = 0;
        int digits = 0;
        int dots = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && part == 0) {
                    throw invalid(text); // a leading zero, which other parsers read as octal
                }
                part = part * 10 + (c - '0');
                digits++;
                if (part > 255) {
                    throw invalid(text);
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                bits = bits << 8 | part;
                part = 0;
                digits = 0;
                dots++;
            } else {
                throw invalid(text);
            }
        }
        if (dots != 3 || digits == 0) {
            throw invalid(text);
        }
        return new Ipv4Address(bits << 8 | part);
    }

    /**
     * Makes an address from its four bytes in wire order.
     *
     * @param bytes exactly four bytes; not kept
     * @return the address
     * @throws IllegalArgumentException when {@code bytes} is not four bytes long
     */
    public static Ipv4Address ofBytes(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, got " + bytes.length);
        }
        return new Ipv4Address((bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8
                | bytes[3] & 0xFF);
    }

    /**
     * Converts a JDK address, for backends that speak {@code java.net}.
     *
     * @param address the JDK's form
     * @return the same address
     */
    public static Ipv4Address of(Inet4Address address) {
        return ofBytes(address.getAddress());
    }

    /**
     * Returns the four bytes in wire order.
     *
     * @return a new array
     */
    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /**
     * Converts to the JDK's form, for backends that speak {@code java.net}. No name lookup is made.
     *
     * @return the same address
     */
    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException impossible) {
            throw new AssertionError("four bytes are always a valid IPv4 address", impossible);
        }
    }

    /**
     * Tells whether this is {@code 0.0.0.0}.
     *
     * @return whether the address is unspecified
     */
    public boolean isUnspecified() {
        return bits == 0;
    }

    /**
     * Tells whether this is in {@code 127.0.0.0/8}.
     *
     * @return whether the address is a loopback address
     */
    public boolean isLoopback() {
        return bits >>> 24 == 127;
    }

    /**
     * Tells whether this is in {@code 224.0.0.0/4}.
     *
     * @return whether the address is a multicast group
     */
    public boolean isMulticast() {
        return bits >>> 28 == 0xE;
    }

    /**
     * Tells whether this is {@code 255.255.255.255}. A subnet's directed broadcast is a property of the
     * subnet: see {@link Ipv4Prefix#broadcast()}.
     *
     * @return whether this is the limited broadcast address
     */
    public boolean isBroadcast() {
        return bits == -1;
    }

    /**
     * Orders addresses as unsigned 32-bit numbers, so that {@code 10.0.0.0} sorts before {@code 192.0.2.0}.
     */
    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    /**
     * Formats the address in dotted-quad form.
     *
     * @return for example {@code 192.0.2.1}
     */
    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xFF) + "." + (bits >>> 8 & 0xFF) + "." + (bits & 0xFF);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not an IPv4 address: \"" + text
                + "\" (expected four numbers 0–255 without leading zeros, separated by dots, like 192.0.2.1)");
    }
}

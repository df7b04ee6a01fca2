package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One DHCP option (RFC 2132) with its value decoded: the options a client sends and acts on, and
 * {@link Unknown} for every other code, kept as bytes so that nothing received is lost on the way back out.
 *
 * <p>Two codes are not options here because {@link DhcpMessage} handles them: the message type (53) is a
 * field of the message, and option overload (52) is consumed by {@link DhcpMessage#parse} (its options are
 * read from {@code file} and {@code sname}) and never sent. Pad (0) and end (255) are framing.
 *
 * <p>Each record checks its value in its constructor, so that a bad value received is a
 * {@link MalformedPacketException} in {@link #decode} and a bad value built by the caller an
 * {@link IllegalArgumentException}.
 */
public sealed interface DhcpOption {

    /** Option 1. */
    int SUBNET_MASK = 1;
    /** Option 3. */
    int ROUTER = 3;
    /** Option 6. */
    int DNS_SERVER = 6;
    /** Option 26. */
    int INTERFACE_MTU = 26;
    /** Option 50. */
    int REQUESTED_ADDRESS = 50;
    /** Option 51. */
    int LEASE_TIME = 51;
    /** Option 52. */
    int OVERLOAD = 52;
    /** Option 53. */
    int MESSAGE_TYPE = 53;
    /** Option 54. */
    int SERVER_IDENTIFIER = 54;
    /** Option 55. */
    int PARAMETER_REQUEST_LIST = 55;
    /** Option 57. */
    int MAX_MESSAGE_SIZE = 57;
    /** Option 58. */
    int RENEWAL_TIME = 58;
    /** Option 59. */
    int REBINDING_TIME = 59;
    /** Option 61. */
    int CLIENT_IDENTIFIER = 61;
    /** A lease time (and T1, T2) of 0xFFFFFFFF seconds is infinite (RFC 2131 §3.3). */
    long INFINITE = 0xFFFF_FFFFL;

    /**
     * Returns the option code.
     *
     * @return 1–254, never 52 or 53
     */
    int code();

    /**
     * Returns the value's length in bytes.
     *
     * @return what {@link #write} writes; more than 255 is split into several options on the wire (RFC 3396)
     */
    int length();

    /**
     * Writes the value, without code and length.
     *
     * @param value {@link #length()} writable bytes
     */
    void write(MemorySegment value);

    /** The options whose value is a time in seconds, 4 bytes on the wire. */
    sealed interface Seconds extends DhcpOption {

        /**
         * Returns the time.
         *
         * @return seconds, 0–0xFFFFFFFF; {@link DhcpOption#INFINITE} for ever
         */
        long seconds();

        @Override
        default int length() {
            return 4;
        }

        @Override
        default void write(MemorySegment value) {
            Wire.putI32(value, 0, (int) seconds());
        }
    }

    /** The options whose value is one IPv4 address. */
    sealed interface Address extends DhcpOption {

        /**
         * Returns the address.
         *
         * @return the address
         */
        Ipv4Address address();

        @Override
        default int length() {
            return 4;
        }

        @Override
        default void write(MemorySegment value) {
            Wire.putI32(value, 0, address().bits());
        }
    }

    /** The options whose value is a list of IPv4 addresses, most preferred first. */
    sealed interface Addresses extends DhcpOption {

        /**
         * Returns the addresses.
         *
         * @return at least one
         */
        List<Ipv4Address> addresses();

        @Override
        default int length() {
            return 4 * addresses().size();
        }

        @Override
        default void write(MemorySegment value) {
            for (int i = 0; i < addresses().size(); i++) {
                Wire.putI32(value, 4L * i, addresses().get(i).bits());
            }
        }
    }

    /**
     * Option 1: the subnet mask (RFC 2132 §3.3).
     *
     * @param mask ones then zeros
     */
    record SubnetMask(Ipv4Address mask) implements DhcpOption {

        /**
         * Checks the mask.
         *
         * @throws IllegalArgumentException when its ones are not contiguous
         */
        public SubnetMask {
            int inverse = ~mask.bits();
            if ((inverse & (inverse + 1)) != 0) {
                throw new IllegalArgumentException("subnet mask " + mask + " is not contiguous");
            }
        }

        /**
         * Returns the prefix length.
         *
         * @return 0–32
         */
        public int prefixLength() {
            return Integer.bitCount(mask.bits());
        }

        @Override
        public int code() {
            return SUBNET_MASK;
        }

        @Override
        public int length() {
            return 4;
        }

        @Override
        public void write(MemorySegment value) {
            Wire.putI32(value, 0, mask.bits());
        }
    }

    /**
     * Option 3: routers on the client's subnet, in order of preference (RFC 2132 §3.5).
     *
     * @param addresses at least one
     */
    record Routers(List<Ipv4Address> addresses) implements Addresses {

        /**
         * Copies and checks the list.
         *
         * @throws IllegalArgumentException when it is empty or too long for a message
         */
        public Routers {
            addresses = addressList(addresses, "routers");
        }

        @Override
        public int code() {
            return ROUTER;
        }
    }

    /**
     * Option 6: DNS servers, in order of preference (RFC 2132 §3.8).
     *
     * @param addresses at least one
     */
    record DnsServers(List<Ipv4Address> addresses) implements Addresses {

        /**
         * Copies and checks the list.
         *
         * @throws IllegalArgumentException when it is empty or too long for a message
         */
        public DnsServers {
            addresses = addressList(addresses, "DNS servers");
        }

        @Override
        public int code() {
            return DNS_SERVER;
        }
    }

    /**
     * Option 26: the MTU of the interface (RFC 2132 §5.1).
     *
     * @param mtu 68–65535
     */
    record InterfaceMtu(int mtu) implements DhcpOption {

        /**
         * Checks the MTU.
         *
         * @throws IllegalArgumentException below 68, the least MTU IPv4 allows (RFC 791), or above 65535
         */
        public InterfaceMtu {
            if (mtu < 68 || mtu > 0xFFFF) {
                throw new IllegalArgumentException("interface MTU " + mtu + " is not within 68–65535");
            }
        }

        @Override
        public int code() {
            return INTERFACE_MTU;
        }

        @Override
        public int length() {
            return 2;
        }

        @Override
        public void write(MemorySegment value) {
            Wire.putU16(value, 0, mtu);
        }
    }

    /**
     * Option 50: the address the client asks for (RFC 2132 §9.1).
     *
     * @param address the address
     */
    record RequestedAddress(Ipv4Address address) implements Address {
        @Override
        public int code() {
            return REQUESTED_ADDRESS;
        }
    }

    /**
     * Option 51: the lease time (RFC 2132 §9.2).
     *
     * @param seconds 0–0xFFFFFFFF; {@link DhcpOption#INFINITE} for ever
     */
    record LeaseTime(long seconds) implements Seconds {

        /**
         * Checks the time.
         *
         * @throws IllegalArgumentException outside 0–0xFFFFFFFF
         */
        public LeaseTime {
            checkSeconds(seconds, "lease time");
        }

        @Override
        public int code() {
            return LEASE_TIME;
        }
    }

    /**
     * Option 54: the server's identifier, the address the client sends to (RFC 2132 §9.7).
     *
     * @param address the server's address
     */
    record ServerIdentifier(Ipv4Address address) implements Address {
        @Override
        public int code() {
            return SERVER_IDENTIFIER;
        }
    }

    /**
     * Option 55: the options the client asks for, in its order of preference (RFC 2132 §9.8).
     *
     * @param codes at least one, each 1–254
     */
    record ParameterRequestList(List<Integer> codes) implements DhcpOption {

        /**
         * Copies and checks the codes.
         *
         * @throws IllegalArgumentException when there is none, or one is 0 or 255 (framing, not options)
         */
        public ParameterRequestList {
            codes = List.copyOf(codes);
            if (codes.isEmpty()) {
                throw new IllegalArgumentException("a parameter request list asks for at least one option");
            }
            for (int code : codes) {
                if (code < 1 || code > 254) {
                    throw new IllegalArgumentException("option code " + code + " is not within 1–254");
                }
            }
        }

        @Override
        public int code() {
            return PARAMETER_REQUEST_LIST;
        }

        @Override
        public int length() {
            return codes.size();
        }

        @Override
        public void write(MemorySegment value) {
            for (int i = 0; i < codes.size(); i++) {
                Wire.putU8(value, i, codes.get(i));
            }
        }
    }

    /**
     * Option 57: the longest message the client accepts, IP and UDP headers included (RFC 2132 §9.10).
     *
     * @param size 576–65535
     */
    record MaxMessageSize(int size) implements DhcpOption {

        /**
         * Checks the size.
         *
         * @throws IllegalArgumentException below 576 (RFC 2132 §9.10's minimum) or above 65535
         */
        public MaxMessageSize {
            if (size < 576 || size > 0xFFFF) {
                throw new IllegalArgumentException("maximum message size " + size + " is not within 576–65535");
            }
        }

        @Override
        public int code() {
            return MAX_MESSAGE_SIZE;
        }

        @Override
        public int length() {
            return 2;
        }

        @Override
        public void write(MemorySegment value) {
            Wire.putU16(value, 0, size);
        }
    }

    /**
     * Option 58: T1, when the client starts renewing (RFC 2132 §9.11).
     *
     * @param seconds after the lease was granted, 0–0xFFFFFFFF
     */
    record RenewalTime(long seconds) implements Seconds {

        /**
         * Checks the time.
         *
         * @throws IllegalArgumentException outside 0–0xFFFFFFFF
         */
        public RenewalTime {
            checkSeconds(seconds, "renewal time");
        }

        @Override
        public int code() {
            return RENEWAL_TIME;
        }
    }

    /**
     * Option 59: T2, when the client starts rebinding (RFC 2132 §9.12).
     *
     * @param seconds after the lease was granted, 0–0xFFFFFFFF
     */
    record RebindingTime(long seconds) implements Seconds {

        /**
         * Checks the time.
         *
         * @throws IllegalArgumentException outside 0–0xFFFFFFFF
         */
        public RebindingTime {
            checkSeconds(seconds, "rebinding time");
        }

        @Override
        public int code() {
            return REBINDING_TIME;
        }
    }

    /**
     * Option 61: the client's identifier, by which servers key its lease (RFC 2132 §9.14): a type byte (1
     * for an Ethernet MAC, RFC 1700) and the identifier.
     *
     * @param bytes at least two; the record keeps a copy and hands out copies
     */
    record ClientIdentifier(byte[] bytes) implements DhcpOption {

        /**
         * Copies and checks the identifier.
         *
         * @throws IllegalArgumentException below two bytes (RFC 2132 §9.14)
         */
        public ClientIdentifier {
            if (bytes.length < 2) {
                throw new IllegalArgumentException("a client identifier has at least 2 bytes, got " + bytes.length);
            }
            bytes = bytes.clone();
        }

        /**
         * The identifier RFC 2132 suggests for Ethernet: type 1 and the MAC.
         *
         * @param mac the client's MAC
         * @return the option
         */
        public static ClientIdentifier ofMac(dev.morgana.api.net.MacAddress mac) {
            byte[] bytes = new byte[7];
            bytes[0] = 1;
            System.arraycopy(mac.toBytes(), 0, bytes, 1, 6);
            return new ClientIdentifier(bytes);
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public int code() {
            return CLIENT_IDENTIFIER;
        }

        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public void write(MemorySegment value) {
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, value, 0, bytes.length);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ClientIdentifier that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "ClientIdentifier[" + HexFormat.ofDelimiter(":").formatHex(bytes) + "]";
        }
    }

    /**
     * Any other option, its value kept as received.
     *
     * @param code 1–254, not one of the codes decoded above, nor 52 or 53
     * @param value the bytes; the record keeps a copy and hands out copies
     */
    record Unknown(int code, byte[] value) implements DhcpOption {

        /**
         * Copies and checks.
         *
         * @throws IllegalArgumentException when the code is framing, has a record of its own, or the value
         *     does not fit a message
         */
        public Unknown {
            if (code < 1 || code > 254 || code == OVERLOAD || code == MESSAGE_TYPE || isDecoded(code)) {
                throw new IllegalArgumentException("option " + code + " is not an unknown option");
            }
            if (value.length > MAX_VALUE) {
                throw new IllegalArgumentException("option " + code + " has " + value.length + " bytes");
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public int length() {
            return value.length;
        }

        @Override
        public void write(MemorySegment out) {
            MemorySegment.copy(MemorySegment.ofArray(value), 0, out, 0, value.length);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Unknown that && code == that.code && Arrays.equals(value, that.value);
        }

        @Override
        public int hashCode() {
            return 31 * code + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Unknown[" + code + "=" + HexFormat.of().formatHex(value) + "]";
        }
    }

    /** No value can be longer than every byte a message could hold (RFC 3396 concatenates, but within a message). */
    int MAX_VALUE = 0xFFFF;

    /**
     * Tells whether a code has a record of its own.
     *
     * @param code an option code
     * @return whether {@link #decode} gives something other than {@link Unknown}
     */
    static boolean isDecoded(int code) {
        return switch (code) {
            case SUBNET_MASK, ROUTER, DNS_SERVER, INTERFACE_MTU, REQUESTED_ADDRESS, LEASE_TIME, SERVER_IDENTIFIER,
                    PARAMETER_REQUEST_LIST, MAX_MESSAGE_SIZE, RENEWAL_TIME, REBINDING_TIME, CLIENT_IDENTIFIER -> true;
            default -> false;
        };
    }

    /**
     * Decodes one option's whole value (after RFC 3396 concatenation of its parts).
     *
     * @param code 1–254, not 52 or 53
     * @param value the bytes
     * @return the option
     * @throws MalformedPacketException when the value's length or content is wrong for the code
     */
    static DhcpOption decode(int code, byte[] value) {
        MemorySegment bytes = MemorySegment.ofArray(value);
        try {
            return switch (code) {
                case SUBNET_MASK -> new SubnetMask(new Ipv4Address(four(code, bytes)));
                case ROUTER -> new Routers(addresses(code, bytes));
                case DNS_SERVER -> new DnsServers(addresses(code, bytes));
                case INTERFACE_MTU -> new InterfaceMtu(two(code, bytes));
                case REQUESTED_ADDRESS -> new RequestedAddress(new Ipv4Address(four(code, bytes)));
                case LEASE_TIME -> new LeaseTime(Integer.toUnsignedLong(four(code, bytes)));
                case SERVER_IDENTIFIER -> new ServerIdentifier(new Ipv4Address(four(code, bytes)));
                case PARAMETER_REQUEST_LIST -> {
                    List<Integer> codes = new ArrayList<>(value.length);
                    for (byte b : value) {
                        codes.add(b & 0xFF);
                    }
                    yield new ParameterRequestList(codes);
                }
                case MAX_MESSAGE_SIZE -> new MaxMessageSize(two(code, bytes));
                case RENEWAL_TIME -> new RenewalTime(Integer.toUnsignedLong(four(code, bytes)));
                case REBINDING_TIME -> new RebindingTime(Integer.toUnsignedLong(four(code, bytes)));
                case CLIENT_IDENTIFIER -> new ClientIdentifier(value);
                default -> new Unknown(code, value);
            };
        } catch (IllegalArgumentException invalid) {
            throw new MalformedPacketException("DHCP option " + code + ": " + invalid.getMessage());
        }
    }

    private static int four(int code, MemorySegment value) {
        if (value.byteSize() != 4) {
            throw new MalformedPacketException("DHCP option " + code + " has 4 bytes, got " + value.byteSize());
        }
        return Wire.i32(value, 0);
    }

    private static int two(int code, MemorySegment value) {
        if (value.byteSize() != 2) {
            throw new MalformedPacketException("DHCP option " + code + " has 2 bytes, got " + value.byteSize());
        }
        return Wire.u16(value, 0);
    }

    private static List<Ipv4Address> addresses(int code, MemorySegment value) {
        if (value.byteSize() == 0 || value.byteSize() % 4 != 0) {
            throw new MalformedPacketException("DHCP option " + code + " holds addresses, 4 bytes each, got "
                    + value.byteSize() + " bytes");
        }
        List<Ipv4Address> addresses = new ArrayList<>((int) value.byteSize() / 4);
        for (int i = 0; i < value.byteSize(); i += 4) {
            addresses.add(new Ipv4Address(Wire.i32(value, i)));
        }
        return addresses;
    }

    private static List<Ipv4Address> addressList(List<Ipv4Address> addresses, String what) {
        List<Ipv4Address> copy = List.copyOf(addresses);
        if (copy.isEmpty() || 4L * copy.size() > MAX_VALUE) {
            throw new IllegalArgumentException(copy.size() + " " + what + ": at least one and at most " + MAX_VALUE / 4);
        }
        return copy;
    }

    private static void checkSeconds(long seconds, String what) {
        if (seconds < 0 || seconds > INFINITE) {
            throw new IllegalArgumentException(what + " " + seconds + " s is not within 0–0xFFFFFFFF");
        }
    }
}

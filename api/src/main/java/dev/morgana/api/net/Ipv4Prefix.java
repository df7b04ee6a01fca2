package dev.morgana.api.net;

/**
 * An IPv4 network in CIDR notation ({@code 192.0.2.0/24}): a network address and a prefix length.
 *
 * <p>The host bits of {@link #network()} are always zero: {@code 192.0.2.7/24} is refused with a hint,
 * because a caller who wrote it meant either the network {@code 192.0.2.0/24} or an interface address
 * with its prefix, and a prefix type that silently chose would hide the mistake. Use
 * {@link #containing(Ipv4Address, int)} to derive the network of an interface address.
 *
 * @param network the network address, host bits zero
 * @param length the prefix length, 0–32
 */
public record Ipv4Prefix(Ipv4Address network, int length) {

    /**
     * Checks the prefix.
     *
     * @throws IllegalArgumentException when {@code length} is outside 0–32 or host bits are set
     */
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("an IPv4 prefix length is 0–32, got " + length);
        }
        if ((network.bits() & ~mask(length)) != 0) {
            throw new IllegalArgumentException("host bits are set in " + network + "/" + length
                    + "; the network is " + new Ipv4Address(network.bits() & mask(length)) + "/" + length);
        }
    }

    /**
     * Parses CIDR notation.
     *
     * @param text for example {@code 192.0.2.0/24}
     * @return the prefix
     * @throws IllegalArgumentException when {@code text} is not an address, a slash and a length 0–32
     *     without leading zeros, or when host bits are set
     */
    public static Ipv4Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an IPv4 prefix: \"" + text
                    + "\" (expected an address, a slash and a length 0–32, like 192.0.2.0/24)");
        }
        String digits = text.substring(slash + 1);
        if (digits.isEmpty() || digits.length() > 2 || digits.length() > 1 && digits.charAt(0) == '0'
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not an IPv4 prefix length: \"" + digits + "\" in \"" + text
                    + "\" (expected 0–32 without leading zeros)");
        }
        return new Ipv4Prefix(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(digits));
    }

    /**
     * Returns the network of the given length that contains {@code address}.
     *
     * @param address any address in the network
     * @param length the prefix length, 0–32
     * @return the network, host bits cleared
     * @throws IllegalArgumentException when {@code length} is outside 0–32
     */
    public static Ipv4Prefix containing(Ipv4Address address, int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("an IPv4 prefix length is 0–32, got " + length);
        }
        return new Ipv4Prefix(new Ipv4Address(address.bits() & mask(length)), length);
    }

    /**
     * Tells whether {@code address} is in this network.
     *
     * @param address the address to test
     * @return whether its first {@link #length()} bits match
     */
    public boolean contains(Ipv4Address address) {
        return (address.bits() & mask(length)) == network.bits();
    }

    /**
     * Returns the netmask ({@code 255.255.255.0} for a {@code /24}).
     *
     * @return the mask as an address
     */
    public Ipv4Address netmask() {
        return new Ipv4Address(mask(length));
    }

    /**
     * Returns the directed broadcast address, all host bits set.
     *
     * @return for example {@code 192.0.2.255} for {@code 192.0.2.0/24}
     */
    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~mask(length));
    }

    /**
     * Formats the prefix in CIDR notation.
     *
     * @return for example {@code 192.0.2.0/24}
     */
    @Override
    public String toString() {
        return network + "/" + length;
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }
}

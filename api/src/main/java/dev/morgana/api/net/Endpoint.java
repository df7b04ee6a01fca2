package dev.morgana.api.net;

/**
 * One end of a UDP or TCP conversation: an IPv4 address and a port, written {@code 192.0.2.1:80}.
 *
 * @param address the address; {@link Ipv4Address#ANY} when listening means every local address
 * @param port the port, 0–65535; 0 when listening or connecting means "choose an ephemeral port"
 */
public record Endpoint(Ipv4Address address, int port) {

    /** The largest port number. */
    public static final int MAX_PORT = 65_535;

    /**
     * Checks the port.
     *
     * @throws IllegalArgumentException when {@code port} is outside 0–65535
     * @throws NullPointerException when {@code address} is {@code null}
     */
    public Endpoint {
        if (address == null) {
            throw new NullPointerException("address");
        }
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("a port is 0–65535, got " + port);
        }
    }

    /**
     * Parses {@code address:port}.
     *
     * @param text for example {@code 192.0.2.1:80}
     * @return the endpoint
     * @throws IllegalArgumentException when {@code text} is not a dotted-quad address, a colon and a
     *     decimal port 0–65535 without leading zeros
     */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not an endpoint: \"" + text
                    + "\" (expected an IPv4 address, a colon and a port, like 192.0.2.1:80)");
        }
        String digits = text.substring(colon + 1);
        if (digits.isEmpty() || digits.length() > 5 || digits.length() > 1 && digits.charAt(0) == '0'
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(digits) > MAX_PORT) {
            throw new IllegalArgumentException("not a port: \"" + digits + "\" in \"" + text
                    + "\" (expected 0–65535 without leading zeros)");
        }
        return new Endpoint(Ipv4Address.parse(text.substring(0, colon)), Integer.parseInt(digits));
    }

    /**
     * Formats the endpoint as {@code address:port}.
     *
     * @return for example {@code 192.0.2.1:80}
     */
    @Override
    public String toString() {
        return address + ":" + port;
    }
}

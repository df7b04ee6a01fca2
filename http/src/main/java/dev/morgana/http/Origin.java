package dev.morgana.http;

import dev.morgana.api.net.Endpoint;
import java.util.Objects;

/**
 * Where an {@link HttpClient}'s requests go: plain HTTP or HTTPS, the host they name, and the endpoint to
 * connect to. The host is sent as the Host field (with the port unless it is the scheme's default) and,
 * over HTTPS, is the name the server's certificate must prove (and the SNI). Morgana has no name resolver
 * yet, so the endpoint is given rather than looked up.
 *
 * @param https whether to speak TLS
 * @param host a host name or an IPv4 literal, without a port
 * @param endpoint where to connect
 */
public record Origin(boolean https, String host, Endpoint endpoint) {

    /**
     * Checks the host.
     *
     * @throws IllegalArgumentException when {@code host} is empty or has characters a host name cannot have
     */
    public Origin {
        Objects.requireNonNull(endpoint, "endpoint");
        if (host.isEmpty() || !host.chars().allMatch(c -> c == '-' || c == '.' || c == '_' || Character.isLetterOrDigit(c) && c < 0x80)) {
            throw new IllegalArgumentException("not a host name: " + host);
        }
    }

    /** Plain HTTP to {@code endpoint}, named by its address. */
    public static Origin http(Endpoint endpoint) {
        return new Origin(false, endpoint.address().toString(), endpoint);
    }

    /** Plain HTTP to {@code endpoint}, named {@code host}. */
    public static Origin http(String host, Endpoint endpoint) {
        return new Origin(false, host, endpoint);
    }

    /** HTTPS to {@code endpoint}, whose certificate must name {@code host}. */
    public static Origin https(String host, Endpoint endpoint) {
        return new Origin(true, host, endpoint);
    }

    /** The Host field's value (RFC 9110 §7.2): the host, and the port unless it is the scheme's default. */
    String hostField() {
        return endpoint.port() == (https ? 443 : 80) ? host : host + ":" + endpoint.port();
    }

    /** The origin as a URI prefix: {@code http://host:port}. */
    @Override
    public String toString() {
        return (https ? "https://" : "http://") + hostField();
    }
}

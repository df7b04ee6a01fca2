package dev.morgana.unix.net;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Conversions between Morgana's endpoints and errors and the JDK's and Netty's. */
final class Sockets {

    private Sockets() {}

    static InetSocketAddress address(Endpoint endpoint) {
        return new InetSocketAddress(endpoint.address().toInetAddress(), endpoint.port());
    }

    /**
     * Converts a socket address. Netty's native sockets are dual-stack, so an IPv4 socket bound to every
     * address may report the IPv6 wildcard {@code ::}; that is {@link Ipv4Address#ANY} here.
     */
    static Endpoint endpoint(SocketAddress address) {
        InetSocketAddress inet = (InetSocketAddress) address;
        if (inet.getAddress() instanceof Inet4Address ipv4) {
            return new Endpoint(Ipv4Address.of(ipv4), inet.getPort());
        }
        if (inet.getAddress() != null && inet.getAddress().isAnyLocalAddress()) {
            return new Endpoint(Ipv4Address.ANY, inet.getPort());
        }
        throw new IllegalStateException("an IPv4 stack got an IPv6 address: " + inet);
    }

    /** The reason a caller can act on, for an error from a socket. */
    static NetworkException error(String what, Throwable cause) {
        if (cause instanceof NetworkException known) {
            return known;
        }
        Reason reason = switch (cause) {
            case ConnectTimeoutException timeout -> Reason.TIMED_OUT;
            case ConnectException refused when mentions(refused, "refused") -> Reason.CONNECTION_REFUSED;
            case NoRouteToHostException unreachable -> Reason.UNREACHABLE;
            case PortUnreachableException unreachable -> Reason.UNREACHABLE;
            case ConnectException other when mentions(other, "unreachable") -> Reason.UNREACHABLE;
            case BindException inUse -> Reason.ADDRESS_IN_USE;
            case IOException io when mentions(io, "address already in use") -> Reason.ADDRESS_IN_USE;
            case ClosedChannelException closed -> Reason.CLOSED;
            case IOException io when mentions(io, "reset") || mentions(io, "broken pipe") -> Reason.CONNECTION_RESET;
            default -> Reason.DEVICE_FAILED;
        };
        return new NetworkException(reason, what + ": " + cause.getMessage(), cause);
    }

    private static boolean mentions(Throwable error, String word) {
        String message = error.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains(word);
    }
}

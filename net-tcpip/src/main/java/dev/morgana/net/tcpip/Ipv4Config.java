package dev.morgana.net.tcpip;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The IPv4 layer's configuration: its address, on-link network and default gateway, the TTL it sends with,
 * and the bounds of its buffers.
 *
 * <p>The addressing is the starting point: a stack configured by DHCP starts {@link #unconfigured()} (address
 * 0.0.0.0, which can send and receive broadcasts only) and is given its lease's addressing at run time (see
 * the package documentation); {@link #ttl()} and {@link #limits()} stay as configured.
 *
 * @param address this host's address; {@link Ipv4Address#ANY} for none yet
 * @param network the on-link network, which contains {@code address} (0.0.0.0/0 while unconfigured: nothing
 *     is on-link then)
 * @param gateway the default router, on-link; empty to reach the on-link network only
 * @param ttl the time to live of every datagram sent, 1–255 (RFC 1122 §3.2.1.7: never 0)
 * @param limits the bounds of reassembly and of the queue of datagrams waiting on ARP
 */
public record Ipv4Config(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway, int ttl,
        Limits limits) {

    /** Linux's default TTL (net.ipv4.ip_default_ttl), as RFC 1700 recommends. */
    public static final int DEFAULT_TTL = 64;

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException when the address is not in the network or is its network or broadcast
     *     address, the gateway is not on-link or is this host, or the TTL is out of range
     */
    public Ipv4Config {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(limits, "limits");
        checkAddressing(address, network, gateway);
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("a TTL is 1–255, got " + ttl);
        }
    }

    /**
     * Checks one addressing: the rules of the compact constructor, shared with reconfiguration at run time.
     *
     * @param address this host's address, or {@link Ipv4Address#ANY}
     * @param network the on-link network
     * @param gateway the default router
     * @throws IllegalArgumentException when they do not fit together
     */
    public static void checkAddressing(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway) {
        if (address.isUnspecified()) {
            if (network.length() != 0 || gateway.isPresent()) {
                throw new IllegalArgumentException("an unconfigured layer (address 0.0.0.0) has no network and no gateway");
            }
            return;
        }
        if (address.isBroadcast() || address.isMulticast() || address.isLoopback()) {
            throw new IllegalArgumentException(address + " cannot be a host's address on a link");
        }
        if (!network.contains(address)) {
            throw new IllegalArgumentException(address + " is not in " + network);
        }
        // RFC 3021: a /31 has no network or broadcast address; a /32 is the host alone.
        if (network.length() < 31 && (address.equals(network.network()) || address.equals(network.broadcast()))) {
            throw new IllegalArgumentException(address + " is the network or broadcast address of " + network);
        }
        if (gateway.isPresent()) {
            Ipv4Address router = gateway.get();
            if (!network.contains(router) || router.equals(address) || network.length() < 31
                    && (router.equals(network.network()) || router.equals(network.broadcast()))) {
                throw new IllegalArgumentException("the gateway " + router + " is not another host of " + network);
            }
        }
    }

    /**
     * A host on {@code address}/{@code prefixLength}, without a gateway, with the default TTL and limits.
     *
     * @param address this host's address
     * @param prefixLength the on-link network's prefix length, 1–32
     * @return the configuration
     */
    public static Ipv4Config of(Ipv4Address address, int prefixLength) {
        if (prefixLength < 1) {
            throw new IllegalArgumentException("a configured host's prefix length is 1–32, got " + prefixLength);
        }
        return new Ipv4Config(address, Ipv4Prefix.containing(address, prefixLength), Optional.empty(), DEFAULT_TTL,
                Limits.DEFAULT);
    }

    /**
     * A layer without an address, waiting for DHCP: it sends from 0.0.0.0 to the limited broadcast only.
     *
     * @return the configuration
     */
    public static Ipv4Config unconfigured() {
        return new Ipv4Config(Ipv4Address.ANY, new Ipv4Prefix(Ipv4Address.ANY, 0), Optional.empty(), DEFAULT_TTL,
                Limits.DEFAULT);
    }

    /**
     * The same with a default gateway.
     *
     * @param router the gateway, on-link
     * @return a new configuration
     */
    public Ipv4Config withGateway(Ipv4Address router) {
        return new Ipv4Config(address, network, Optional.of(router), ttl, limits);
    }

    /**
     * The same with another TTL.
     *
     * @param timeToLive 1–255
     * @return a new configuration
     */
    public Ipv4Config withTtl(int timeToLive) {
        return new Ipv4Config(address, network, gateway, timeToLive, limits);
    }

    /**
     * The same with other limits.
     *
     * @param bounds the bounds
     * @return a new configuration
     */
    public Ipv4Config withLimits(Limits bounds) {
        return new Ipv4Config(address, network, gateway, ttl, bounds);
    }

    /**
     * The bounds of what the layer holds. A fragment or datagram past one is dropped and counted.
     *
     * @param reassemblyBytes the most payload bytes held over all incomplete datagrams; the oldest are
     *     evicted to make room
     * @param fragmentsPerDatagram the most fragments of one datagram; one more drops it
     * @param datagramsInFlight the most incomplete datagrams; the oldest is evicted for a new one
     * @param reassemblyTimeout how long a datagram may take to complete from its first fragment
     * @param waitingForArp the most datagrams waiting for their next hop to resolve; more are dropped
     */
    public record Limits(int reassemblyBytes, int fragmentsPerDatagram, int datagramsInFlight,
            Duration reassemblyTimeout, int waitingForArp) {

        /**
         * Linux's choices where it has one: 4 MiB (net.ipv4.ipfrag_high_thresh), 64 fragments, 64 datagrams,
         * 30 s (net.ipv4.ipfrag_time); 64 datagrams waiting on ARP.
         */
        public static final Limits DEFAULT = new Limits(4 << 20, 64, 64, Duration.ofSeconds(30), 64);

        /**
         * Checks the bounds.
         *
         * @throws IllegalArgumentException when a bound is too small or the timeout not positive
         */
        public Limits {
            if (reassemblyBytes < 1 || fragmentsPerDatagram < 2 || datagramsInFlight < 1 || waitingForArp < 1) {
                throw new IllegalArgumentException("limits: reassemblyBytes ≥ 1, fragmentsPerDatagram ≥ 2, "
                        + "datagramsInFlight ≥ 1, waitingForArp ≥ 1; got " + reassemblyBytes + ", "
                        + fragmentsPerDatagram + ", " + datagramsInFlight + ", " + waitingForArp);
            }
            if (!reassemblyTimeout.isPositive()) {
                throw new IllegalArgumentException("the reassembly timeout is positive, got " + reassemblyTimeout);
            }
        }
    }
}

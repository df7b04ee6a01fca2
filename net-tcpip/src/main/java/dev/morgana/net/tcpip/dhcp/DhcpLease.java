package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A lease as the client holds it: the configuration to give IPv4 and when the lease must be renewed,
 * rebound and given up, as monotonic times in nanoseconds on the caller's clock.
 *
 * <p>The times count from when the client sent the request that the ACK answers, not from when the ACK
 * arrived (RFC 2131 §4.4.1), so the client's lease never outlives the server's. An infinite lease
 * (0xFFFFFFFF seconds, RFC 2131 §3.3) has all three times at {@link Long#MAX_VALUE}: it is never renewed.
 *
 * @param address the client's address
 * @param prefix the on-link network: the address under the subnet mask (option 1), or under its class's
 *     natural mask (RFC 791's A, B, C) when the server sent none, the guess BOOTP-era hosts made
 * @param routers the routers (option 3), most preferred first; the first is the default gateway
 * @param dnsServers the DNS servers (option 6), most preferred first
 * @param mtu the interface MTU (option 26), if the server sent one
 * @param server the server's identifier (option 54), where renewals are sent
 * @param seconds the lease time granted (option 51)
 * @param granted when the request that obtained it was first sent
 * @param renewAt T1: when RENEWING starts
 * @param rebindAt T2: when REBINDING starts, at or after {@code renewAt}
 * @param expiresAt when the address must no longer be used, at or after {@code rebindAt}
 */
public record DhcpLease(Ipv4Address address, Ipv4Prefix prefix, List<Ipv4Address> routers,
        List<Ipv4Address> dnsServers, OptionalInt mtu, Ipv4Address server, long seconds, long granted, long renewAt,
        long rebindAt, long expiresAt) {

    /**
     * Copies the lists and checks the order of the times.
     *
     * @throws IllegalArgumentException unless {@code granted ≤ renewAt ≤ rebindAt ≤ expiresAt} (compared as
     *     {@link System#nanoTime} values are), or all three are {@link Long#MAX_VALUE}
     */
    public DhcpLease {
        routers = List.copyOf(routers);
        dnsServers = List.copyOf(dnsServers);
        boolean infinite = renewAt == Long.MAX_VALUE && rebindAt == Long.MAX_VALUE && expiresAt == Long.MAX_VALUE;
        if (!infinite && (renewAt - granted < 0 || rebindAt - renewAt < 0 || expiresAt - rebindAt < 0)) {
            throw new IllegalArgumentException("lease times out of order: granted " + granted + ", T1 " + renewAt
                    + ", T2 " + rebindAt + ", expiry " + expiresAt);
        }
    }

    /**
     * Returns the default gateway.
     *
     * @return the first router, if any
     */
    public Optional<Ipv4Address> gateway() {
        return routers.isEmpty() ? Optional.empty() : Optional.of(routers.getFirst());
    }

    /**
     * Tells whether the lease is infinite.
     *
     * @return whether it never expires
     */
    public boolean infinite() {
        return expiresAt == Long.MAX_VALUE;
    }

    /**
     * Builds the lease an ACK grants.
     *
     * @param ack the ACK, with a lease time
     * @param granted when the request it answers was first sent
     * @param server the server to use when the ACK has no identifier
     * @return the lease; T1 and T2 default to 0.5 and 0.875 of the lease (RFC 2131 §4.4.5), also when the
     *     server's values are out of order
     * @throws IllegalArgumentException when the ACK has no lease time
     */
    static DhcpLease of(DhcpMessage ack, long granted, Ipv4Address server) {
        long seconds = ack.option(DhcpOption.LeaseTime.class)
                .orElseThrow(() -> new IllegalArgumentException("an ACK without a lease time"))
                .seconds();
        Ipv4Address address = ack.yourAddress();
        int length = ack.option(DhcpOption.SubnetMask.class).map(DhcpOption.SubnetMask::prefixLength)
                .orElse(naturalLength(address));
        List<Ipv4Address> routers = ack.option(DhcpOption.Routers.class).map(DhcpOption.Routers::addresses)
                .orElse(List.of());
        List<Ipv4Address> dns = ack.option(DhcpOption.DnsServers.class).map(DhcpOption.DnsServers::addresses)
                .orElse(List.of());
        OptionalInt mtu = ack.option(DhcpOption.InterfaceMtu.class).map(m -> OptionalInt.of(m.mtu()))
                .orElse(OptionalInt.empty());
        Ipv4Address identifier = ack.serverIdentifier().orElse(server);
        Ipv4Prefix prefix = Ipv4Prefix.containing(address, length);
        if (seconds == DhcpOption.INFINITE) {
            return new DhcpLease(address, prefix, routers, dns, mtu, identifier, seconds, granted, Long.MAX_VALUE,
                    Long.MAX_VALUE, Long.MAX_VALUE);
        }
        long lease = seconds * DhcpCore.SECOND;
        long t2 = ack.option(DhcpOption.RebindingTime.class).map(t -> t.seconds() * DhcpCore.SECOND)
                .filter(t -> t < lease).orElse(lease / 8 * 7);
        long t1 = ack.option(DhcpOption.RenewalTime.class).map(t -> t.seconds() * DhcpCore.SECOND)
                .filter(t -> t <= t2).orElse(Math.min(lease / 2, t2));
        return new DhcpLease(address, prefix, routers, dns, mtu, identifier, seconds, granted, granted + t1,
                granted + t2, granted + lease);
    }

    /** The classful prefix length of an address (RFC 791's classes A, B and C; 32 for anything else). */
    private static int naturalLength(Ipv4Address address) {
        int first = address.bits() >>> 24;
        return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
    }
}

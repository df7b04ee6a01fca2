package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Ipv4;
import dev.morgana.net.tcpip.ipv4.Ipv4Addressing;
import dev.morgana.net.tcpip.ipv4.Ipv4Layer;
import java.util.Objects;

/**
 * The functor ETHERNET + ARP → IPV4.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ethernet}, {@link Arp}, {@link Clock} and {@link Timers} (for the reassembly
 *       timeout).</li>
 *   <li><b>Provides:</b> IPv4 (RFC 791, RFC 1122) over Ethernet, a service that registers for EtherType
 *       0x0800 and adds its address to ARP when started: validation of every datagram, on-link and
 *       default-gateway routing with ARP for the next hop, fragmentation on send, bounded reassembly, the
 *       configured TTL; every drop counted. Configured statically by {@link Ipv4Config}, or started
 *       {@linkplain Ipv4Config#unconfigured() unconfigured} for DHCP to address at run time.</li>
 *   <li><b>Exposes:</b> {@link Ipv4}, unqualified; and, for a DHCP functor in this module, the
 *       module-internal {@code Ipv4Addressing} through which the addressing changes at run time (applications
 *       cannot name it: its package is not exported).</li>
 * </ul>
 */
public final class Ipv4Module extends PrivateModule {

    private final Ipv4Config config;

    /**
     * With {@code config}.
     *
     * @param config addressing, TTL and bounds
     */
    public Ipv4Module(Ipv4Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        requireBinding(Ethernet.class);
        requireBinding(Arp.class);
        requireBinding(Clock.class);
        requireBinding(Timers.class);
        bind(Ipv4Config.class).toInstance(config);
        bind(Ipv4Layer.class).in(Singleton.class);
        bind(Ipv4.class).to(Ipv4Layer.class);
        bind(Ipv4Addressing.class).to(Ipv4Layer.class);
        expose(Ipv4.class);
        expose(Ipv4Addressing.class);
    }
}

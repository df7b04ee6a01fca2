package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.udp.UdpLayer;

/**
 * The functor IPV4 + ICMP → UDP.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ipv4}, and {@link Icmp} for port unreachables and the errors that come
 *       back.</li>
 *   <li><b>Provides:</b> UDP (RFC 768), a service that registers for protocol 17 when started: checksums
 *       verified (zero means none) and always computed on send; payloads delivered as slices of the
 *       received frame; a port listened on twice fails with {@code ADDRESS_IN_USE}; datagrams to our address
 *       for a port nobody listens on answered with an ICMP port unreachable. {@code write(0, …)} sends from
 *       one port of the dynamic range (49152 on), chosen at the first such write.</li>
 *   <li><b>Exposes:</b> {@link Udp}, unqualified.</li>
 * </ul>
 */
public final class UdpModule extends PrivateModule {

    /** The functor; it takes no configuration. */
    public UdpModule() {}

    @Override
    protected void configure() {
        requireBinding(Ipv4.class);
        requireBinding(Icmp.class);
        bind(UdpLayer.class).in(Singleton.class);
        bind(Udp.class).to(UdpLayer.class);
        expose(Udp.class);
    }
}

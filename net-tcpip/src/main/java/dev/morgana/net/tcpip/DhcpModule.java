package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.dhcp.DhcpLayer;
import dev.morgana.net.tcpip.ipv4.Ipv4Addressing;

/**
 * The functor UDP + IPV4's addressing → a DHCP-configured stack.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Udp} (ports 68 → 67), the module-internal {@code Ipv4Addressing} that
 *       {@link Ipv4Module} exposes, {@link Ethernet} (its MAC identifies the client), {@link Clock},
 *       {@link Timers}, {@link Entropy} (transaction identifiers and jitter) and {@link Console} (leases gained
 *       and lost are reported there).</li>
 *   <li><b>Provides:</b> a DHCP client (RFC 2131), a service: when started it asks for a lease from
 *       0.0.0.0 and addresses IPv4 with it (address, prefix, first router); it renews at T1, rebinds at T2,
 *       and takes the address away when the lease is refused or expires; when stopped it releases the lease.
 *       Use it with {@code new Ipv4Module(Ipv4Config.unconfigured())}.</li>
 *   <li><b>Exposes:</b> the client, under a key applications cannot name (its package is not exported), so
 *       that the target starts and stops it.</li>
 * </ul>
 */
public final class DhcpModule extends PrivateModule {

    /** The functor; it takes no configuration. */
    public DhcpModule() {}

    @Override
    protected void configure() {
        requireBinding(Udp.class);
        requireBinding(Ipv4Addressing.class);
        requireBinding(Ethernet.class);
        requireBinding(Clock.class);
        requireBinding(Timers.class);
        requireBinding(Entropy.class);
        requireBinding(Console.class);
        bind(DhcpLayer.class).in(Singleton.class);
        expose(DhcpLayer.class);
    }
}

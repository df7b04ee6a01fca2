package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import java.util.Objects;

/**
 * The functor IPV4 → ICMP.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ipv4}, and {@link Clock} for the rate limit of errors.</li>
 *   <li><b>Provides:</b> ICMPv4 (RFC 792, RFC 1122 §3.2.2), a service that registers for protocol 1 when
 *       started: echo requests to our address answered with their data; destination unreachables sent for
 *       the transports within the configured rate, never about an ICMP error, a broadcast or multicast, a
 *       fragment other than the first, or to a source that is not one host; errors received passed to the
 *       listener of the quoted datagram's protocol. Everything dropped or refused is counted.</li>
 *   <li><b>Exposes:</b> {@link Icmp}, unqualified.</li>
 * </ul>
 */
public final class IcmpModule extends PrivateModule {

    private final IcmpConfig config;

    /** With {@link IcmpConfig#DEFAULT}. */
    public IcmpModule() {
        this(IcmpConfig.DEFAULT);
    }

    /**
     * With {@code config}.
     *
     * @param config the rate limit of errors
     */
    public IcmpModule(IcmpConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        requireBinding(Ipv4.class);
        requireBinding(Clock.class);
        bind(IcmpConfig.class).toInstance(config);
        bind(IcmpLayer.class).in(Singleton.class);
        bind(Icmp.class).to(IcmpLayer.class);
        expose(Icmp.class);
    }
}

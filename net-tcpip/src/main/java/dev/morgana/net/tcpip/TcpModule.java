package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.Entropy;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.tcpip.tcp.TcpLayer;
import java.util.Objects;

/**
 * The functor IPV4 + ICMP → TCP.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ipv4}; {@link Icmp} for the errors about our segments; {@link Clock} and
 *       {@link Timers}, the time the connections run on; {@link Entropy} for the keys of initial sequence
 *       numbers (RFC 6528) and ephemeral ports (RFC 6056).</li>
 *   <li><b>Provides:</b> TCP (RFC 9293), a service that registers for protocol 6 when started: connections
 *       as sans-IO cores configured by {@link TcpConfig} (the MSS clamped by the MTU), listeners with a
 *       bounded half-open queue, a RST for a segment nobody expects, blocking flows on virtual threads.</li>
 *   <li><b>Exposes:</b> {@link Tcp}, unqualified.</li>
 * </ul>
 */
public final class TcpModule extends PrivateModule {

    private final TcpConfig config;
    private final TcpConfig.Limits limits;

    /** With {@link TcpConfig#DEFAULTS} and {@link TcpConfig.Limits#DEFAULT}. */
    public TcpModule() {
        this(TcpConfig.DEFAULTS, TcpConfig.Limits.DEFAULT);
    }

    /**
     * With {@code config} for every connection, {@code limits} for the layer.
     *
     * @param config the connections' tunables; a flow's {@code Tcp.Options} set its no-delay and keep-alive
     * @param limits the layer's bounds
     */
    public TcpModule(TcpConfig config, TcpConfig.Limits limits) {
        this.config = Objects.requireNonNull(config, "config");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    protected void configure() {
        requireBinding(Ipv4.class);
        requireBinding(Icmp.class);
        requireBinding(Clock.class);
        requireBinding(Timers.class);
        requireBinding(Entropy.class);
        bind(TcpConfig.class).toInstance(config);
        bind(TcpConfig.Limits.class).toInstance(limits);
        bind(TcpLayer.class).in(Singleton.class);
        bind(Tcp.class).to(TcpLayer.class);
        expose(Tcp.class);
    }
}

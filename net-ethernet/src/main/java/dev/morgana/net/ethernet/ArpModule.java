package dev.morgana.net.ethernet;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.net.ethernet.internal.ArpLayer;
import java.util.Objects;

/**
 * The functor ETHERNET → ARP.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ethernet}, {@link Clock} and {@link Timers} (for entry lifetimes, retries
 *       and timeouts).</li>
 *   <li><b>Provides:</b> ARP (RFC 826, with RFC 5227's probes, announcements and conflict detection) over
 *       Ethernet, a service that registers for EtherType 0x0806 when started: a bounded cache, static
 *       entries, retried queries, bounded queues of waiting resolutions, all as configured. A resolution
 *       beyond a queue's bound fails at once with {@code UNREACHABLE} ("ARP queue full"), one that runs
 *       out of retries with {@code TIMED_OUT}, one still waiting when the service stops with
 *       {@code CLOSED}.</li>
 *   <li><b>Exposes:</b> {@link Arp}, unqualified.</li>
 * </ul>
 */
public final class ArpModule extends PrivateModule {

    private final ArpConfig config;

    /** With {@link ArpConfig#DEFAULT}. */
    public ArpModule() {
        this(ArpConfig.DEFAULT);
    }

    /**
     * With {@code config}.
     *
     * @param config bounds, timers, static entries
     */
    public ArpModule(ArpConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        requireBinding(Ethernet.class);
        requireBinding(Clock.class);
        requireBinding(Timers.class);
        bind(ArpConfig.class).toInstance(config);
        bind(ArpLayer.class).in(Singleton.class);
        bind(Arp.class).to(ArpLayer.class);
        expose(Arp.class);
    }
}

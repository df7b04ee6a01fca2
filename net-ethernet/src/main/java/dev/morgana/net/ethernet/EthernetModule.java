package dev.morgana.net.ethernet;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Network;
import dev.morgana.net.ethernet.internal.EthernetLayer;
import java.util.Objects;

/**
 * The functor NETWORK → ETHERNET.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Network}.</li>
 *   <li><b>Provides:</b> Ethernet II over the device (a service: it starts listening to the device when
 *       started, after the device): frames for our MAC, broadcast and the configured groups are dispatched by
 *       EtherType; 802.1Q-tagged frames are dropped unless their VLAN is configured; frames shorter than 60
 *       bytes are padded on send. Drops are counted.</li>
 *   <li><b>Exposes:</b> {@link Ethernet}, unqualified.</li>
 * </ul>
 */
public final class EthernetModule extends PrivateModule {

    private final EthernetConfig config;

    /** Our MAC and broadcast only, tagged frames dropped. */
    public EthernetModule() {
        this(EthernetConfig.DEFAULT);
    }

    /**
     * With the groups and VLAN of {@code config}.
     *
     * @param config what to accept
     */
    public EthernetModule(EthernetConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        requireBinding(Network.class);
        bind(EthernetConfig.class).toInstance(config);
        bind(EthernetLayer.class).in(Singleton.class);
        bind(Ethernet.class).to(EthernetLayer.class);
        expose(Ethernet.class);
    }
}

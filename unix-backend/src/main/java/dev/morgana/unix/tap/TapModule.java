package dev.morgana.unix.tap;

import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.net.Network;
import java.util.Objects;

/**
 * The functor of a Linux TAP device as NETWORK.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Entropy}, for the random MAC address when none is configured, and
 *       {@link Console}, where failures without a caller are reported (a frame handler's exception, a TAP
 *       that went away).</li>
 *   <li><b>Provides:</b> a {@link Network} over the TAP (a service: the TAP is opened or created and its
 *       receive thread started when it starts, and closed when it stops; building the injector touches
 *       nothing).</li>
 *   <li><b>Exposes:</b> {@code Network}, unqualified, or {@code @Named(name) Network} after {@link #named}.</li>
 * </ul>
 *
 * <p>Opening a TAP needs {@code CAP_NET_ADMIN} (or a TAP made beforehand for the user with
 * {@code ip tuntap add NAME mode tap user USER}), and the FFM API's downcalls need
 * {@code --enable-native-access=dev.morgana.unix} ({@code ALL-UNNAMED} on the class path).
 */
public final class TapModule extends PrivateModule {

    private final TapConfig config;
    private final Key<Network> key;

    /**
     * The TAP as the target's one unqualified {@link Network}.
     *
     * @param config the TAP to open
     */
    public TapModule(TapConfig config) {
        this(config, Key.get(Network.class));
    }

    private TapModule(TapConfig config, Key<Network> key) {
        this.config = Objects.requireNonNull(config, "config");
        this.key = key;
    }

    /**
     * The same TAP exposed as {@code @Named(name) Network}, so that a target can have two interfaces.
     *
     * @param name the qualifier, not blank
     * @return a new functor
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public TapModule named(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a qualifier name must not be blank");
        }
        return new TapModule(config, Key.get(Network.class, Names.named(name)));
    }

    @Override
    protected void configure() {
        requireBinding(Entropy.class);
        requireBinding(Console.class);
        bind(TapConfig.class).toInstance(config);
        bind(TapNetwork.class).in(Singleton.class);
        bind(key).to(TapNetwork.class);
        expose(key);
    }
}

package dev.morgana.net.tcpip;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.api.net.Udp;
import java.util.Optional;

/**
 * The functor IPV4 + UDP + TCP → STACK: the bundle an application asks for, over Morgana's own layers.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Ipv4}, {@link Udp}, {@link Tcp}.</li>
 *   <li><b>Provides:</b> a {@link Stack} whose {@code ipv4()} is present.</li>
 *   <li><b>Exposes:</b> {@link Stack}, unqualified.</li>
 * </ul>
 */
public final class StackModule extends PrivateModule {

    /** The functor; it takes no configuration. */
    public StackModule() {}

    @Override
    protected void configure() {
        requireBinding(Ipv4.class);
        requireBinding(Udp.class);
        requireBinding(Tcp.class);
        expose(Stack.class);
    }

    @Provides
    @Singleton
    Stack stack(Ipv4 ipv4, Udp udp, Tcp tcp) {
        return new OwnStack(ipv4, udp, tcp);
    }

    /** The three layers, as the application sees them. */
    private record OwnStack(Ipv4 ipv4Layer, Udp udp, Tcp tcp) implements Stack {
        @Override
        public Optional<Ipv4> ipv4() {
            return Optional.of(ipv4Layer);
        }
    }
}

package dev.morgana.unix.net;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Console;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.api.net.Udp;

/**
 * The functor of the host-socket stack.
 *
 * <ul>
 *   <li><b>Requires:</b> {@link Console}, where it says which Netty transport runs and reports failures
 *       that have no caller.</li>
 *   <li><b>Provides:</b> Netty event loops (a service, epoll where it loads, NIO otherwise), {@link Udp}
 *       and {@link Tcp} over host sockets, and the {@link Stack} bundling them (without IPv4).</li>
 *   <li><b>Exposes:</b> {@code Stack}, {@code Tcp}, {@code Udp}, unqualified.</li>
 * </ul>
 */
public final class UnixStackModule extends PrivateModule {

    private final int eventLoops;

    /** The stack with one event loop, right for a machine of a few cores. */
    public UnixStackModule() {
        this(1);
    }

    /**
     * The stack with {@code eventLoops} event-loop threads.
     *
     * @param eventLoops how many, at least 1
     */
    public UnixStackModule(int eventLoops) {
        this.eventLoops = new NettyLoop.Config(eventLoops).threads();
    }

    @Override
    protected void configure() {
        requireBinding(Console.class);
        bind(NettyLoop.Config.class).toInstance(new NettyLoop.Config(eventLoops));
        bind(NettyLoop.class).in(Singleton.class);
        bind(Udp.class).to(NettyUdp.class).in(Singleton.class);
        bind(Tcp.class).to(NettyTcp.class).in(Singleton.class);
        bind(Stack.class).to(HostStack.class).in(Singleton.class);
        expose(Stack.class);
        expose(Tcp.class);
        expose(Udp.class);
    }
}

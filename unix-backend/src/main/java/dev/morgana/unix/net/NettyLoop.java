package dev.morgana.unix.net;

import dev.morgana.api.Console;
import dev.morgana.api.Service;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Netty's event loops, shared by TCP and UDP: a service, so that they start first and stop last. */
final class NettyLoop implements Service {

    /** How many event-loop threads; one by default, as the benchmarks on two cores want. */
    record Config(int threads) {
        Config {
            if (threads < 1) {
                throw new IllegalArgumentException("at least one event loop, got " + threads);
            }
        }
    }

    /** How long stopping waits for flows that the application closed to send what they had queued. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    private final Config config;
    private final Console console;
    private volatile EventLoopGroup group;
    private volatile Transport transport;
    private volatile Carriers carriers;
    private volatile ChannelGroup closing;

    @Inject
    public NettyLoop(Config config, Console console) {
        this.config = config;
        this.console = console;
    }

    @Override
    public void start() {
        Transport chosen = Transport.best();
        group = new MultiThreadIoEventLoopGroup(config.threads(), chosen.ioHandlers());
        closing = new DefaultChannelGroup("closing flows", GlobalEventExecutor.INSTANCE);
        transport = chosen;
        carriers = Carriers.best();
        console.log("unix: host sockets through Netty " + chosen.name().toLowerCase(Locale.ROOT)
                + ", " + config.threads() + " event loop(s)"
                + (chosen == Transport.NIO ? " (epoll unavailable: " + Transport.whyNotEpoll() + ")" : "")
                + (carriers == Carriers.LOOP ? ", TCP handlers on their event loops"
                        : ", TCP handlers on the JDK's scheduler (" + Carriers.whyNotLoop() + ")"));
    }

    @Override
    public void stop() throws InterruptedException {
        EventLoopGroup running = group;
        if (running != null) {
            // Shutting the loops down closes every channel at once, dropping what is still queued: first
            // let flows that were closed gracefully finish sending.
            closing.newCloseFuture().await(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            running.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** Remembers a channel that is closing gracefully; it leaves the group once closed. */
    void closing(Channel channel) {
        closing.add(channel);
    }

    EventLoopGroup group() {
        EventLoopGroup running = group;
        if (running == null) {
            throw new IllegalStateException("the unix stack is used before its service started");
        }
        return running;
    }

    /** Whether the calling thread is one of the event loops, where nothing may wait. */
    boolean inEventLoop() {
        for (EventExecutor executor : group()) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Where the virtual thread that runs the handler of a connection on {@code loop} should run. */
    Thread.Builder.OfVirtual handlerThreads(EventLoop loop) {
        return carriers.threads(loop);
    }

    Carriers carriers() {
        return carriers;
    }

    Transport transport() {
        return transport;
    }
}

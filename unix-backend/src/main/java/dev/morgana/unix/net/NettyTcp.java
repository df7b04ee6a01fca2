package dev.morgana.unix.net;

import dev.morgana.api.Console;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP over host sockets: listeners hand each connection to its handler on a virtual thread of its own,
 * carried by the connection's event loop where possible (see {@link Carriers}).
 */
final class NettyTcp implements Tcp {

    /**
     * Netty's outbound buffer per connection: writers park above the high mark. A flow's own queue of
     * writes for the loop parks them at the same mark, so a connection holds at most about twice it (see
     * {@link NettyFlow}).
     */
    static final WriteBufferWaterMark WRITE_WATER = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private static final int BACKLOG = 1024;

    /** How long closing a listener waits for its loop to select again (see {@link #awaitSelect}). */
    private static final Duration SELECT_BOUND = Duration.ofSeconds(5);

    private final NettyLoop loop;
    private final Console console;

    @Inject
    public NettyTcp(NettyLoop loop, Console console) {
        this.loop = loop;
        this.console = console;
    }

    @Override
    public Listener listen(Endpoint local, Options options, FlowHandler handler) throws NetworkException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop.group()).channel(loop.transport().server)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        configure(channel, options);
                        NettyFlow flow = new NettyFlow(channel, Sockets.endpoint(channel.remoteAddress()), loop, options);
                        channel.pipeline().addLast(flow.handler());
                        loop.handlerThreads(channel.eventLoop()).name("tcp " + flow.remote())
                                .start(() -> serve(flow, handler));
                    }
                });
        Channel server = await(bootstrap.bind(Sockets.address(local)), "listen on " + local);
        Endpoint bound = Sockets.endpoint(server.localAddress());
        return new Listener() {
            @Override
            public Endpoint local() {
                return bound;
            }

            @Override
            public void close() {
                server.close().awaitUninterruptibly();
                if (loop.transport() == Transport.NIO) {
                    awaitSelect(server.eventLoop());
                }
            }
        };
    }

    /**
     * Waits until {@code loop} has selected once more. The JDK closes the socket of a channel registered
     * with a selector only when that selector next selects, which is after Netty's close has returned; until
     * then a closed listener's port still completes handshakes, and then resets them, where it must refuse
     * them. A task the loop schedules for itself runs only after its next select: Netty takes due scheduled
     * tasks into a round's batch before running it, never during.
     */
    private static void awaitSelect(EventLoop loop) {
        try {
            Future<ScheduledFuture<?>> scheduled = loop.submit(() -> loop.schedule(() -> { }, 0, TimeUnit.MILLISECONDS));
            if (scheduled.awaitUninterruptibly(SELECT_BOUND.toMillis()) && scheduled.isSuccess()) {
                scheduled.getNow().awaitUninterruptibly(SELECT_BOUND.toMillis());
            }
        } catch (RejectedExecutionException stopped) {
            // The loop has stopped, and closed every socket it had.
        }
    }

    private void serve(NettyFlow flow, FlowHandler handler) {
        try (flow) {
            handler.handle(flow);
        } catch (Exception e) {
            console.log("tcp: the handler for " + flow.remote() + " failed: " + e);
        }
    }

    @Override
    public Flow connect(Endpoint remote, Options options) throws NetworkException {
        AtomicReference<NettyFlow> flow = new AtomicReference<>();
        Bootstrap bootstrap = new Bootstrap().group(loop.group()).channel(loop.transport().client)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // The flow's handler is in place before the connection exists, so a peer that
                        // speaks (and closes) first loses nothing.
                        configure(channel, options);
                        NettyFlow created = new NettyFlow(channel, remote, loop, options);
                        channel.pipeline().addLast(created.handler());
                        flow.set(created);
                    }
                });
        await(bootstrap.connect(Sockets.address(remote)), "connect to " + remote);
        return flow.get();
    }

    private void configure(SocketChannel channel, Options options) {
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setWriteBufferWaterMark(WRITE_WATER);
        channel.config().setTcpNoDelay(options.noDelay());
        if (options.keepAlive().isPresent()) {
            channel.config().setKeepAlive(true);
            int idle = (int) Math.max(1, options.keepAlive().get().toSeconds());
            if (loop.transport() == Transport.EPOLL) {
                channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, idle);
                channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, idle / 3));
            } else {
                channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle);
                channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), Math.max(1, idle / 3));
            }
        }
        // The flow's handler is in the pipeline before the channel is active, so reading may start at once.
    }

    private static Channel await(ChannelFuture future, String what) throws NetworkException {
        try {
            future.await();
        } catch (InterruptedException e) {
            future.cancel(false);
            future.channel().close();
            Thread.currentThread().interrupt();
            throw new NetworkException(Reason.INTERRUPTED, what + " was interrupted");
        }
        if (!future.isSuccess()) {
            future.channel().close();
            throw Sockets.error(what, future.cause());
        }
        return future.channel();
    }
}

package dev.morgana.unix.net;

import dev.morgana.api.Console;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Udp;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * UDP over host sockets: one bound channel per local port. Handlers run on Netty's event loop with the
 * datagram's payload as a read-only segment over Netty's buffer, valid during the call only.
 *
 * <p>Sending is asynchronous, as the host's UDP is, and never waits, so handlers may answer from the
 * event loop: a datagram that cannot be sent (its source port cannot be bound, the host refuses it) is
 * reported on the console, not to the caller. A source port that nobody listens on gets a channel that
 * only sends; listening on that port later takes it over.
 *
 * <p>Channels are bound to every local address, so the destination a handler is given is
 * {@code 0.0.0.0} and the port; the host does not say which of its addresses a datagram was sent to.
 */
final class NettyUdp implements Udp {

    /** The largest UDP payload over IPv4: 65535 less the IPv4 and UDP headers. */
    static final int MAX_PAYLOAD = 65_507;

    private final NettyLoop loop;
    private final Console console;
    private final Map<Integer, Channel> listening = new ConcurrentHashMap<>();
    private final Map<Integer, ChannelFuture> sending = new ConcurrentHashMap<>();

    @Inject
    public NettyUdp(NettyLoop loop, Console console) {
        this.loop = loop;
        this.console = console;
    }

    @Override
    public void listen(int port, DatagramHandler handler) throws NetworkException {
        if (port < 1 || port > Endpoint.MAX_PORT) {
            throw new IllegalArgumentException("listen on a port 1–65535, got " + port);
        }
        if (loop.inEventLoop()) {
            throw new IllegalStateException("listen waits for the bind: call it from an application thread, not a handler");
        }
        if (listening.containsKey(port)) {
            throw new NetworkException(Reason.ADDRESS_IN_USE, "UDP port " + port + " is already listened on");
        }
        // A port we only sent from so far is ours to listen on: its sending channel gives way.
        ChannelFuture sender = sending.remove(port);
        if (sender != null) {
            awaitPortReleased(sender.channel().close());
        }
        Channel channel = bind(port, new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext context, DatagramPacket packet) {
                ByteBuf content = packet.content();
                MemorySegment payload = MemorySegment.ofBuffer(
                        content.nioBuffer(content.readerIndex(), content.readableBytes())).asReadOnly();
                handler.datagram(Sockets.endpoint(packet.sender()), Sockets.endpoint(packet.recipient()), payload);
            }
        });
        if (listening.putIfAbsent(port, channel) != null) {
            channel.close();
            throw new NetworkException(Reason.ADDRESS_IN_USE, "UDP port " + port + " is already listened on");
        }
    }

    @Override
    public void unlisten(int port) {
        Channel channel = listening.remove(port);
        if (channel != null) {
            ChannelFuture closed = channel.close();
            if (!loop.inEventLoop()) {
                awaitPortReleased(closed); // so that the port is free when this returns
            }
        }
    }

    @Override
    public void write(int sourcePort, Endpoint destination, MemorySegment payload) throws NetworkException {
        if (payload.byteSize() > MAX_PAYLOAD) {
            throw new NetworkException(Reason.MESSAGE_TOO_LARGE,
                    "a UDP payload is at most " + MAX_PAYLOAD + " bytes, got " + payload.byteSize());
        }
        Channel listener = listening.get(sourcePort);
        ChannelFuture bound = listener != null ? listener.newSucceededFuture() : sender(sourcePort);
        int size = (int) payload.byteSize();
        ByteBuf buffer = bound.channel().alloc().directBuffer(size);
        try {
            MemorySegment.copy(payload, 0, MemorySegment.ofBuffer(buffer.nioBuffer(0, size)), 0, size);
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
        buffer.writerIndex(size);
        DatagramPacket datagram = new DatagramPacket(buffer, Sockets.address(destination));
        // Never waits: handlers call this on the event loop, where a sending channel may still be binding.
        bound.addListener(ready -> {
            if (!ready.isSuccess()) {
                datagram.release();
                console.log("udp: a datagram to " + destination + " was not sent: port " + sourcePort
                        + " could not be bound: " + ready.cause());
                return;
            }
            bound.channel().writeAndFlush(datagram).addListener(sent -> {
                if (!sent.isSuccess()) {
                    console.log("udp: a datagram to " + destination + " was not sent: " + sent.cause());
                }
            });
        });
    }

    /** The channel that only sends from {@code port} (0: one ephemeral port for all such writes), bound once. */
    private ChannelFuture sender(int port) {
        return sending.computeIfAbsent(port, unbound -> bootstrap(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext context, DatagramPacket packet) {
                // A sending port delivers nothing: answers to it have no listener.
            }
        }).bind(Sockets.address(new Endpoint(Ipv4Address.ANY, port))));
    }

    /**
     * Waits until a closed channel's port can be bound again. On NIO the JDK closes the socket of a
     * channel registered with a selector only once the channel's key, cancelled by a task Netty queues on
     * closing, meets the selector's next select. The loop takes due scheduled tasks at the start of a batch
     * of tasks, after selecting: by the time a first one has run the key is cancelled, and a second one
     * runs after one more select.
     */
    private void awaitPortReleased(ChannelFuture closed) {
        closed.awaitUninterruptibly();
        if (loop.transport() != Transport.NIO) {
            return; // epoll closes the socket with the channel
        }
        for (int select = 0; select < 2; select++) {
            closed.channel().eventLoop().schedule(() -> { }, 1, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    private Bootstrap bootstrap(SimpleChannelInboundHandler<DatagramPacket> handler) {
        return new Bootstrap().group(loop.group()).channel(loop.transport().datagram).handler(handler);
    }

    private Channel bind(int port, SimpleChannelInboundHandler<DatagramPacket> handler) throws NetworkException {
        ChannelFuture bound = bootstrap(handler).bind(Sockets.address(new Endpoint(Ipv4Address.ANY, port)));
        try {
            bound.await();
        } catch (InterruptedException e) {
            bound.channel().close();
            Thread.currentThread().interrupt();
            throw new NetworkException(Reason.INTERRUPTED, "binding UDP port " + port + " was interrupted");
        }
        if (!bound.isSuccess()) {
            throw Sockets.error("bind UDP port " + port, bound.cause());
        }
        return bound.channel();
    }
}

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

/**
 * UDP over host sockets: one bound channel per local port. Handlers run on Netty's event loop with the
 * datagram's payload as a read-only segment over Netty's buffer, valid during the call only.
 *
 * <p>Sending is asynchronous, as the host's UDP is: a datagram that the host refuses later (an ICMP
 * error) is reported on the console, not to the caller.
 */
final class NettyUdp implements Udp {

    /** The largest UDP payload over IPv4: 65535 less the IPv4 and UDP headers. */
    static final int MAX_PAYLOAD = 65_507;

    private final NettyLoop loop;
    private final Console console;
    private final Map<Integer, Channel> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Channel> sending = new ConcurrentHashMap<>();

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
        if (listening.containsKey(port)) {
            throw new NetworkException(Reason.ADDRESS_IN_USE, "UDP port " + port + " is already listened on");
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
            channel.close().awaitUninterruptibly();
        }
    }

    @Override
    public void write(int sourcePort, Endpoint destination, MemorySegment payload) throws NetworkException {
        if (payload.byteSize() > MAX_PAYLOAD) {
            throw new NetworkException(Reason.MESSAGE_TOO_LARGE,
                    "a UDP payload is at most " + MAX_PAYLOAD + " bytes, got " + payload.byteSize());
        }
        Channel channel = listening.get(sourcePort);
        if (channel == null) {
            channel = sender(sourcePort);
        }
        ByteBuf buffer = channel.alloc().directBuffer((int) payload.byteSize());
        buffer.writeBytes(payload.asByteBuffer());
        channel.writeAndFlush(new DatagramPacket(buffer, Sockets.address(destination))).addListener(sent -> {
            if (!sent.isSuccess()) {
                console.log("udp: a datagram to " + destination + " was not sent: " + sent.cause());
            }
        });
    }

    /** A channel that only sends, bound to {@code port} (0: an ephemeral port, shared by all such writes). */
    private Channel sender(int port) throws NetworkException {
        Channel existing = sending.get(port);
        if (existing != null) {
            return existing;
        }
        synchronized (sending) {
            existing = sending.get(port);
            if (existing == null) {
                existing = bind(port, new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext context, DatagramPacket packet) {
                        // A sending port delivers nothing: answers to it have no listener.
                    }
                });
                sending.put(port, existing);
            }
            return existing;
        }
    }

    private Channel bind(int port, SimpleChannelInboundHandler<DatagramPacket> handler) throws NetworkException {
        ChannelFuture bound = new Bootstrap().group(loop.group()).channel(loop.transport().datagram).handler(handler)
                .bind(Sockets.address(new Endpoint(Ipv4Address.ANY, port)));
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

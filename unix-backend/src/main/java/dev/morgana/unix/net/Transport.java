package dev.morgana.unix.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which of Netty's transports runs: native epoll where its library loads (with {@link StaleEpoll} working
 * around a bug of Netty 4.2.18's), NIO everywhere else or when {@code -Dmorgana.unix.transport=nio} asks.
 */
enum Transport {

    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);

    final Class<? extends ServerSocketChannel> server;
    final Class<? extends SocketChannel> client;
    final Class<? extends DatagramChannel> datagram;

    Transport(Class<? extends ServerSocketChannel> server, Class<? extends SocketChannel> client,
            Class<? extends DatagramChannel> datagram) {
        this.server = server;
        this.client = client;
        this.datagram = datagram;
    }

    IoHandlerFactory ioHandlers() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The best transport on this machine, unless {@code -Dmorgana.unix.transport=nio} asks for NIO. */
    static Transport best() {
        if ("nio".equals(System.getProperty("morgana.unix.transport"))) {
            return NIO;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    static String whyNotEpoll() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "-Dmorgana.unix.transport=nio" : cause.toString();
    }
}

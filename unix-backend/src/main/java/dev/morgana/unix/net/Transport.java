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
 * Which of Netty's transports runs. NIO, unless {@code -Dmorgana.unix.transport=epoll} asks for native
 * epoll (where its library loads): Netty 4.2.18's epoll, the newest Netty served to us, takes a half-closed
 * connection out of its epoll set once it has nothing to wait for, yet keeps believing it is in; the next
 * write that has to wait for the socket to drain then fails ({@code epoll_ctl} ENOENT) and shuts the
 * output, losing data. {@code UnixTcpTest} catches it within a few runs (netty/netty#16689 brought the
 * deletion; the state it leaves behind is the bug).
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

    /** NIO, or epoll where {@code -Dmorgana.unix.transport=epoll} asks for it and it loads. */
    static Transport chosen() {
        return "epoll".equals(System.getProperty("morgana.unix.transport")) && Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why {@link #chosen()} is NIO. */
    static String whyNotEpoll() {
        if (!"epoll".equals(System.getProperty("morgana.unix.transport"))) {
            return "Netty 4.2.18's epoll loses writes on half-closed connections; -Dmorgana.unix.transport=epoll to"
                    + " use it anyway";
        }
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "unknown" : cause.toString();
    }
}

package dev.morgana.unix.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * A way around a bug of Netty 4.2.18's epoll transport, the newest Netty served to us.
 *
 * <p>When a channel's interest set becomes empty, Netty deletes its socket from the epoll set but goes on
 * believing it registered, so the next change of interest fails with {@code epoll_ctl} ENOENT: a write
 * that has to wait for the socket to drain shuts the output and loses data; asking to read again fails the
 * same way. Only a channel whose peer has sent its FIN gets there (until then, Netty keeps an interest in
 * the peer hanging up): one that has read to end of stream, or one whose reading was paused when the FIN
 * came. Such a channel is renewed, deregistered and registered again, before each burst of writes and
 * before reading resumes; a fresh registration adds the socket back with whatever interest is current.
 * {@code UnixTcpTest} lost data in 4 runs of 6 without this.
 */
final class StaleEpoll {

    // Linux TCP states (include/net/tcp_states.h) in which the peer's FIN has arrived.
    private static final int TCP_TIME_WAIT = 6;
    private static final int TCP_CLOSE = 7;
    private static final int TCP_CLOSE_WAIT = 8;
    private static final int TCP_LAST_ACK = 9;
    private static final int TCP_CLOSING = 11;

    private StaleEpoll() {}

    /**
     * Whether the channel's registration may be stale, on its event loop: an epoll channel that saw end of
     * stream, or whose reading is paused and whose peer's FIN has arrived.
     */
    static boolean mayBe(Channel channel, boolean endOfStream) {
        if (!(channel instanceof EpollSocketChannel epoll)) {
            return false;
        }
        return endOfStream || (!channel.config().isAutoRead() && finArrived(epoll));
    }

    /** Whether the peer's FIN has reached the socket of an open epoll channel (one system call). */
    static boolean finArrived(Channel channel) {
        return channel instanceof EpollSocketChannel epoll && finArrived(epoll);
    }

    private static boolean finArrived(EpollSocketChannel channel) {
        if (!channel.isOpen()) {
            return false; // its descriptor may be another socket's by now
        }
        try {
            return switch (channel.tcpInfo().state()) {
                case TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_CLOSING, TCP_TIME_WAIT, TCP_CLOSE -> true;
                default -> false;
            };
        } catch (ChannelException closedMeanwhile) {
            return false;
        }
    }

    /**
     * Deregisters the channel and registers it again on its loop, then runs {@code then} there. Netty
     * forgets the channel's interest on deregistering, including a wait to write: the flush after
     * registering writes what was waiting and waits again if it must.
     */
    static void renew(Channel channel, Runnable then) {
        if (!channel.isOpen()) {
            then.run();
            return;
        }
        EventLoop loop = channel.eventLoop();
        channel.deregister().addListener(deregistered -> loop.register(channel).addListener(registered -> {
            channel.flush();
            then.run();
        }));
    }
}

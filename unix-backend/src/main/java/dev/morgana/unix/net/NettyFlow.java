package dev.morgana.unix.net;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP connection on a Netty channel, as a blocking {@link Flow} for virtual threads.
 *
 * <p>Reading: the event loop queues received buffers and signals; a reader copies out of them. Once
 * {@link #READ_HIGH_WATER} bytes wait unread, the loop turns auto-read off after the batch (TCP's own
 * window then slows the peer) until the reader brings them under {@link #READ_LOW_WATER} and turns it
 * back on, from the loop. (Reading on demand instead, auto-read off throughout, costs two {@code
 * epoll_ctl} calls per batch on the epoll transport.)
 *
 * <p>Writing: each write is copied into a pooled buffer and queued for the event loop, which takes a
 * burst of queued writes in one task and flushes them once. While that queue or Netty's outbound buffer
 * is above the high-water mark (see {@link NettyTcp}) the writer parks, so a peer that does not read
 * costs a bounded amount of memory: at most twice the mark and one {@link #WRITE_CHUNK}.
 *
 * <p>Closing is graceful: queued writes reach the socket, a FIN follows, and input is drained until the
 * peer's FIN, so that Linux never answers unread input with a reset that would destroy what we sent; all
 * of it within {@link #CLOSE_LINGER}. After a write timed out, though, closing drops what is still
 * queued and closes at once: the peer is not reading.
 */
final class NettyFlow implements Flow {

    static final int READ_HIGH_WATER = 256 * 1024;
    static final int READ_LOW_WATER = 64 * 1024;
    static final int WRITE_CHUNK = 64 * 1024;
    static final Duration CLOSE_LINGER = Duration.ofSeconds(30);

    private final Channel channel;
    private final NettyLoop loop;
    private final Endpoint remote;
    private final Optional<Duration> readTimeout;
    private final Optional<Duration> writeTimeout;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    // Guarded by lock:
    private final ArrayDeque<ByteBuf> received = new ArrayDeque<>();
    private long unread;
    private boolean endOfStream;
    private boolean inputShut;
    private boolean outputShut;
    private boolean closed;
    private boolean paused;
    private NetworkException failure;
    private final ArrayDeque<Outbound> outbound = new ArrayDeque<>();
    /** The reader's: buffers it emptied, released after unlocking (one reader at a time, as Flow says). */
    private final List<ByteBuf> exhausted = new ArrayList<>();
    private long queued;
    private boolean flushing;
    /** Whether a write timed out: the peer stopped taking data, so closing does not wait for it to. */
    private boolean stalled;
    private ChannelFuture lastWrite;

    /** A write on its way to the event loop. */
    private record Outbound(ByteBuf buffer, ChannelPromise written) {}

    /**
     * Creates the flow of {@code channel}; its {@link #handler()} must join the pipeline before the channel
     * becomes active (in the channel's initializer), so that no byte reaches the pipeline before it.
     */
    NettyFlow(Channel channel, Endpoint remote, NettyLoop loop, Tcp.Options options) {
        this.channel = channel;
        this.loop = loop;
        this.remote = remote;
        this.readTimeout = options.readTimeout();
        this.writeTimeout = options.writeTimeout();
        this.lastWrite = channel.newSucceededFuture();
        // Gone without a FIN first (stopped locally, or reset): readers must not take that for -1. From the
        // close future rather than channelInactive, which a renewal racing the close (StaleEpoll) can lose.
        channel.closeFuture().addListener(closedNow -> {
            failed(new NetworkException(Reason.CLOSED, "connection to " + remote + " closed before end of stream"));
            signalWritable();
        });
    }

    /** The handler that feeds this flow; added to the channel's pipeline. */
    ChannelInboundHandlerAdapter handler() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                received((ByteBuf) message);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext context) {
                if (shouldPause()) {
                    context.channel().config().setAutoRead(false);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext context, Object event) {
                if (event instanceof ChannelInputShutdownEvent) {
                    ended();
                }
                context.fireUserEventTriggered(event);
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext context) {
                signalWritable();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                failed(Sockets.error("connection to " + remote + " failed", cause));
                context.close();
            }
        };
    }

    @Override
    public Endpoint remote() {
        return remote;
    }

    @Override
    public int read(MemorySegment buffer) throws NetworkException {
        if (buffer.byteSize() == 0) {
            throw new IllegalArgumentException("read into an empty buffer");
        }
        lock.lock();
        try {
            long deadline = deadline(readTimeout);
            while (received.isEmpty()) {
                if (closed) {
                    throw new NetworkException(Reason.CLOSED, "flow to " + remote + " is closed");
                }
                if (failure != null) {
                    throw failure;
                }
                if (endOfStream || inputShut) {
                    return -1;
                }
                deadline = await(readable, deadline, readTimeout, "read");
            }
            int copied = 0;
            while (copied < buffer.byteSize() && !received.isEmpty()) {
                ByteBuf head = received.peekFirst();
                int n = (int) Math.min(head.readableBytes(), buffer.byteSize() - copied);
                MemorySegment.copy(MemorySegment.ofBuffer(head.nioBuffer(head.readerIndex(), n)), 0, buffer, copied, n);
                head.skipBytes(n);
                copied += n;
                if (!head.isReadable()) {
                    exhausted.add(received.pollFirst());
                }
            }
            unread -= copied;
            if (paused && unread < READ_LOW_WATER) {
                paused = false;
                resumeReading();
            }
            return copied;
        } finally {
            lock.unlock();
            releaseAll(exhausted);
            exhausted.clear();
        }
    }

    @Override
    public void write(MemorySegment data) throws NetworkException {
        if (data.byteSize() == 0) {
            checkWritable();
            return;
        }
        for (long offset = 0; offset < data.byteSize(); offset += WRITE_CHUNK) {
            int size = (int) Math.min(WRITE_CHUNK, data.byteSize() - offset);
            awaitWritable();
            ByteBuf buffer = channel.alloc().directBuffer(size);
            copy(data, offset, buffer, size);
            enqueue(buffer);
        }
    }

    /** Small gathering writes (a response's head and body, say) travel as one buffer. */
    @Override
    public void write(List<MemorySegment> data) throws NetworkException {
        long total = 0;
        for (MemorySegment segment : data) {
            total += segment.byteSize();
        }
        if (total > WRITE_CHUNK) {
            Flow.super.write(data);
            return;
        }
        if (total == 0) {
            checkWritable();
            return;
        }
        awaitWritable();
        ByteBuf buffer = channel.alloc().directBuffer((int) total);
        for (MemorySegment segment : data) {
            copy(segment, 0, buffer, (int) segment.byteSize());
        }
        enqueue(buffer);
    }

    /** Appends {@code size} bytes of {@code data} from {@code offset} to {@code buffer}. */
    private static void copy(MemorySegment data, long offset, ByteBuf buffer, int size) {
        try {
            MemorySegment.copy(data, offset, MemorySegment.ofBuffer(buffer.nioBuffer(buffer.writerIndex(), size)), 0, size);
        } catch (RuntimeException e) {
            buffer.release(); // a closed arena, a segment of another thread: the caller's error, not a leak
            throw e;
        }
        buffer.writerIndex(buffer.writerIndex() + size);
    }

    private void enqueue(ByteBuf buffer) throws NetworkException {
        ChannelPromise written = channel.newPromise();
        written.addListener(future -> {
            if (!future.isSuccess()) {
                failed(Sockets.error("write to " + remote + " failed", future.cause()));
            }
        });
        boolean accepted;
        boolean schedule = false;
        lock.lock();
        try {
            // Shut by another thread since awaitWritable? Then the FIN may be out already.
            accepted = !closed && !outputShut;
            if (accepted) {
                outbound.addLast(new Outbound(buffer, written));
                queued += buffer.readableBytes();
                lastWrite = written;
                schedule = !flushing;
                flushing = true;
            }
        } finally {
            lock.unlock();
        }
        if (!accepted) {
            buffer.release();
            throw new NetworkException(Reason.CLOSED, "flow to " + remote + " is closed for writing");
        }
        if (schedule) {
            scheduleFlush();
        }
    }

    /** Hands the queued writes to the loop, once per burst of writes; the loop writes them with one flush. */
    private void scheduleFlush() throws NetworkException {
        try {
            channel.eventLoop().execute(this::flush);
        } catch (RejectedExecutionException stopped) {
            List<Outbound> dropped;
            lock.lock();
            try {
                dropped = new ArrayList<>(outbound);
                outbound.clear();
                queued = 0;
                flushing = false;
            } finally {
                lock.unlock();
            }
            for (Outbound write : dropped) {
                write.buffer().release();
                write.written().tryFailure(stopped);
            }
            throw new NetworkException(Reason.CLOSED, "the unix stack has stopped; flow to " + remote + " is gone");
        }
    }

    /** For a write of nothing, which sends nothing but fails as any write would. */
    private void checkWritable() throws NetworkException {
        lock.lock();
        try {
            throwIfNotWritable();
        } finally {
            lock.unlock();
        }
    }

    private void awaitWritable() throws NetworkException {
        lock.lock();
        try {
            long deadline = deadline(writeTimeout);
            while (true) {
                throwIfNotWritable();
                if (channel.isWritable() && queued < NettyTcp.WRITE_WATER.high()) {
                    return;
                }
                try {
                    deadline = await(writable, deadline, writeTimeout, "write");
                } catch (NetworkException e) {
                    stalled = e.reason() == Reason.TIMED_OUT;
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws NetworkException {
        ChannelFuture after;
        lock.lock();
        try {
            // Closed first, as every other operation does: the failure that closing records once the channel
            // is gone must not make the answer depend on how far closing has got.
            if (closed) {
                throw new NetworkException(Reason.CLOSED, "flow to " + remote + " is closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (outputShut) {
                return;
            }
            outputShut = true;
            after = lastWrite;
        } finally {
            lock.unlock();
        }
        // Netty fails writes still queued when the output shuts, so the FIN follows the last write.
        after.addListener(written -> ((DuplexChannel) channel).shutdownOutput());
    }

    @Override
    public void shutdownInput() {
        List<ByteBuf> discarded;
        lock.lock();
        try {
            inputShut = true;
            discarded = discardReceived();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        releaseAll(discarded);
    }

    @Override
    public void close() {
        ChannelFuture after;
        List<ByteBuf> discarded;
        boolean abandon;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            discarded = discardReceived();
            readable.signalAll();
            writable.signalAll();
            after = lastWrite;
            abandon = stalled;
        } finally {
            lock.unlock();
        }
        releaseAll(discarded);
        loop.closing(channel);
        if (abandon) {
            // A write timed out: the peer does not read, and waiting for it to take what is still queued
            // would hold the connection for up to CLOSE_LINGER. What the kernel holds still goes out.
            channel.close();
            return;
        }
        // Closing a socket with unread input makes Linux send RST and drop what we still had to send. So:
        // FIN after the last write, keep reading (and discarding) until the peer's FIN, then close; and
        // close anyway after CLOSE_LINGER.
        ScheduledFuture<?> linger = channel.eventLoop().schedule(() -> channel.close(), CLOSE_LINGER.toMillis(),
                TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closedNow -> linger.cancel(false));
        after.addListener(written -> {
            if (!written.isSuccess() || endOfStreamSeen()) {
                channel.close();
                return;
            }
            ((DuplexChannel) channel).shutdownOutput();
        });
    }

    private boolean endOfStreamSeen() {
        lock.lock();
        try {
            return endOfStream;
        } finally {
            lock.unlock();
        }
    }

    // Event-loop side.

    /** Writes what the flow's writers queued, in order, then flushes once. */
    private void flush() {
        if (channel.isOpen() && StaleEpoll.mayBe(channel, endOfStreamSeen())) {
            StaleEpoll.renew(channel, this::flushQueued);
        } else {
            flushQueued();
        }
    }

    private void flushQueued() {
        while (true) {
            Outbound next;
            lock.lock();
            try {
                next = outbound.pollFirst();
                if (next == null) {
                    flushing = false;
                    writable.signalAll();
                    break;
                }
                queued -= next.buffer().readableBytes();
            } finally {
                lock.unlock();
            }
            channel.write(next.buffer(), next.written());
        }
        channel.flush();
    }

    private void received(ByteBuf buffer) {
        lock.lock();
        try {
            if (!inputShut && !closed) {
                received.addLast(buffer);
                unread += buffer.readableBytes();
                readable.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        buffer.release(); // nobody will read it
    }

    /** On the event loop, after a batch: whether to stop reading until the reader catches up. */
    private boolean shouldPause() {
        lock.lock();
        try {
            if (!paused && unread >= READ_HIGH_WATER) {
                paused = true;
            }
            return paused;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Turns reading back on, from the event loop, and only before end of stream (there is nothing left to
     * read then); on epoll, through a fresh registration once the peer's FIN has arrived (see
     * {@link StaleEpoll}).
     */
    private void resumeReading() {
        channel.eventLoop().execute(() -> {
            if (endOfStreamSeen()) {
                return;
            }
            if (StaleEpoll.finArrived(channel)) {
                StaleEpoll.renew(channel, () -> channel.config().setAutoRead(true));
            } else {
                channel.config().setAutoRead(true);
            }
        });
    }

    private void ended() {
        boolean closing;
        ChannelFuture after;
        lock.lock();
        try {
            endOfStream = true;
            closing = closed;
            after = lastWrite;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        // The drain after close() is over: the peer has sent everything. Closing now would drop what still
        // waits in Netty's outbound buffer and FIN early; while the last write is pending, the listener close()
        // put on it closes once it is written (it sees the end of stream). Both run on the event loop.
        if (closing && after.isDone()) {
            channel.close();
        }
    }

    private void signalWritable() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failed(NetworkException error) {
        lock.lock();
        try {
            if (failure == null) {
                failure = error;
            }
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // Helpers, called with the lock held. Nothing that may park runs under the lock: with the handler's
    // virtual thread carried by the event loop, a thread parked holding it could wait for the loop while
    // the loop waits for the lock. Buffers, whose release may take the allocator's locks, are released
    // after unlocking.

    /** Empties the receive queue; returns its buffers, for the caller to release after unlocking. */
    private List<ByteBuf> discardReceived() {
        List<ByteBuf> discarded = new ArrayList<>(received);
        received.clear();
        unread = 0;
        if (paused) {
            // Keep draining the socket, so that a peer still sending is not stalled forever.
            paused = false;
            resumeReading();
        }
        return discarded;
    }

    /** Throws why nothing more may be written, if anything. */
    private void throwIfNotWritable() throws NetworkException {
        if (closed || outputShut) {
            throw new NetworkException(Reason.CLOSED, "flow to " + remote + " is closed for writing");
        }
        if (failure != null) {
            throw failure;
        }
        if (!channel.isActive()) {
            throw new NetworkException(Reason.CONNECTION_RESET, "connection to " + remote + " is gone");
        }
    }

    private static void releaseAll(List<ByteBuf> buffers) {
        for (ByteBuf buffer : buffers) {
            buffer.release();
        }
    }

    private static long deadline(Optional<Duration> timeout) {
        return timeout.map(duration -> System.nanoTime() + duration.toNanos()).orElse(Long.MAX_VALUE);
    }

    /** Waits for a signal; returns the deadline, or throws when it passed or the thread was interrupted. */
    private long await(Condition condition, long deadline, Optional<Duration> timeout, String what)
            throws NetworkException {
        try {
            if (deadline == Long.MAX_VALUE) {
                condition.await();
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NetworkException(Reason.TIMED_OUT,
                            what + " from " + remote + " timed out after " + timeout.orElseThrow());
                }
                condition.awaitNanos(left);
            }
            return deadline;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException(Reason.INTERRUPTED, what + " on the flow to " + remote + " was interrupted");
        }
    }
}

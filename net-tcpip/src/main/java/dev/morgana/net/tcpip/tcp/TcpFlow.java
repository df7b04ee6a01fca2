package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection of {@link TcpLayer} as the blocking {@link Flow} applications use: each call takes the layer's
 * lock, drives the connection's core, and parks on the connection's condition while there is nothing to read
 * or no room to write. Timeouts run on the stack's clock.
 */
final class TcpFlow implements Flow {

    private final TcpLayer layer;
    private final TcpLayer.Connection c;

    TcpFlow(TcpLayer layer, TcpLayer.Connection connection) {
        this.layer = layer;
        this.c = connection;
    }

    /** The connection under this flow, for tests that look at its core. */
    TcpLayer.Connection connection() {
        return c;
    }

    @Override
    public Endpoint remote() {
        return c.remote;
    }

    @Override
    public int read(MemorySegment buffer) throws NetworkException {
        if (buffer.byteSize() == 0) {
            throw new IllegalArgumentException("read into an empty buffer");
        }
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            long deadline = layer.deadline(c.options.readTimeout());
            while (true) {
                if (c.closed) {
                    throw new NetworkException(Reason.CLOSED, "the flow to " + c.remote + " is closed");
                }
                if (c.inputShut) {
                    return -1;
                }
                if (c.core.readable() > 0) {
                    int n = c.core.read(layer.now(), buffer);
                    layer.changed(c);
                    return n;
                }
                if (c.core.endOfStream()) {
                    return -1;
                }
                if (c.core.failure().isPresent()) {
                    throw TcpLayer.failure(c, "read from " + c.remote);
                }
                if (c.core.state() == TcpConnection.State.CLOSED) {
                    return -1;
                }
                if (!c.await(deadline)) {
                    throw new NetworkException(Reason.TIMED_OUT, "nothing to read from " + c.remote + " within "
                            + c.options.readTimeout().orElseThrow());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException(Reason.INTERRUPTED, "interrupted while reading from " + c.remote);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(MemorySegment data) throws NetworkException {
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            write(data, false);
        } finally {
            lock.unlock();
        }
    }

    /** The pieces leave together, in full segments: a response's head and body, say, as one. */
    @Override
    public void write(List<MemorySegment> data) throws NetworkException {
        if (data.isEmpty()) {
            write(MemorySegment.NULL); // nothing to send, but a closed flow still says so
            return;
        }
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            for (int i = 0; i < data.size(); i++) {
                write(data.get(i), i < data.size() - 1);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code data}, waiting for room as often as needed. With {@code more}, its last bytes wait in the send
     * buffer for the next write; what fills the buffer is sent at once. Called with the lock held.
     */
    private void write(MemorySegment data, boolean more) throws NetworkException {
        long size = data.byteSize();
        try {
            long deadline = layer.deadline(c.options.writeTimeout());
            long offset = 0;
            do { // at least once: writing nothing after close or shutdownOutput fails too
                if (c.closed || c.outputShut) {
                    throw new NetworkException(Reason.CLOSED, "output to " + c.remote + " is shut down");
                }
                if (c.core.failure().isPresent()) {
                    throw TcpLayer.failure(c, "write to " + c.remote);
                }
                if (c.core.state() == TcpConnection.State.CLOSED) {
                    throw new NetworkException(Reason.CLOSED, "the connection to " + c.remote + " is over");
                }
                int room = c.core.writable();
                if (room > 0 || offset == size) {
                    long chunk = Math.min(room, size - offset);
                    offset += c.core.write(layer.now(), data.asSlice(offset, chunk), more && offset + chunk == size);
                    layer.changed(c);
                    deadline = layer.deadline(c.options.writeTimeout()); // the timeout bounds each wait for room
                } else if (offset < size && !c.await(deadline)) {
                    throw new NetworkException(Reason.TIMED_OUT, "no room to write to " + c.remote + " within "
                            + c.options.writeTimeout().orElseThrow());
                }
            } while (offset < size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException(Reason.INTERRUPTED, "interrupted while writing to " + c.remote);
        }
    }

    @Override
    public void shutdownOutput() throws NetworkException {
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            if (c.core.failure().isPresent()) {
                throw TcpLayer.failure(c, "shut down output to " + c.remote);
            }
            if (c.closed) {
                throw new NetworkException(Reason.CLOSED, "the flow to " + c.remote + " is closed");
            }
            if (!c.outputShut) {
                c.outputShut = true;
                c.core.shutdownOutput(layer.now());
                layer.changed(c);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownInput() {
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            c.inputShut = true;
            layer.changed(c); // discards what is buffered, and wakes a reader
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes gracefully: a FIN after the data written, and whatever arrives afterwards discarded. The
     * connection finishes closing in the layer (FIN-WAIT, TIME-WAIT) after this returns.
     */
    @Override
    public void close() {
        ReentrantLock lock = layer.lock();
        lock.lock();
        try {
            if (c.closed) {
                return;
            }
            c.closed = true;
            c.inputShut = true;
            if (!c.outputShut && c.core.state() != TcpConnection.State.CLOSED) {
                c.outputShut = true;
                c.core.shutdownOutput(layer.now());
            }
            layer.changed(c);
        } finally {
            lock.unlock();
        }
    }
}

package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * FLOW: a reliable, ordered, bidirectional byte stream (a TCP connection, or TLS over one).
 *
 * <p>Blocking: {@link #read} parks the calling thread until data, end of stream or an error arrives;
 * {@link #write} parks it until the data is accepted into a bounded send buffer (backpressure). Call them
 * from virtual threads. One thread may read while another writes; concurrent reads, or concurrent writes,
 * are not allowed.
 *
 * <p>Buffers are the caller's: a flow reads from or fills them during the call only and keeps no
 * reference afterwards.
 *
 * <p>Failures are {@link NetworkException}s: {@link NetworkException.Reason#CONNECTION_RESET} when the peer
 * aborted, {@link NetworkException.Reason#TIMED_OUT} when a configured read or write timeout passed,
 * {@link NetworkException.Reason#CLOSED} after {@link #close()}, {@link NetworkException.Reason#INTERRUPTED}
 * when the thread was interrupted while parked.
 */
public interface Flow extends AutoCloseable {

    /**
     * Returns the peer's endpoint.
     *
     * @return the remote address and port
     */
    Endpoint remote();

    /**
     * Reads at least one byte into {@code buffer}, blocking until some arrive.
     *
     * @param buffer where to put the bytes, from offset 0; must be writable and not empty
     * @return how many bytes were read, or -1 at end of stream (the peer shut down its side)
     * @throws NetworkException as described on the type
     * @throws IllegalArgumentException when {@code buffer} is empty
     */
    int read(MemorySegment buffer) throws NetworkException;

    /**
     * Writes all of {@code data}, blocking while the send buffer is full.
     *
     * @param data the bytes to send
     * @throws NetworkException as described on the type; after {@link #shutdownOutput()},
     *     {@link NetworkException.Reason#CLOSED}
     */
    void write(MemorySegment data) throws NetworkException;

    /**
     * Writes all of each segment, in order, as if concatenated (gathering write: a header and a body
     * without copying them together).
     *
     * @param data the segments to send
     * @throws NetworkException as {@link #write(MemorySegment)} does
     */
    default void write(List<MemorySegment> data) throws NetworkException {
        for (MemorySegment segment : data) {
            write(segment);
        }
    }

    /**
     * Shuts down the sending side: queued data is sent, then end of stream (a TCP FIN). Reading goes on.
     *
     * @throws NetworkException when the flow already failed
     */
    void shutdownOutput() throws NetworkException;

    /**
     * Shuts down the receiving side: later reads return -1 and data that arrives is discarded.
     */
    void shutdownInput();

    /**
     * Closes the flow gracefully (as {@link #shutdownOutput()}, then releasing everything once done) and
     * wakes any thread parked on it. Closing twice does nothing.
     */
    @Override
    void close();
}

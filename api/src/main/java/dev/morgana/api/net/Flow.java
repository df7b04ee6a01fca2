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
 * when the thread was interrupted while parked. A read that timed out or was interrupted took nothing from
 * the stream, and the flow goes on: a later read gets what arrives. A write that timed out or was
 * interrupted may have sent part of its data, so the peer's stream is cut short: close the flow then.
 *
 * <p>{@code dev.morgana.testing.net.TcpContract} checks all of this for every implementation.
 */
public interface Flow extends AutoCloseable {

    /**
     * Returns the peer's endpoint.
     *
     * @return the remote address and port
     */
    Endpoint remote();

    /**
     * Reads at least one byte into {@code buffer}, blocking until some arrive. It returns as soon as some
     * are there, without waiting to fill {@code buffer}.
     *
     * @param buffer where to put the bytes, from offset 0; must be writable and not empty
     * @return how many bytes were read, or -1 at end of stream (the peer shut down its side, or
     *     {@link #shutdownInput()} was called), and -1 again on every later read
     * @throws NetworkException as described on the type
     * @throws IllegalArgumentException when {@code buffer} is empty
     */
    int read(MemorySegment buffer) throws NetworkException;

    /**
     * Writes all of {@code data}, blocking while the send buffer is full. It returns once the data is in the
     * send buffer, not once the peer has it. Writing nothing sends nothing, but fails as any write would.
     *
     * @param data the bytes to send
     * @throws NetworkException as described on the type; after {@link #shutdownOutput()} or {@link #close()},
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
        if (data.isEmpty()) {
            write(MemorySegment.ofArray(new byte[0])); // nothing to send, but a closed flow still says so
        }
        for (MemorySegment segment : data) {
            write(segment);
        }
    }

    /**
     * Shuts down the sending side: queued data is sent, then end of stream (a TCP FIN). Reading goes on.
     * Shutting down twice does nothing.
     *
     * @throws NetworkException {@link NetworkException.Reason#CLOSED} after {@link #close()}; the failure,
     *     when the flow already failed
     */
    void shutdownOutput() throws NetworkException;

    /**
     * Shuts down the receiving side: later reads, and a read parked meanwhile, return -1; data still unread
     * or arriving later is discarded. The peer is not told: its writes go on. Writing goes on too.
     */
    void shutdownInput();

    /**
     * Closes the flow gracefully: as {@link #shutdownOutput()}, then releasing everything once done, in the
     * background: it does not wait for the peer. Wakes any thread parked on the flow, which then fails with
     * {@link NetworkException.Reason#CLOSED}, as every later read, write and {@link #shutdownOutput()} does.
     * Closing twice, or shutting down the input after, does nothing.
     */
    @Override
    void close();
}

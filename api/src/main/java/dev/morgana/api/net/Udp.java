package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * UDP (RFC 768): datagrams to and from ports.
 *
 * <p>Thread safety: {@link #write} may be called from any thread; handlers run on the stack's event-loop
 * thread (Netty's event loop on the {@code unix} target), one datagram at a time, and must not block —
 * hand long work to a virtual thread.
 */
public interface Udp {

    /**
     * Starts delivering datagrams that arrive on {@code port}.
     *
     * @param port the local port, 1–65535
     * @param handler called for each datagram
     * @throws NetworkException {@link NetworkException.Reason#ADDRESS_IN_USE} when the port is taken,
     *     {@link NetworkException.Reason#INTERRUPTED}
     * @throws IllegalStateException when called from a handler: listening may wait for the device
     * @throws IllegalArgumentException when {@code port} is outside 1–65535
     */
    void listen(int port, DatagramHandler handler) throws NetworkException;

    /**
     * Stops delivering datagrams for {@code port}; later datagrams to it are answered with an ICMP port
     * unreachable where the stack is ours. Unlistening a port that is not listened on does nothing.
     *
     * @param port the local port
     */
    void unlisten(int port);

    /**
     * Sends one datagram.
     *
     * @param sourcePort the local port, 0 for an ephemeral one
     * @param destination where to send it
     * @param payload the bytes to send; read only during this call
     * @throws NetworkException {@link NetworkException.Reason#MESSAGE_TOO_LARGE} when the payload exceeds
     *     65507 bytes, {@link NetworkException.Reason#UNREACHABLE} when there is no route, and as the lower
     *     layers do; a stack that sends asynchronously (host sockets) reports later failures in its log
     *     instead. Never blocks, so handlers may answer with it.
     */
    void write(int sourcePort, Endpoint destination, MemorySegment payload) throws NetworkException;

    /** Receives the datagrams of one port. */
    @FunctionalInterface
    interface DatagramHandler {

        /**
         * Handles one datagram. Must not block.
         *
         * @param source the sender
         * @param destination the local address and port it arrived on; where the stack listens on every
         *     address and cannot tell which one was used (host sockets), the address is
         *     {@link Ipv4Address#ANY}
         * @param payload the datagram's payload; read-only and valid only during this call
         */
        void datagram(Endpoint source, Endpoint destination, MemorySegment payload);

        /**
         * Handles an ICMP error about a datagram sent from this handler's port (RFC 1122 §4.1.3.3: UDP passes
         * them up). Must not block. Does nothing unless overridden.
         *
         * <p>Only a stack that sees ICMP calls it: Morgana's own ({@code direct}). Host sockets
         * ({@code unix}) never do, since the kernel reports ICMP errors only to connected sockets and
         * their listening socket is not one. Errors come from the network and are not authenticated: treat
         * them as hints (stop sending to a peer for a while), not as proof.
         *
         * @param local the port's endpoint the offending datagram was sent from
         * @param remote where it was sent
         * @param error why it was not delivered: {@link NetworkException.Reason#CONNECTION_REFUSED} for a
         *     port unreachable, {@link NetworkException.Reason#MESSAGE_TOO_LARGE} when it needed fragmenting
         *     but could not be, {@link NetworkException.Reason#UNREACHABLE} for every other unreachable, time
         *     exceeded or parameter problem; its message names the ICMP type, code and reporter
         */
        default void error(Endpoint local, Endpoint remote, NetworkException error) {}
    }
}

package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * ICMP (RFC 792): answers echo requests by itself, sends errors about datagrams this host could not
 * deliver, and passes errors that come back to the transport that sent the offending datagram.
 *
 * <p>Thread safety: {@link #sendUnreachable} is called from the event-loop thread that received the
 * offending datagram; listeners run on that thread too.
 */
public interface Icmp {

    /**
     * Sends a destination-unreachable error about a received datagram, unless RFC 1122 forbids it (the
     * datagram was itself an ICMP error, or broadcast) or the rate limit holds it back.
     *
     * @param code why the datagram could not be delivered
     * @param datagram the offending datagram from its IPv4 header on; read only during this call
     * @throws NetworkException as {@link Ipv4#write} does
     */
    void sendUnreachable(Unreachable code, MemorySegment datagram) throws NetworkException;

    /**
     * Sets the listener for errors about datagrams of one protocol that this host sent, replacing any
     * previous one (UDP and TCP register here).
     *
     * @param protocol the transport's protocol number
     * @param listener called on the event-loop thread
     */
    void onError(int protocol, ErrorListener listener);

    /** Destination-unreachable codes (RFC 792, RFC 1122). */
    enum Unreachable {
        /** Code 0. */
        NET(0),
        /** Code 1. */
        HOST(1),
        /** Code 2. */
        PROTOCOL(2),
        /** Code 3. */
        PORT(3),
        /** Code 4: fragmentation needed but DF set. */
        FRAGMENTATION_NEEDED(4);

        private final int code;

        Unreachable(int code) {
            this.code = code;
        }

        /**
         * Returns the code on the wire.
         *
         * @return the ICMP code
         */
        public int code() {
            return code;
        }
    }

    /** Receives ICMP errors about datagrams this host sent. */
    @FunctionalInterface
    interface ErrorListener {

        /**
         * Handles one error. Must not block.
         *
         * @param reporter the host that sent the error
         * @param type the ICMP type (3 unreachable, 11 time exceeded, 12 parameter problem)
         * @param code the ICMP code
         * @param quoted the quoted part of our datagram: its IPv4 header and at least 8 bytes after it;
         *     read-only and valid only during this call
         */
        void error(Ipv4Address reporter, int type, int code, MemorySegment quoted);
    }
}

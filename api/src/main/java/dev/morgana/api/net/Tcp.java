package dev.morgana.api.net;

import java.time.Duration;
import java.util.Optional;

/**
 * TCP (RFC 9293): listening for and opening connections, each a {@link Flow}.
 *
 * <p>Thread safety: every method may be called from any thread. Each accepted connection is handed to the
 * {@link FlowHandler} on a new virtual thread of its own, so handlers may block.
 */
public interface Tcp {

    /**
     * Starts accepting connections on {@code local}.
     *
     * @param local the address and port to listen on; address {@link Ipv4Address#ANY} for every local
     *     address, port 0 for an ephemeral port (see {@link Listener#local()} for the one chosen)
     * @param options applied to every accepted flow
     * @param handler runs once per accepted connection, on its own virtual thread; the flow is closed when
     *     it returns or throws
     * @return the listener, which stops accepting when closed
     * @throws NetworkException {@link NetworkException.Reason#ADDRESS_IN_USE} when the endpoint is taken,
     *     {@link NetworkException.Reason#INTERRUPTED}, {@link NetworkException.Reason#DEVICE_FAILED}
     */
    Listener listen(Endpoint local, Options options, FlowHandler handler) throws NetworkException;

    /**
     * Opens a connection, blocking until it is established or fails.
     *
     * @param remote where to connect
     * @param options the connect timeout and the flow's options
     * @return the connected flow, owned by the caller, who closes it
     * @throws NetworkException {@link NetworkException.Reason#CONNECTION_REFUSED},
     *     {@link NetworkException.Reason#TIMED_OUT}, {@link NetworkException.Reason#UNREACHABLE},
     *     {@link NetworkException.Reason#INTERRUPTED}
     */
    Flow connect(Endpoint remote, Options options) throws NetworkException;

    /** A listening socket. */
    interface Listener extends AutoCloseable {

        /**
         * Returns the endpoint actually bound, with the ephemeral port filled in.
         *
         * @return the local endpoint
         */
        Endpoint local();

        /**
         * Stops accepting: later connection attempts are refused ({@link NetworkException.Reason#CONNECTION_REFUSED}
         * at the peer); connections already accepted go on. Closing twice does nothing.
         */
        @Override
        void close();
    }

    /** Serves one accepted connection. */
    @FunctionalInterface
    interface FlowHandler {

        /**
         * Serves {@code flow}. The flow is closed after this returns.
         *
         * @param flow the accepted connection
         * @throws Exception anything the handler could not deal with; it is logged, and the flow closed as when
         *     the handler returns: gracefully, so the peer reads what the handler wrote, then end of stream
         */
        void handle(Flow flow) throws Exception;
    }

    /**
     * Per-connection options.
     *
     * @param noDelay send small segments at once rather than coalescing them (Nagle's algorithm off)
     * @param keepAlive idle time before keep-alive probes start; empty for no keep-alive
     * @param connectTimeout how long {@link #connect} waits
     * @param readTimeout how long one {@link Flow#read} waits for data; empty for no limit
     * @param writeTimeout how long one {@link Flow#write} waits for buffer space; empty for no limit
     */
    record Options(boolean noDelay, Optional<Duration> keepAlive, Duration connectTimeout,
            Optional<Duration> readTimeout, Optional<Duration> writeTimeout) {

        /** Nagle on, no keep-alive, a 30-second connect timeout, no read or write timeout. */
        public static final Options DEFAULT =
                new Options(false, Optional.empty(), Duration.ofSeconds(30), Optional.empty(), Optional.empty());

        /**
         * Checks the durations.
         *
         * @throws IllegalArgumentException when a duration is zero or negative
         */
        public Options {
            requirePositive("keepAlive", keepAlive);
            requirePositive("connectTimeout", Optional.of(connectTimeout));
            requirePositive("readTimeout", readTimeout);
            requirePositive("writeTimeout", writeTimeout);
        }

        /**
         * Returns these options with {@code noDelay} changed.
         *
         * @param on whether to send small segments at once
         * @return the new options
         */
        public Options withNoDelay(boolean on) {
            return new Options(on, keepAlive, connectTimeout, readTimeout, writeTimeout);
        }

        /**
         * Returns these options with keep-alive probes after {@code idle}.
         *
         * @param idle idle time before the first probe, positive
         * @return the new options
         */
        public Options withKeepAlive(Duration idle) {
            return new Options(noDelay, Optional.of(idle), connectTimeout, readTimeout, writeTimeout);
        }

        /**
         * Returns these options with another connect timeout.
         *
         * @param timeout positive
         * @return the new options
         */
        public Options withConnectTimeout(Duration timeout) {
            return new Options(noDelay, keepAlive, timeout, readTimeout, writeTimeout);
        }

        /**
         * Returns these options with a read timeout.
         *
         * @param timeout positive
         * @return the new options
         */
        public Options withReadTimeout(Duration timeout) {
            return new Options(noDelay, keepAlive, connectTimeout, Optional.of(timeout), writeTimeout);
        }

        /**
         * Returns these options with a write timeout.
         *
         * @param timeout positive
         * @return the new options
         */
        public Options withWriteTimeout(Duration timeout) {
            return new Options(noDelay, keepAlive, connectTimeout, readTimeout, Optional.of(timeout));
        }

        private static void requirePositive(String name, Optional<Duration> duration) {
            if (duration.isPresent() && !duration.get().isPositive()) {
                throw new IllegalArgumentException(name + " must be positive, got " + duration.get());
            }
        }
    }
}

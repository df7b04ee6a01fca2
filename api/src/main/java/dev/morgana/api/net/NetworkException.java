package dev.morgana.api.net;

import java.io.IOException;
import java.util.Objects;

/**
 * The checked error of every network signature: a device, a route, a connection or a flow failed.
 *
 * <p>Callers branch on {@link #reason()}; the message is for people.
 */
public class NetworkException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed, for callers that react differently to each. */
    public enum Reason {
        /** The peer answered a connection attempt with a reset: nothing listens there. */
        CONNECTION_REFUSED,
        /** The peer reset an established connection. */
        CONNECTION_RESET,
        /** A deadline passed: connect, read or write timeout, retransmissions or ARP retries exhausted. */
        TIMED_OUT,
        /** No route, no ARP answer, or an ICMP unreachable came back. */
        UNREACHABLE,
        /** The local endpoint is already bound. */
        ADDRESS_IN_USE,
        /** The payload is larger than the layer can carry (and cannot be fragmented). */
        MESSAGE_TOO_LARGE,
        /** The device, flow or listener was closed, locally, before or during the operation. */
        CLOSED,
        /** The thread was interrupted while blocked; its interrupt status is set again. */
        INTERRUPTED,
        /** The underlying device failed; the message and cause say how. */
        DEVICE_FAILED
    }

    private final Reason reason;

    /**
     * Creates an error.
     *
     * @param reason why the operation failed
     * @param message what failed, for people
     */
    public NetworkException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates an error caused by another.
     *
     * @param reason why the operation failed
     * @param message what failed, for people
     * @param cause the underlying error
     */
    public NetworkException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns why the operation failed.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}

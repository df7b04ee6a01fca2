package dev.morgana.http;

import dev.morgana.api.net.NetworkException;

/**
 * A server's response broke HTTP/1.1 — a malformed head or chunked body, a head beyond the client's limits,
 * framing that could be read two ways — so the client dropped the connection.
 *
 * <p>Its {@link #reason()} is {@link NetworkException.Reason#CONNECTION_RESET}: the connection was aborted
 * and cannot be used again. Callers that need to tell such failures apart test for this type.
 */
public final class HttpProtocolException extends NetworkException {

    private static final long serialVersionUID = 1L;

    HttpProtocolException(String message) {
        super(Reason.CONNECTION_RESET, message);
    }
}

package dev.morgana.http.tls;

import dev.morgana.api.net.NetworkException;

/**
 * A TLS connection failed: the handshake did not complete (an untrusted or mismatched certificate, an
 * unknown server name, no common version, cipher or application protocol, bytes that are not TLS) or a
 * record was refused later (a bad MAC, a fatal alert, the stream truncated without {@code close_notify}).
 *
 * <p>Its {@link #reason()} is {@link NetworkException.Reason#CONNECTION_RESET}: the connection was
 * aborted and cannot be used again, as after a reset. Callers that need to tell TLS failures apart test
 * for this type; the cause, when there is one, is Bouncy Castle's {@code SSLException} with the alert.
 */
public final class TlsException extends NetworkException {

    private static final long serialVersionUID = 1L;

    TlsException(String message, Throwable cause) {
        super(Reason.CONNECTION_RESET, message, cause);
    }

    TlsException(String message) {
        super(Reason.CONNECTION_RESET, message);
    }
}

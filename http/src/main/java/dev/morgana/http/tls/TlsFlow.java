package dev.morgana.http.tls;

import dev.morgana.api.net.Flow;
import java.util.Optional;

/**
 * A {@link Flow} protected by TLS, after a successful handshake: what {@link TlsServer#accept} and
 * {@link TlsClient#connect} return.
 *
 * <p>As a {@link Flow}, with these TLS meanings: {@link #read} returns -1 once the peer's
 * {@code close_notify} alert arrived; the underlying stream ending without one is a truncation and
 * fails with a {@link TlsException}. {@link #shutdownOutput()} sends {@code close_notify}, then shuts
 * down the underlying flow's output. {@link #close()} does the same where it can and then closes the
 * underlying flow, which this flow owns. A failed record (a bad MAC, a fatal alert from the peer) is a
 * {@link TlsException}; after one, the flow is unusable and should be closed.
 *
 * <p><b>No half-close.</b> Unlike a TCP flow, a {@code close_notify} in either direction ends the TLS
 * session in both: after {@link #shutdownOutput()}, reads return what was already decrypted and then
 * -1 (records the peer sends later are discarded); after the peer's {@code close_notify}, this side
 * answers with its own and writes fail with {@link dev.morgana.api.net.NetworkException.Reason#CLOSED}.
 * That is what TLS 1.2 prescribes (RFC 5246 §7.2.1); TLS 1.3 would allow half-close (RFC 8446 §6.1),
 * but Bouncy Castle's TLS 1.84 has one {@code closed} state for both directions. A protocol over TLS
 * must therefore delimit its messages (HTTP/1.1 does, with lengths and chunks) rather than use
 * end-of-stream as a request's end.
 *
 * <p>Buffers are the caller's, as on {@link Flow}: data is encrypted from, or decrypted into, the
 * caller's segment during the call only.
 */
public interface TlsFlow extends Flow {

    /**
     * Returns the negotiated TLS version.
     *
     * @return the version of this connection
     */
    TlsVersion version();

    /**
     * Returns the application protocol agreed through ALPN (RFC 7301).
     *
     * @return the protocol, for example {@code http/1.1}; empty when either side offered none
     */
    Optional<String> applicationProtocol();

    /**
     * Returns the server name of this connection: on a server, the host name the client asked for
     * through SNI (RFC 6066); on a client, the name it verified the server's certificate against.
     *
     * @return the host name; empty on a server when the client sent no SNI
     */
    Optional<String> serverName();
}

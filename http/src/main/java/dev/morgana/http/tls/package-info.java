/**
 * TLS as a functor FLOW → FLOW: {@link dev.morgana.http.tls.TlsServer#accept} and
 * {@link dev.morgana.http.tls.TlsClient#connect} take a plain {@link dev.morgana.api.net.Flow} (a TCP
 * connection from any stack: host sockets, Morgana's own TCP/IP, Xen) and return a
 * {@link dev.morgana.http.tls.TlsFlow}, itself a {@code Flow}, so HTTP runs over either unchanged.
 *
 * <p>The protocol is Bouncy Castle's (BCJSSE, used through {@code SSLEngine} with provider instances,
 * never installed globally): TLS 1.3 and 1.2, SNI, ALPN, PKIX validation and host-name verification.
 * Identities come from PEM ({@link dev.morgana.http.tls.Pem}, {@link dev.morgana.http.tls.TlsIdentity#fromPem})
 * or, for development, {@link dev.morgana.http.tls.TlsIdentity#selfSigned}.
 *
 * <p>Failure is per connection: a handshake that fails (garbage bytes, an untrusted certificate, an
 * unknown server name) closes that plain flow and throws a {@link dev.morgana.http.tls.TlsException};
 * the server and every other connection go on.
 */
package dev.morgana.http.tls;

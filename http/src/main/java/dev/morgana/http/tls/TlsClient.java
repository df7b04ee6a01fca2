package dev.morgana.http.tls;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of TLS as a functor FLOW → FLOW: {@link #connect} runs the handshake over a plain flow
 * and returns the protected one, after checking the server's certificate chain against the configured
 * trust anchors (PKIX, RFC 5280) and its names against the host name (RFC 6125, as HTTPS does).
 *
 * <p>Immutable and thread-safe: one client serves any number of connections.
 *
 * <p>The handshake blocks on the plain flow's reads and writes; bound it with that flow's timeouts.
 */
public final class TlsClient {

    private final SSLContext context;
    private final String[] cipherSuites;
    private final List<TlsVersion> versions;
    private final List<String> applicationProtocols;

    private TlsClient(Builder builder) {
        this.versions = List.copyOf(builder.versions);
        this.applicationProtocols = List.copyOf(builder.applicationProtocols);
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12", Providers.CRYPTO);
            anchors.load(null, null);
            for (int i = 0; i < builder.trustAnchors.size(); i++) {
                anchors.setCertificateEntry("anchor-" + i, builder.trustAnchors.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX", Providers.JSSE);
            trust.init(anchors);
            context = SSLContext.getInstance("TLS", Providers.JSSE);
            context.init(null, trust.getTrustManagers(), new SecureRandom());
            cipherSuites = Providers.aesGcmFirst(context.getDefaultSSLParameters().getCipherSuites());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use these trust anchors: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a client configuration.
     *
     * @param trustAnchors the certificates the client trusts as roots (a private CA, or a development
     *     server's self-signed certificate); at least one
     * @return a builder with TLS 1.3 and 1.2 and no ALPN
     */
    public static Builder builder(List<X509Certificate> trustAnchors) {
        return new Builder(trustAnchors);
    }

    /**
     * Runs the client's handshake over {@code plain} and returns the protected flow.
     *
     * @param plain the connection to the server; from this call on it belongs to the result (closing the
     *     result closes it), and on failure it is closed
     * @param serverName the host name the server must prove (sent as SNI unless it is an IP literal, which
     *     RFC 6066 forbids there)
     * @return the TLS flow, handshake done
     * @throws TlsException when the handshake fails: an untrusted chain, a certificate for another name,
     *     nothing in common with the server, an alert from it
     * @throws NetworkException when {@code plain} fails
     * @throws IllegalArgumentException when {@code serverName} cannot be sent as SNI ({@code plain} is
     *     closed then too)
     */
    public TlsFlow connect(Flow plain, String serverName) throws NetworkException {
        SSLEngine engine;
        try {
            engine = context.createSSLEngine(serverName, plain.remote().port());
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setProtocols(versions.stream().map(TlsVersion::jsseName).toArray(String[]::new));
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
            parameters.setCipherSuites(cipherSuites); // AES-GCM offered first (see Providers.aesGcmFirst)
            // Host-name verification by the trust manager, against the name given here.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(TlsIdentity.isIpLiteral(serverName) ? List.of() : List.of(new SNIHostName(serverName)));
            engine.setSSLParameters(parameters);
        } catch (RuntimeException e) { // a server name SNI cannot carry ("my_host", "example.com.")
            plain.close();
            throw e;
        }
        return EngineFlow.handshake(plain, engine, () -> Optional.of(serverName));
    }

    /** Configures a {@link TlsClient}. Not thread-safe; {@link #build()} copies what it needs. */
    public static final class Builder {

        private final List<X509Certificate> trustAnchors;
        private List<TlsVersion> versions = List.of(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2);
        private List<String> applicationProtocols = List.of();

        private Builder(List<X509Certificate> trustAnchors) {
            this.trustAnchors = List.copyOf(trustAnchors);
            if (this.trustAnchors.isEmpty()) {
                throw new IllegalArgumentException("a TLS client needs at least one trust anchor");
            }
        }

        /**
         * Sets the TLS versions to offer.
         *
         * @param offered at least one
         * @return this builder
         */
        public Builder versions(TlsVersion... offered) {
            if (offered.length == 0) {
                throw new IllegalArgumentException("at least one TLS version");
            }
            versions = List.of(offered);
            return this;
        }

        /**
         * Sets the ALPN protocols to offer, in order of preference.
         *
         * @param protocols for example {@code http/1.1}; none turns ALPN off
         * @return this builder
         */
        public Builder applicationProtocols(String... protocols) {
            applicationProtocols = List.of(protocols);
            return this;
        }

        /**
         * Builds the client.
         *
         * @return the client
         */
        public TlsClient build() {
            return new TlsClient(this);
        }
    }
}

package dev.morgana.http.tls;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManager;

/**
 * The server side of TLS as a functor FLOW → FLOW: {@link #accept} runs the handshake over a plain flow
 * (a TCP connection from any stack) and returns the protected one. TLS 1.3 and 1.2 (RFC 8446, 5246) by
 * Bouncy Castle's JSSE provider; SNI (RFC 6066) and ALPN (RFC 7301).
 *
 * <p>Immutable and thread-safe: one server serves every connection, each {@code accept} on its own
 * (virtual) thread. A connection that fails its handshake (garbage instead of a ClientHello, an unknown
 * server name, no common protocol) fails alone, with a {@link TlsException}; other connections are not
 * affected.
 *
 * <p>The handshake blocks on the plain flow's reads and writes; bound it with that flow's timeouts.
 */
public final class TlsServer {

    private final SSLContext context;
    private final String[] cipherSuites;
    private final List<TlsVersion> versions;
    private final List<String> applicationProtocols;
    private final Optional<Pattern> serverNamePattern;

    private TlsServer(Builder builder) {
        this.versions = List.copyOf(builder.versions);
        this.applicationProtocols = List.copyOf(builder.applicationProtocols);
        this.serverNamePattern = builder.serverNames.isEmpty() ? Optional.empty()
                : Optional.of(Pattern.compile(builder.serverNames.stream().map(Pattern::quote)
                        .collect(Collectors.joining("|", "(", ")")), Pattern.CASE_INSENSITIVE));
        try {
            // BCJSSE's own "PKIX" key manager: the JDK's default ("SunX509") is not BC's to use.
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12", Providers.CRYPTO);
            store.load(null, null);
            store.setKeyEntry("identity", builder.identity.key(), password,
                    builder.identity.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX", Providers.JSSE);
            keys.init(store, password);
            context = SSLContext.getInstance("TLS", Providers.JSSE);
            // No trust managers: the server asks for no client certificates, and null would make BCJSSE load
            // the JDK's whole cacerts store (0.2 s of a website's start) for nothing.
            context.init(keys.getKeyManagers(), new TrustManager[0], new SecureRandom());
            cipherSuites = Providers.aesGcmFirst(context.getDefaultSSLParameters().getCipherSuites());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use this identity for a TLS server: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a server configuration.
     *
     * @param identity the certificate chain and key the server proves itself with
     * @return a builder with TLS 1.3 and 1.2, no ALPN and any server name
     */
    public static Builder builder(TlsIdentity identity) {
        return new Builder(identity);
    }

    /**
     * Runs the server's handshake over {@code plain} and returns the protected flow.
     *
     * @param plain the connection from the client; from this call on it belongs to the result (closing the
     *     result closes it), and on failure it is closed
     * @return the TLS flow, handshake done
     * @throws TlsException when the handshake fails (the alert is sent to the client where possible)
     * @throws NetworkException when {@code plain} fails
     */
    public TlsFlow accept(Flow plain) throws NetworkException {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(versions.stream().map(TlsVersion::jsseName).toArray(String[]::new));
        parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        // The server's order decides: AES-GCM whenever the client offers it (see Providers.aesGcmFirst).
        parameters.setCipherSuites(cipherSuites);
        parameters.setUseCipherSuitesOrder(true);
        // The matcher also records the name: BC 1.84's session after the handshake throws
        // UnsupportedOperationException from getRequestedServerNames().
        NameMatcher matcher = new NameMatcher(serverNamePattern);
        parameters.setSNIMatchers(List.of(matcher));
        engine.setSSLParameters(parameters);
        return EngineFlow.handshake(plain, engine, matcher::matched);
    }

    /**
     * Decides SNI (RFC 6066 §3): a client that names a host outside the configured ones is refused
     * ({@code unrecognized_name}); one that names none is served. Remembers the name it accepted.
     */
    private static final class NameMatcher extends SNIMatcher {

        private final Optional<Pattern> allowed;
        private volatile Optional<String> matched = Optional.empty();

        NameMatcher(Optional<Pattern> allowed) {
            super(StandardConstants.SNI_HOST_NAME);
            this.allowed = allowed;
        }

        @Override
        public boolean matches(SNIServerName name) {
            String host;
            try {
                host = (name instanceof SNIHostName hostName ? hostName : new SNIHostName(name.getEncoded()))
                        .getAsciiName().toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                return false; // not a valid host name
            }
            if (allowed.isPresent() && !allowed.get().matcher(host).matches()) {
                return false;
            }
            matched = Optional.of(host);
            return true;
        }

        Optional<String> matched() {
            return matched;
        }
    }

    /** Configures a {@link TlsServer}. Not thread-safe; {@link #build()} copies what it needs. */
    public static final class Builder {

        private final TlsIdentity identity;
        private List<TlsVersion> versions = List.of(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2);
        private List<String> applicationProtocols = List.of();
        private List<String> serverNames = List.of();

        private Builder(TlsIdentity identity) {
            this.identity = java.util.Objects.requireNonNull(identity, "identity");
        }

        /**
         * Sets the TLS versions to accept.
         *
         * @param accepted at least one
         * @return this builder
         */
        public Builder versions(TlsVersion... accepted) {
            if (accepted.length == 0) {
                throw new IllegalArgumentException("at least one TLS version");
            }
            versions = List.of(accepted);
            return this;
        }

        /**
         * Sets the ALPN protocols the server speaks, in its order of preference; a client that offers
         * ALPN without any of them is refused ({@code no_application_protocol}).
         *
         * @param protocols for example {@code http/1.1}; none turns ALPN off
         * @return this builder
         */
        public Builder applicationProtocols(String... protocols) {
            applicationProtocols = List.of(protocols);
            return this;
        }

        /**
         * Restricts the SNI host names the server answers to (case-insensitive). A client that sends
         * SNI for another name is refused with {@code unrecognized_name}; one without SNI is served.
         *
         * @param names host names; none (the default) accepts any
         * @return this builder
         */
        public Builder serverNames(String... names) {
            List<String> lower = new ArrayList<>();
            for (String name : names) {
                lower.add(name.toLowerCase(Locale.ROOT));
            }
            serverNames = List.copyOf(lower);
            return this;
        }

        /**
         * Builds the server.
         *
         * @return the server
         * @throws IllegalArgumentException when the identity's key cannot be used for TLS
         */
        public TlsServer build() {
            return new TlsServer(this);
        }
    }
}

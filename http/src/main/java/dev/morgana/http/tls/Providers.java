package dev.morgana.http.tls;

import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The Bouncy Castle providers, as instances handed to each {@code getInstance} call rather than
 * installed with {@code Security.addProvider}: installing them would change the algorithms every other
 * library in the JVM gets.
 */
final class Providers {

    /**
     * Bouncy Castle's JSSE reports every connection at INFO through {@code java.util.logging} (accepted,
     * established, closed, and each alert with a stack trace): three lines per connection on a server's
     * console, and a stack trace per garbage ClientHello for anyone to provoke. Unless the application set
     * a level for it first, its INFO is dropped; warnings still show. Kept in a field because
     * {@code java.util.logging} holds loggers weakly, and first here because it must be in place before
     * the providers below log anything.
     */
    static final Logger JSSE_LOG = quietUnlessConfigured(Logger.getLogger("org.bouncycastle.jsse"));

    /** JCA algorithms: keys, signatures, certificates. */
    static final Provider CRYPTO = new BouncyCastleProvider();

    /**
     * BCJSSE: SSLContext, the PKIX key and trust managers, with its TLS crypto drawn from {@link #CRYPTO}
     * except AES-GCM, which is the JDK's (see {@link JdkGcmCrypto}).
     */
    static final Provider JSSE = new BouncyCastleJsseProvider(false, new JdkGcmCrypto(CRYPTO));

    /**
     * Returns {@code suites} with the AES-GCM ones first, the others after them, each group in its given
     * order. AES-GCM records run on the JDK's intrinsified cipher ({@link JdkGcmCrypto}), several times
     * faster than ChaCha20-Poly1305, which only Bouncy Castle's pure Java implements here: a client offers
     * AES-GCM first, a server prefers it whenever the client offers it.
     */
    static String[] aesGcmFirst(String[] suites) {
        List<String> ordered = new ArrayList<>();
        for (String suite : suites) {
            if (suite.contains("_AES_") && suite.contains("_GCM_")) {
                ordered.add(suite);
            }
        }
        for (String suite : suites) {
            if (!(suite.contains("_AES_") && suite.contains("_GCM_"))) {
                ordered.add(suite);
            }
        }
        return ordered.toArray(String[]::new);
    }

    private static Logger quietUnlessConfigured(Logger logger) {
        if (logger.getLevel() == null) {
            logger.setLevel(Level.WARNING);
        }
        return logger;
    }

    private Providers() {
    }
}

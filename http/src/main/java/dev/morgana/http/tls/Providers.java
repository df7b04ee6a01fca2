package dev.morgana.http.tls;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The Bouncy Castle providers, as instances handed to each {@code getInstance} call rather than
 * installed with {@code Security.addProvider}: installing them would change the algorithms every other
 * library in the JVM gets.
 */
final class Providers {

    /** JCA algorithms: keys, signatures, certificates. */
    static final Provider CRYPTO = new BouncyCastleProvider();

    /**
     * BCJSSE: SSLContext, the PKIX key and trust managers, with its TLS crypto drawn from {@link #CRYPTO}
     * except AES-GCM, which is the JDK's (see {@link JdkGcmCrypto}).
     */
    static final Provider JSSE = new BouncyCastleJsseProvider(false, new JdkGcmCrypto(CRYPTO));

    private Providers() {
    }
}

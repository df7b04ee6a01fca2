package dev.morgana.http.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * Bouncy Castle's TLS crypto with one exception: the AES-GCM record protection runs on the JDK's
 * {@code SunJCE} cipher. That one is intrinsified (AES-NI, CLMUL, AVX-512 where the CPU has them) and an
 * order of magnitude faster than Bouncy Castle's pure Java AES and GHASH, which were half of an HTTPS
 * server's time. Everything else (signatures, key exchange, key derivation, certificates, ChaCha20) stays
 * on the Bouncy Castle provider, so keys from {@link Pem} and {@link TlsIdentity} work unchanged.
 *
 * <p>Only the bulk cipher is swapped, and through Bouncy Castle's own extension point
 * ({@code JcaTlsCrypto.createAEADCipher}): the TLS protocol, nonces and record layout remain
 * Bouncy Castle's.
 */
final class JdkGcmCrypto extends JcaTlsCryptoProvider {

    private static final String AES_GCM = "AES/GCM/NoPadding";

    /** SunJCE where the JVM has it; otherwise the installed providers' first AES-GCM. */
    private static final Provider JDK_CIPHERS = Security.getProvider("SunJCE");

    JdkGcmCrypto(Provider crypto) {
        setProvider(crypto);
    }

    @Override
    public JcaTlsCrypto create(SecureRandom keyRandom, SecureRandom nonceRandom) {
        return new Crypto(getHelper(), getAltHelper(), keyRandom, nonceRandom);
    }

    private static final class Crypto extends JcaTlsCrypto {

        Crypto(JcaJceHelper helper, JcaJceHelper altHelper, SecureRandom keyRandom, SecureRandom nonceRandom) {
            super(helper, altHelper, keyRandom, nonceRandom);
        }

        @Override
        protected TlsAEADCipherImpl createAEADCipher(String cipherName, String algorithm, int keySize,
                boolean isEncrypting) throws GeneralSecurityException {
            if (!AES_GCM.equals(cipherName)) {
                return super.createAEADCipher(cipherName, algorithm, keySize, isEncrypting);
            }
            Cipher cipher = JDK_CIPHERS != null ? Cipher.getInstance(AES_GCM, JDK_CIPHERS) : Cipher.getInstance(AES_GCM);
            return new Gcm(cipher, isEncrypting ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, keySize);
        }
    }

    /**
     * One direction of a connection's AES-GCM: a key, then per record a fresh nonce ({@link #init}) and
     * one {@link #doFinal}. Nonces never repeat under one key (TLS derives them from the record sequence
     * number), which is also what the JDK's GCM insists on when encrypting.
     */
    private static final class Gcm implements TlsAEADCipherImpl {

        private final Cipher cipher;
        private final int mode;
        private final int keySize;
        private SecretKeySpec key;
        private int macSize = 16;

        Gcm(Cipher cipher, int mode, int keySize) {
            this.cipher = cipher;
            this.mode = mode;
            this.keySize = keySize;
        }

        @Override
        public void setKey(byte[] bytes, int offset, int length) {
            if (length != keySize) {
                throw new IllegalStateException("AES-GCM key of " + length + " bytes, expected " + keySize);
            }
            key = new SecretKeySpec(bytes, offset, length, "AES");
        }

        @Override
        public void init(byte[] nonce, int macSize) {
            this.macSize = macSize;
            try {
                cipher.init(mode, key, new GCMParameterSpec(macSize * 8, nonce));
            } catch (GeneralSecurityException e) {
                // As Bouncy Castle's JCE implementation does: the record layer turns it into an alert.
                throw new IllegalStateException("cannot start AES-GCM for a record: " + e.getMessage(), e);
            }
        }

        @Override
        public int getOutputSize(int inputLength) {
            return mode == Cipher.ENCRYPT_MODE ? inputLength + macSize : Math.max(0, inputLength - macSize);
        }

        @Override
        public int doFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength, byte[] output,
                int outputOffset) throws IOException {
            try {
                if (additionalData != null && additionalData.length > 0) {
                    cipher.updateAAD(additionalData);
                }
                return cipher.doFinal(input, inputOffset, inputLength, output, outputOffset);
            } catch (GeneralSecurityException e) {
                // A bad tag among them: Bouncy Castle's record layer answers a RuntimeException here with
                // bad_record_mac, as it does for its own ciphers.
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}

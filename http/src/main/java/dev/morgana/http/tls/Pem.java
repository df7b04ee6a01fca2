package dev.morgana.http.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates and private keys in PEM (RFC 7468), read and written with Bouncy Castle's PKIX library.
 *
 * <p>PEM text comes from configuration (files an operator installed), so a malformed one is reported as
 * an {@link IllegalArgumentException} with a readable message, and nothing else: Bouncy Castle's parser
 * throws a range of runtime exceptions on damaged input, which are all translated here (a fuzz test
 * holds this to it).
 */
public final class Pem {

    private Pem() {
    }

    /**
     * Reads every {@code CERTIFICATE} block, in order (a chain: the leaf first, then its issuers).
     * Blocks of other types are skipped.
     *
     * @param pem PEM text
     * @return the certificates, at least one
     * @throws IllegalArgumentException when a block is malformed or there is no certificate
     */
    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(Providers.CRYPTO);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("malformed PEM certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no CERTIFICATE block in the PEM text");
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads the first private key: PKCS #8 ({@code PRIVATE KEY}) or the traditional OpenSSL forms
     * ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}). Encrypted keys are not supported.
     *
     * @param pem PEM text
     * @return the key
     * @throws IllegalArgumentException when the text holds no unencrypted private key or it is malformed
     */
    public static PrivateKey privateKey(String pem) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Providers.CRYPTO);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (block instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed PEM private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no unencrypted private key (PRIVATE KEY, RSA PRIVATE KEY or EC"
                + " PRIVATE KEY block) in the PEM text");
    }

    /**
     * Writes certificates as PEM, one {@code CERTIFICATE} block each, in order.
     *
     * @param certificates the certificates
     * @return PEM text
     */
    public static String encode(List<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    /**
     * Writes a private key as an unencrypted PKCS #8 {@code PRIVATE KEY} block. Keep the result secret.
     *
     * @param key the key
     * @return PEM text
     */
    public static String encode(PrivateKey key) {
        // A PemObject, not the PrivateKeyInfo: BC's writer turns RSA and EC PrivateKeyInfo back into the
        // traditional OpenSSL forms, and PKCS #8 is what every current tool reads.
        // getEncoded() of a private key is PKCS #8 DER (PrivateKey contract, format "PKCS#8").
        return write(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    private static String write(Object... objects) {
        // Fails only on an object BC cannot encode (a programming error): StringWriter does not fail.
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                if (object instanceof PemObject pem) {
                    writer.writeObject(pem);
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode as PEM", e);
        }
        return text.toString();
    }
}

package dev.morgana.http.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What a TLS server proves itself with: a certificate chain (the leaf first, then the issuers a client
 * may lack) and the leaf's private key.
 *
 * @param chain the certificates, leaf first; not empty
 * @param key the private key of the leaf certificate
 */
public record TlsIdentity(List<X509Certificate> chain, PrivateKey key) {

    /** How long a development certificate from {@link #selfSigned} is valid. */
    public static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(30);

    /**
     * Checks that the chain is not empty and that {@code key} belongs to its leaf (a mismatch would
     * otherwise surface only as every handshake failing).
     *
     * @throws IllegalArgumentException when the chain is empty or the key does not match the leaf
     */
    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least one certificate");
        }
        checkPair(chain.getFirst(), key);
    }

    /**
     * Reads an identity from PEM text, as {@code openssl} and ACME clients write it.
     *
     * @param chainPem the certificate chain, leaf first
     * @param keyPem the leaf's unencrypted private key
     * @return the identity
     * @throws IllegalArgumentException as {@link Pem#certificates} and {@link Pem#privateKey} do, or when
     *     the key does not match the leaf
     */
    public static TlsIdentity fromPem(String chainPem, String keyPem) {
        return new TlsIdentity(Pem.certificates(chainPem), Pem.privateKey(keyPem));
    }

    /**
     * Makes a self-signed certificate for development: a fresh P-256 key, the first host name as the
     * subject's common name, every host name (or IPv4/IPv6 literal) as a subject alternative name, valid
     * from an hour ago for {@link #SELF_SIGNED_VALIDITY} by the system clock. Clients trust it only when
     * given the certificate itself as a trust anchor (for example {@code curl --cacert}).
     *
     * @param hostNames the names clients will connect to, for example {@code localhost} and
     *     {@code 127.0.0.1}; at least one
     * @return the identity, a chain of one certificate
     * @throws IllegalArgumentException when no host name is given
     */
    public static TlsIdentity selfSigned(String... hostNames) {
        if (hostNames.length == 0) {
            throw new IllegalArgumentException("a self-signed certificate needs at least one host name");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Providers.CRYPTO);
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostNames[0]).build();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SELF_SIGNED_VALIDITY)),
                    subject, pair.getPublic());
            List<GeneralName> names = new ArrayList<>();
            for (String host : hostNames) {
                names.add(isIpLiteral(host)
                        ? new GeneralName(GeneralName.iPAddress, host)
                        : new GeneralName(GeneralName.dNSName, host.toLowerCase(Locale.ROOT)));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            // CA:false and serverAuth only: a development certificate must not be able to sign others.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter().setProvider(Providers.CRYPTO)
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                            .setProvider(Providers.CRYPTO).build(pair.getPrivate())));
            return new TlsIdentity(List.of(certificate), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            // Every algorithm used here is in the Bouncy Castle provider; failing is a broken build.
            throw new IllegalStateException("cannot make a self-signed certificate", e);
        }
    }

    /**
     * Returns the certificate chain as PEM, for a client's trust store or {@code openssl}.
     *
     * @return PEM text
     */
    public String chainPem() {
        return Pem.encode(chain);
    }

    /**
     * Returns the private key as unencrypted PKCS #8 PEM. Keep it secret.
     *
     * @return PEM text
     */
    public String keyPem() {
        return Pem.encode(key);
    }

    /** Hides the key from logs. */
    @Override
    public String toString() {
        return "TlsIdentity[" + chain.getFirst().getSubjectX500Principal() + ", " + key.getAlgorithm() + " key]";
    }

    static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    private static void checkPair(X509Certificate leaf, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null; // other key types: let the handshake judge
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "morgana key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm, Providers.CRYPTO);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm, Providers.CRYPTO);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("the private key (" + key.getAlgorithm()
                    + ") does not belong to the leaf certificate " + leaf.getSubjectX500Principal());
        }
    }
}

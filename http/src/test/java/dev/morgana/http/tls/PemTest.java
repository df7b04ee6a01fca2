package dev.morgana.http.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PEM read and written through {@link Pem}, against golden files made once by OpenSSL 3.0 (test keys,
 * secret to no one): {@code chain.pem} is an RSA leaf ({@code CN=leaf.test}, serial 0x1001, SAN
 * {@code leaf.test} and 127.0.0.1) followed by its EC CA ({@code CN=Morgana Test CA}, serial 0x1000), with
 * the {@code subject=} lines {@code openssl x509 -subject} prints between blocks; {@code leaf-rsa.key} is
 * the leaf's key in the traditional {@code RSA PRIVATE KEY} form, {@code ca-ec.key} the CA's as
 * {@code EC PARAMETERS} then {@code EC PRIVATE KEY}, {@code leaf-rsa-encrypted.key} the leaf's key as
 * encrypted PKCS #8.
 */
class PemTest {

    static String resource(String name) throws IOException {
        try (InputStream in = PemTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void chainIsReadInOrderWithTextBetweenBlocks() throws Exception {
        List<X509Certificate> chain = Pem.certificates(resource("chain.pem"));
        assertEquals(2, chain.size());
        X509Certificate leaf = chain.get(0);
        X509Certificate ca = chain.get(1);
        assertEquals("CN=leaf.test", leaf.getSubjectX500Principal().getName());
        assertEquals(BigInteger.valueOf(0x1001), leaf.getSerialNumber());
        assertEquals("RSA", leaf.getPublicKey().getAlgorithm());
        assertEquals(List.of(List.of(2, "leaf.test"), List.of(7, "127.0.0.1")),
                List.copyOf(leaf.getSubjectAlternativeNames()));
        assertEquals(ca.getSubjectX500Principal(), leaf.getIssuerX500Principal());
        assertEquals("CN=Morgana Test CA", ca.getSubjectX500Principal().getName());
        assertEquals(BigInteger.valueOf(0x1000), ca.getSerialNumber());
        assertTrue(ca.getBasicConstraints() >= 0, "the CA certificate says CA:TRUE");
        leaf.verify(ca.getPublicKey());   // the golden leaf really is signed by the golden CA
    }

    @Test
    void traditionalKeysAreReadAndPairedWithTheirCertificates() throws Exception {
        List<X509Certificate> chain = Pem.certificates(resource("chain.pem"));
        PrivateKey leafKey = Pem.privateKey(resource("leaf-rsa.key"));
        PrivateKey caKey = Pem.privateKey(resource("ca-ec.key"));   // EC PARAMETERS block skipped
        assertEquals("RSA", leafKey.getAlgorithm());
        assertTrue(caKey.getAlgorithm().startsWith("EC"), caKey.getAlgorithm());
        // The record proves each pair by signing and verifying.
        assertEquals(chain, TlsIdentity.fromPem(resource("chain.pem"), resource("leaf-rsa.key")).chain());
        new TlsIdentity(chain.subList(1, 2), caKey);
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> new TlsIdentity(chain, caKey));
        assertTrue(mismatch.getMessage().contains("does not belong"), mismatch.getMessage());
    }

    @Test
    void whatIsWrittenIsReadBack() throws Exception {
        List<X509Certificate> chain = Pem.certificates(resource("chain.pem"));
        PrivateKey key = Pem.privateKey(resource("leaf-rsa.key"));
        String chainPem = Pem.encode(chain);
        assertTrue(chainPem.startsWith("-----BEGIN CERTIFICATE-----"), chainPem);
        assertEquals(chain, Pem.certificates(chainPem));
        String keyPem = Pem.encode(key);
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS #8");
        assertArrayEquals(key.getEncoded(), Pem.privateKey(keyPem).getEncoded());

        TlsIdentity selfSigned = TlsIdentity.selfSigned("dev.test", "127.0.0.1");
        TlsIdentity reread = TlsIdentity.fromPem(selfSigned.chainPem(), selfSigned.keyPem());
        assertEquals(selfSigned.chain(), reread.chain());
        assertEquals(List.of(List.of(2, "dev.test"), List.of(7, "127.0.0.1")),
                List.copyOf(reread.chain().getFirst().getSubjectAlternativeNames()));
        assertTrue(!selfSigned.toString().contains(selfSigned.keyPem()), "toString hides the key");
    }

    @Test
    void malformedOrMissingBlocksAreIllegalArguments() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.certificates(""))
                .getMessage().contains("no CERTIFICATE"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(resource("chain.pem")))
                .getMessage().contains("no unencrypted private key"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Pem.privateKey(resource("leaf-rsa-encrypted.key"))).getMessage().contains("no unencrypted"));
        for (String corpus : List.of("truncated-der", "bad-base64", "unterminated", "empty-sequence-key")) {
            String text = resource("PemFuzzTestInputs/pemParsesOrRefuses/" + corpus);
            assertThrows(IllegalArgumentException.class, () -> Pem.certificates(text), corpus);
            assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(text), corpus);
        }
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.selfSigned());
    }
}

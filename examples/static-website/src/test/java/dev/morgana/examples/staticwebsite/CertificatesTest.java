package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.http.tls.TlsIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificatesTest {

    private static final List<String> NAMES = List.of("localhost", "127.0.0.1");

    @Test
    void theFirstStartMakesACertificateAndTheNextKeepIt(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("state/tls");
        Certificates.SelfSigned selfSigned = new Certificates.SelfSigned(folder, NAMES);

        Certificates.Loaded first = selfSigned.load(Instant.now());
        Path certificate = folder.resolve("certificate.pem").toAbsolutePath();
        assertEquals(certificate, first.certificate());
        assertTrue(first.how().startsWith("made a self-signed HTTPS certificate for localhost, 127.0.0.1 in "), first.how());
        assertEquals(first.identity().chainPem(), Files.readString(certificate));
        assertEquals(first.identity().keyPem(), Files.readString(folder.resolve("key.pem")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("key.pem"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals(Set.of("certificate.pem", "key.pem"), files(folder), "no temporary file is left behind");
        assertEquals(Set.of("localhost", "127.0.0.1"), alternativeNames(first.identity().chain().getFirst()));

        Certificates.Loaded second = selfSigned.load(Instant.now());
        assertEquals(first.identity().chainPem(), second.identity().chainPem());
        assertEquals(first.identity().keyPem(), second.identity().keyPem());
        assertTrue(second.how().startsWith("HTTPS certificate, self-signed at an earlier start, from " + certificate),
                second.how());
    }

    @Test
    void anExpiringCertificateIsReplaced(@TempDir Path dir) throws Exception {
        Certificates.SelfSigned selfSigned = new Certificates.SelfSigned(dir, NAMES);
        Certificates.Loaded first = selfSigned.load(Instant.now());
        Instant lastDay = first.identity().chain().getFirst().getNotAfter().toInstant().minus(Duration.ofHours(12));
        Certificates.Loaded renewed = selfSigned.load(lastDay);
        assertNotEquals(first.identity().chainPem(), renewed.identity().chainPem());
        assertTrue(renewed.how().contains("had expired or was about to; made a self-signed"), renewed.how());
        assertEquals(renewed.identity().chainPem(), Files.readString(dir.resolve("certificate.pem")));
    }

    @Test
    void aCertificateThatDoesNotCoverTheAddressIsReplacedByOneForBoth(@TempDir Path dir) throws Exception {
        // The same folder on unix (loopback), then on direct (the stack's address), then on unix again.
        Certificates.Loaded loopback = new Certificates.SelfSigned(dir, NAMES).load(Instant.now());
        List<String> direct = List.of("localhost", "127.0.0.1", "192.0.2.2");
        Certificates.Loaded both = new Certificates.SelfSigned(dir, direct).load(Instant.now());
        assertNotEquals(loopback.identity().chainPem(), both.identity().chainPem());
        assertTrue(both.how().startsWith("the self-signed HTTPS certificate in " + dir.resolve("certificate.pem")
                + " covered only localhost, 127.0.0.1; made a self-signed HTTPS certificate for localhost, 127.0.0.1,"
                + " 192.0.2.2 in "), both.how());
        assertEquals(Set.copyOf(direct), alternativeNames(both.identity().chain().getFirst()));
        Certificates.Loaded again = new Certificates.SelfSigned(dir, NAMES).load(Instant.now());
        assertEquals(both.identity().chainPem(), again.identity().chainPem(), "it covers loopback too: kept");
        Certificates.Loaded other = new Certificates.SelfSigned(dir, List.of("localhost", "198.51.100.7"))
                .load(Instant.now());
        assertEquals(Set.of("localhost", "127.0.0.1", "192.0.2.2", "198.51.100.7"),
                alternativeNames(other.identity().chain().getFirst()));
    }

    @Test
    void givenFilesAreReadAndNeverWritten(@TempDir Path dir) throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("site.example");
        Path chain = Files.writeString(dir.resolve("chain.pem"), identity.chainPem());
        Path key = Files.writeString(dir.resolve("private.pem"), identity.keyPem());
        Certificates.Loaded loaded = new Certificates.Given(chain, key).load(Instant.now());
        assertEquals(identity.chain(), loaded.identity().chain());
        assertEquals(chain.toAbsolutePath(), loaded.certificate());
        assertEquals(Set.of("chain.pem", "private.pem"), files(dir));
    }

    @Test
    void halfAFolderOrGarbageIsRefusedNotOverwritten(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("certificate.pem"), "not a certificate");
        Certificates.SelfSigned selfSigned = new Certificates.SelfSigned(dir, NAMES);
        IOException half = assertThrows(IOException.class, () -> selfSigned.load(Instant.now()));
        assertTrue(half.getMessage().endsWith("holds only one of certificate.pem and key.pem;"
                + " remove the folder to have a new self-signed certificate made"), half.getMessage());

        Files.writeString(dir.resolve("key.pem"), "nor a key");
        IOException garbage = assertThrows(IOException.class, () -> selfSigned.load(Instant.now()));
        assertTrue(garbage.getMessage().startsWith("no usable certificate and key in "), garbage.getMessage());
        assertEquals("not a certificate", Files.readString(dir.resolve("certificate.pem")));
    }

    private static Set<String> files(Path folder) throws IOException {
        try (var list = Files.list(folder)) {
            return list.map(path -> path.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static Set<String> alternativeNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(name -> (String) name.get(1))
                .collect(Collectors.toSet());
    }
}

package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiteConfigTest {

    @Test
    void defaultsAreLoopbackOn8080And8443WithASelfSignedCertificateInTls() {
        SiteConfig.Parsed parsed = SiteConfig.parse(List.of());
        assertEquals(SiteConfig.defaults(), parsed.config());
        assertEquals(new SiteConfig(Ipv4Address.LOOPBACK, 8080, 8443,
                new Certificates.SelfSigned(Path.of("tls"), List.of("localhost", "127.0.0.1"))), parsed.config());
        assertEquals(List.of(), parsed.rest());
    }

    @Test
    void takesItsOptionsAndLeavesTheLaunchersInOrder() {
        SiteConfig.Parsed parsed = SiteConfig.parse(List.of("--target", "unix", "--bind", "192.0.2.7", "--http-port", "80",
                "--https-port", "0", "describe", "--tls-folder", "/var/lib/site", "--dot"));
        assertEquals(new SiteConfig(Ipv4Address.parse("192.0.2.7"), 80, 0,
                new Certificates.SelfSigned(Path.of("/var/lib/site"), List.of("localhost", "127.0.0.1", "192.0.2.7"))),
                parsed.config());
        assertEquals(List.of("--target", "unix", "describe", "--dot"), parsed.rest());
    }

    @Test
    void withoutBindTheTargetChoosesTheAddressAndTheCertificateCoversIt() {
        SiteConfig.Parsed parsed = SiteConfig.parse(List.of("--tls-folder", "state"));
        assertFalse(parsed.bindGiven());
        assertEquals(parsed.config(), parsed.on(Ipv4Address.LOOPBACK));
        assertEquals(new SiteConfig(Ipv4Address.parse("192.0.2.2"), 8080, 8443,
                new Certificates.SelfSigned(Path.of("state"), List.of("localhost", "127.0.0.1", "192.0.2.2"))),
                parsed.on(Ipv4Address.parse("192.0.2.2")));
        assertEquals(Ipv4Address.ANY, parsed.on(Ipv4Address.ANY).bind());

        SiteConfig.Parsed given = SiteConfig.parse(List.of("--bind", "127.0.0.1"));
        assertTrue(given.bindGiven());
        assertEquals(given.config(), given.on(Ipv4Address.parse("192.0.2.2")), "--bind wins over the target");
        SiteConfig.Parsed files = SiteConfig.parse(List.of("--certificate", "chain.pem", "--key", "key.pem"));
        assertEquals(files.config().certificates(), files.on(Ipv4Address.parse("192.0.2.2")).certificates());
    }

    @Test
    void everyInterfaceAddsNoNameToTheCertificate() {
        SiteConfig config = SiteConfig.parse(List.of("--bind", "0.0.0.0")).config();
        assertEquals(List.of("localhost", "127.0.0.1"), ((Certificates.SelfSigned) config.certificates()).hostNames());
    }

    @Test
    void givenFilesReplaceTheSelfSignedCertificate() {
        SiteConfig config = SiteConfig.parse(List.of("--certificate", "chain.pem", "--key", "key.pem")).config();
        assertEquals(new Certificates.Given(Path.of("chain.pem"), Path.of("key.pem")), config.certificates());
    }

    @Test
    void refusesWhatItCannotUse() {
        assertEquals("--http-port needs a value", message("--http-port"));
        assertEquals("--http-port needs a port from 0 to 65535, got \"65536\"", message("--http-port", "65536"));
        assertEquals("--https-port needs a port from 0 to 65535, got \"x\"", message("--https-port", "x"));
        assertEquals("--bind needs an IPv4 address such as 127.0.0.1, got \"localhost\"", message("--bind", "localhost"));
        assertEquals("--certificate and --key go together", message("--certificate", "chain.pem"));
        assertEquals("--certificate and --key go together", message("--key", "key.pem"));
        assertEquals("HTTP and HTTPS need two ports, both are 8443", message("--http-port", "8443"));
    }

    @Test
    void twoFreePortsAreTwoPorts() {
        SiteConfig config = SiteConfig.parse(List.of("--http-port", "0", "--https-port", "0")).config();
        assertEquals(0, config.httpPort());
        assertEquals(0, config.httpsPort());
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> SiteConfig.parse(List.of(args))).getMessage();
    }
}

package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.net.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged unikernel on the {@code direct} target, with only the target changed: Morgana's own
 * Ethernet, ARP, IPv4 and TCP over a TAP device, judged by Linux's curl and wrk as real peers (the network
 * rule of TESTING.md). The test creates a namespace and starts the unikernel inside it with
 * {@code ip netns exec}, so the TAP is born there and no frame reaches the root namespace; Linux's side of the
 * TAP is 192.0.2.1/24, Morgana is 192.0.2.2, on the default ports. Every command is bounded in time.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StaticWebsiteOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final Pattern SERVING = Pattern.compile("^serving the site on http://" + Pattern.quote(MORGANA)
            + ":8080/ and https://" + Pattern.quote(MORGANA) + ":8443/ \\(listening on " + Pattern.quote(MORGANA) + "\\)");
    private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in ");

    @Test
    void servesEveryFileOverHttpAndHttpsWithstandsWrkAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        Netns.requireTapAndNamespaces();
        String wrk = Netns.require("wrk");
        try (Netns netns = Netns.create("website")) {
            String tap = Netns.tapName();
            EndToEnd endToEnd = new EndToEnd(dir, List.of("ip", "netns", "exec", netns.name()));
            // No --bind: on direct the site listens on the stack's address, which the certificate covers.
            EndToEnd.Website website = endToEnd.start("--target", "direct", "--tap", tap, "--ip", MORGANA + "/24",
                    "--tls-folder", dir.resolve("tls").toString());
            try {
                website.awaitLine(SERVING);
                // The TAP exists once the devices have started, which is before the site says it serves.
                Netns.check(10, "ip", "-n", netns.name(), "addr", "add", LINUX + "/24", "dev", tap);
                Netns.check(10, "ip", "-n", netns.name(), "link", "set", tap, "up");
                Path certificate = dir.resolve("tls/certificate.pem");
                assertTrue(Files.isRegularFile(certificate), "the self-signed certificate is made at first start");

                // HTTPS to the address itself: curl checks that the certificate names it.
                int requests = endToEnd.fetchEverything("http://" + MORGANA + ":8080", "https://" + MORGANA + ":8443",
                        certificate);
                endToEnd.assertLogged(website, requests);

                // Keep-alive connections at once, then a TLS handshake per connection, on Morgana's TCP.
                assertWrkClean(netns, wrk, "-t2", "-c16", "-d2s", "--timeout", "5s",
                        "http://" + MORGANA + ":8080/index.html");
                assertWrkClean(netns, wrk, "-t1", "-c8", "-d2s", "--timeout", "5s", "-H", "Connection: close",
                        "https://" + MORGANA + ":8443/style.css");

                website.stop();
            } finally {
                website.destroy();
            }
        }
    }

    /** A bounded wrk run: requests were answered, all with 2xx, and no connection failed. */
    private static void assertWrkClean(Netns netns, String wrk, String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = wrk;
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Netns.Result run = netns.exec(30, command);
        assertEquals(0, run.exit(), run.output());
        Matcher requests = WRK_REQUESTS.matcher(run.output());
        assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, run.output());
        assertFalse(run.output().contains("Socket errors"), run.output());
        assertFalse(run.output().contains("Non-2xx or 3xx responses"), run.output());
    }
}

package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The packaged unikernel on the default target, {@code unix}, end to end: started as a user starts it (the
 * jar on the module path), judged by curl over loopback, then stopped with SIGTERM. Runs after
 * {@code package} (Maven's integration-test phase), which is when the jar exists.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StaticWebsiteTest {

    private static final Pattern SERVING =
            Pattern.compile("^serving the site on http://localhost:(\\d+)/ and https://localhost:(\\d+)/ ");

    @Test
    void servesEveryFileOverHttpAndHttpsAnswersConditionalAndRangeRequestsAndStopsCleanlyOnSigterm(@TempDir Path dir)
            throws Exception {
        EndToEnd endToEnd = new EndToEnd(dir, List.of());
        EndToEnd.Website website = endToEnd.start("--http-port", "0", "--https-port", "0", "--tls-folder",
                dir.resolve("tls").toString());
        try {
            Matcher serving = website.awaitLine(SERVING);
            int http = Integer.parseInt(serving.group(1));
            int https = Integer.parseInt(serving.group(2));
            Path certificate = dir.resolve("tls/certificate.pem");
            assertTrue(Files.isRegularFile(certificate), "the self-signed certificate is made at first start");
            int requests = endToEnd.fetchEverything("http://127.0.0.1:" + http, "https://localhost:" + https,
                    certificate, "--resolve", "localhost:" + https + ":127.0.0.1");
            // One line per request, each with method, path, status, bytes and microseconds.
            endToEnd.assertLogged(website, requests);
            website.stop();
        } finally {
            website.destroy();
        }
    }
}

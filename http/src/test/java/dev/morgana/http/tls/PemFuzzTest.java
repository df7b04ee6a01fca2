package dev.morgana.http.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link Pem}, which hands configuration text to Bouncy Castle's parser: it
 * must return a value or throw {@link IllegalArgumentException}, never anything else. An ordinary build
 * replays the corpus in {@code PemFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class PemFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void pemParsesOrRefuses(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsAsciiString();
        try {
            List<X509Certificate> certificates = Pem.certificates(text);
            // What was accepted is written and read back unchanged.
            assertEquals(certificates, Pem.certificates(Pem.encode(certificates)));
        } catch (IllegalArgumentException refused) {
            // the one allowed failure
        }
        try {
            Pem.privateKey(text);
        } catch (IllegalArgumentException refused) {
            // the one allowed failure
        }
    }
}

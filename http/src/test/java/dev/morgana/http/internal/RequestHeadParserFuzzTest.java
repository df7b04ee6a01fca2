package dev.morgana.http.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the request-head parser, which reads whatever a client sends. An ordinary
 * build replays the corpus in {@code RequestHeadParserFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see
 * TESTING.md).
 */
class RequestHeadParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesAreParsedConsistentlyOrRefused(byte @NotNull [] bytes) {
        RequestHeadParserPropertiesTest.assertParsedConsistentlyOrRefused(bytes);
    }
}

package dev.morgana.http.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the response-head parser and the response framing, which read whatever a
 * server sends. An ordinary build replays the corpus in {@code ResponseHeadParserFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class ResponseHeadParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesAreParsedConsistentlyOrRefused(byte @NotNull [] bytes) {
        ResponseHeadParserPropertiesTest.assertParsedConsistentlyOrRefused(bytes);
    }
}

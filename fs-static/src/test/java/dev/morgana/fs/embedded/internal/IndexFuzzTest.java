package dev.morgana.fs.embedded.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the index reader, which must turn a corrupt jar into a clear error. An
 * ordinary build replays the corpus in {@code IndexFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see
 * TESTING.md).
 */
class IndexFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesAreReadCanonicallyOrRefused(byte @NotNull [] bytes) {
        IndexPropertiesTest.assertParsedCanonicallyOrRefused(bytes);
    }
}

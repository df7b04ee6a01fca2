package dev.morgana.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing of the value-type parsers, which read untrusted text (URL paths become keys).
 * An ordinary build replays the corpus in {@code ValueTypeParsersFuzzTestInputs}; {@code JAZZER_FUZZ=1}
 * fuzzes (see TESTING.md).
 */
class ValueTypeParsersFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsersAcceptCanonicallyOrRefuse(@NotNull String text) {
        for (Function<String, Object> parser : ValueTypePropertiesTest.PARSERS) {
            Object value;
            try {
                value = parser.apply(text);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            assertEquals(value, parser.apply(value.toString()));
        }
    }
}

package dev.morgana.net.tcpip.icmp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the ICMP parser and of the layer behind it. An ordinary build replays the
 * corpus in {@code IcmpFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class IcmpFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyMessageIsParsedCanonicallyOrRefused(byte @NotNull [] bytes) {
        IcmpPropertiesTest.assertParsedCanonicallyOrRefused(bytes);
        IcmpPropertiesTest.assertLayerSurvives(bytes);
    }
}

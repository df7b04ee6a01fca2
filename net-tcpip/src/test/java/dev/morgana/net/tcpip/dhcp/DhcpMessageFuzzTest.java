package dev.morgana.net.tcpip.dhcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the DHCP parser. An ordinary build replays the corpus in
 * {@code DhcpMessageFuzzTestInputs} (the captured messages and a few edge cases); {@code JAZZER_FUZZ=1}
 * fuzzes (see TESTING.md).
 */
class DhcpMessageFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesParseCanonicallyOrAreRefused(byte @NotNull [] bytes) {
        DhcpMessagePropertiesTest.assertParsedCanonicallyOrRefused(bytes);
    }
}

package dev.morgana.net.tcpip.tcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the TCP parser (segments from 192.0.2.10 to 192.0.2.11, the addresses the
 * checksum covers). Each input is tried as it is and with its checksum put right, so that mutations get past
 * the checksum to the data offset and the options. An ordinary build replays the corpus in
 * {@code TcpFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class TcpFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anySegmentIsParsedOrRefused(byte @NotNull [] bytes) {
        TcpPropertiesTest.assertParsedOrRefused(bytes.clone());
        TcpPropertiesTest.assertParsedOrRefused(TcpPropertiesTest.withChecksumIfLongEnough(bytes.clone()));
    }
}

package dev.morgana.net.tcpip.udp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the UDP parser and of the layer behind it (datagrams from 192.0.2.10 to
 * 192.0.2.11, the addresses the checksum covers). An ordinary build replays the corpus in
 * {@code UdpFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class UdpFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyDatagramIsParsedCanonicallyOrRefused(byte @NotNull [] bytes) {
        UdpPropertiesTest.assertParsedCanonicallyOrRefused(bytes);
        UdpPropertiesTest.assertLayerSurvives(bytes);
    }
}

package dev.morgana.net.tcpip.ipv4;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the IPv4 parser and of the layer's receive path behind it. An ordinary build
 * replays the corpus in {@code Ipv4FuzzTestInputs} (Linux's packets of the golden capture, a header with
 * options, a short one); {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class Ipv4FuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyPacketIsParsedCanonicallyOrRefused(byte @NotNull [] bytes) {
        Ipv4PropertiesTest.assertParsedCanonicallyOrRefused(bytes);
        Ipv4PropertiesTest.assertLayerSurvives(bytes);
    }

    @FuzzTest(maxDuration = "60s")
    void anyFragmentsReassembleWithinTheBounds(byte @NotNull [] bytes) {
        // The bytes as a run of packets, each behind a two-byte length, so that the fuzzer can build
        // fragment sequences; all are aimed at the layer's address.
        java.util.List<byte[]> packets = new java.util.ArrayList<>();
        for (int at = 0; at + 2 <= bytes.length && packets.size() < 64; ) {
            int length = Math.min((bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF, bytes.length - at - 2);
            packets.add(java.util.Arrays.copyOfRange(bytes, at + 2, at + 2 + length));
            at += 2 + length;
        }
        Ipv4PropertiesTest.assertLayerSurvives(packets.toArray(byte[][]::new));
    }
}

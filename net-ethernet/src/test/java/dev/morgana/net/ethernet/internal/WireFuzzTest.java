package dev.morgana.net.ethernet.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the Ethernet and ARP parsers and of the layers behind them. An ordinary
 * build replays the corpora in {@code WireFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see TESTING.md).
 */
class WireFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyFrameIsParsedCanonicallyOrRefused(byte @NotNull [] bytes) {
        WirePropertiesTest.assertFrameParsedCanonicallyOrRefused(bytes);
        WirePropertiesTest.assertLayersSurvive(bytes);
    }

    @FuzzTest(maxDuration = "60s")
    void anyArpPacketIsParsedCanonicallyOrRefused(byte @NotNull [] bytes) {
        WirePropertiesTest.assertArpParsedCanonicallyOrRefused(bytes);
        byte[] frame = new byte[14 + bytes.length];
        // Behind a broadcast ARP header, so that the whole receive path sees the packet.
        java.util.Arrays.fill(frame, 0, 6, (byte) 0xFF);
        frame[12] = 0x08;
        frame[13] = 0x06;
        System.arraycopy(bytes, 0, frame, 14, bytes.length);
        WirePropertiesTest.assertLayersSurvive(frame);
    }
}

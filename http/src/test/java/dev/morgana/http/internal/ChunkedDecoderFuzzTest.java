package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Coverage-guided fuzzing of the chunked-body decoder: on any bytes it refuses with 400 or decodes, and
 * how the bytes are split never changes the outcome. The corpus is in {@code ChunkedDecoderFuzzTestInputs}.
 */
class ChunkedDecoderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesDecodeTheSameHoweverSplitOrAreRefused(byte @NotNull [] bytes) {
        ChunkedDecoderTest.Decoded whole;
        try {
            whole = ChunkedDecoderTest.decode(bytes, Math.max(1, bytes.length));
        } catch (RequestRejected refused) {
            assertEquals(400, refused.status());
            return;
        }
        assertTrue(whole.consumed() <= bytes.length);
        ChunkedDecoderTest.Decoded split;
        try {
            split = ChunkedDecoderTest.decode(bytes, 1 + bytes.length % 7);
        } catch (RequestRejected refused) {
            throw new AssertionError("refused in pieces what was accepted whole", refused);
        }
        assertArrayEquals(whole.data(), split.data());
        assertEquals(whole.consumed(), split.consumed());
        assertEquals(whole.done(), split.done());
    }
}

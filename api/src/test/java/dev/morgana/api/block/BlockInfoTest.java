package dev.morgana.api.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockInfoTest {

    @Test
    void parsesAndFormats() {
        BlockInfo info = BlockInfo.parse("2048x512:rw");
        assertEquals(new BlockInfo(512, 2048, true), info);
        assertEquals(1 << 20, info.sizeBytes());
        assertEquals("2048x512:rw", info.toString());
        assertEquals("0x4096:ro", new BlockInfo(4096, 0, false).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2048x512", "2048x512:RW", "2048x500:rw", "2048x256:rw", "2048x131072:rw", "x512:rw",
        "2048x:rw", "02048x512:rw", "-1x512:rw", "99999999999999999999x512:rw", "18014398509481984x512:rw", "2048 x512:rw"})
    void rejectsMalformedOrImpossibleGeometry(String text) {
        assertThrows(IllegalArgumentException.class, () -> BlockInfo.parse(text));
    }
}

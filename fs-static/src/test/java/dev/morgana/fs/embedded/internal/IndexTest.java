package dev.morgana.fs.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvKey;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden bytes of the index format: parse them, build the same index, emit it, and every rule refused. */
class IndexTest {

    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** A root holding value a ("abc", in pack 0) and dictionary d, which holds the empty value e. */
    static final String GOLDEN = String.join("",
            "4d474b56", "0001", "0000", // magic, version, flags
            "00000001", "0000000000000003", // one pack of 3 bytes
            "00000004", // four entries
            "01", "0000", "", "0000000000000000", // the root, modified at the epoch
            "02", "0001", "61", "00000000000003e8", "0000000000000003", "00000000", "0000000000000000", ABC,
            "01", "0001", "64", "00000000000007d0",
            "02", "0003", "642f65", "ffffffffffffffff", "0000000000000000", "00000000", "0000000000000000", EMPTY);

    static final Index INDEX = new Index(List.of(3L), List.of(
            new Index.Dictionary(KvKey.ROOT, 0),
            new Index.Value(KvKey.of("a"), 1000, 3, 0, 0, ABC),
            new Index.Dictionary(KvKey.of("d"), 2000),
            new Index.Value(KvKey.of("d", "e"), -1, 0, 0, 0, EMPTY)));

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static Index parse(String hex) throws CorruptIndexException {
        return Index.parse(MemorySegment.ofArray(hex(hex)));
    }

    @Test
    void parsesTheGoldenBytes() throws CorruptIndexException {
        assertEquals(INDEX, parse(GOLDEN));
    }

    @Test
    void emitsTheGoldenBytes() {
        assertArrayEquals(hex(GOLDEN), INDEX.emit());
    }

    @Test
    void unicodePathsAreUtf8() throws CorruptIndexException {
        Index index = new Index(List.of(), List.of(new Index.Dictionary(KvKey.ROOT, 0), new Index.Dictionary(KvKey.of("été"), 0)));
        String bytes = HexFormat.of().formatHex(index.emit());
        assertTrue(bytes.contains("0005" + "c3a974c3a9"), bytes);
        assertEquals(index, parse(bytes));
    }

    /** The golden bytes with {@code from} replaced by {@code to}, once. */
    private static String golden(String from, String to) {
        assertTrue(GOLDEN.contains(from), from);
        return GOLDEN.replaceFirst(from, to);
    }

    private static String refusal(String hex) {
        return assertThrows(CorruptIndexException.class, () -> parse(hex)).getMessage();
    }

    @Test
    void refusesOtherMagicVersionsAndFlags() {
        assertTrue(refusal(golden("4d474b56", "4d474b57")).contains("MGKV"));
        assertTrue(refusal(golden("4d474b560001", "4d474b560002")).contains("version 2"));
        assertTrue(refusal(golden("4d474b5600010000", "4d474b5600010001")).contains("flags"));
        assertTrue(refusal("").contains("truncated at byte 0"));
    }

    @Test
    void refusesTruncationAndTrailingBytes() {
        for (int length = 0; length < GOLDEN.length(); length += 2) {
            String prefix = GOLDEN.substring(0, length);
            assertTrue(refusal(prefix).contains("truncated"), "a prefix of " + length / 2 + " bytes");
        }
        assertTrue(refusal(GOLDEN + "00").contains("1 bytes follow the last entry"));
    }

    @Test
    void refusesBadEntries() throws CorruptIndexException {
        assertTrue(refusal(golden("0000000401", "0000000403")).contains("unknown kind 3"));
        // The root must come first, and be a dictionary.
        String header = "4d474b56" + "0001" + "0000" + "00000000";
        assertTrue(refusal(header + "00000000").contains("the first entry must be the root"));
        assertTrue(refusal(header + "00000001" + "01" + "0001" + "61" + "0000000000000000").contains("the first entry must be the root"));
        assertEquals(new Index(List.of(), List.of(new Index.Dictionary(KvKey.ROOT, 0))),
                parse(header + "00000001" + "01" + "0000" + "0000000000000000"), "the smallest index");
        // Paths: not UTF-8, a leading slash, and a segment KvKey refuses.
        assertTrue(refusal(golden("000161", "0001ff")).contains("not UTF-8"));
        assertTrue(refusal(golden("0003642f65", "00032f2f65")).contains("starts with '/'"));
        assertTrue(refusal(golden("0003642f65", "0004642f2e2e")).contains("not allowed"));
        assertTrue(refusal(golden("0003642f65", "0003642f2e")).contains("not allowed"));
        assertTrue(refusal(golden("0003642f65", "0003642f2f")).contains("empty segment"));
        assertTrue(refusal(golden("0003642f65", "0003642f00")).contains("NUL"));
    }

    @Test
    void refusesKeysOutOfOrderTwiceOrOutsideADictionary() {
        // "d/e" renamed "c/e": after "d", and under no dictionary.
        assertTrue(refusal(golden("0003642f65", "0003632f65")).contains("not after"));
        // "d" renamed "a": a key twice.
        assertTrue(refusal(golden("01000164", "01000161")).contains("not after"));
        // "d" made a value of the same bytes as "a": then "d/e" lies below a value.
        String dictionary = "01000164" + "00000000000007d0";
        String value = "02000164" + "00000000000007d0" + "0000000000000003" + "00000000" + "0000000000000000" + ABC;
        assertTrue(refusal(golden(dictionary, value)).contains("not inside a dictionary"));
    }

    @Test
    void refusesValuesOutsideTheirPack() {
        String a = "0000000000000003" + "00000000" + "0000000000000000" + ABC;
        assertTrue(refusal(golden(a, "0000000000000003" + "00000001" + "0000000000000000" + ABC)).contains("in pack 1"));
        assertTrue(refusal(golden(a, "0000000000000003" + "00000000" + "0000000000000001" + ABC)).contains("ends past its pack"));
        assertTrue(refusal(golden(a, "0000000000000004" + "00000000" + "0000000000000000" + ABC)).contains("ends past its pack"));
        assertTrue(refusal(golden(a, "8000000000000000" + "00000000" + "0000000000000000" + ABC)).contains("negative"));
        assertTrue(refusal(golden(a, "0000000000000003" + "ffffffff" + "0000000000000000" + ABC)).contains("in pack"));
        assertTrue(refusal(golden(a, "0000000000000003" + "00000000" + "7fffffffffffffff" + ABC)).contains("ends past its pack"));
        String e = "0000000000000000" + "00000000" + "0000000000000000" + EMPTY;
        assertTrue(refusal(golden(e, "0000000000000000" + "00000000" + "0000000000000001" + EMPTY)).contains("an empty value"));
        assertTrue(refusal(golden("00000001" + "0000000000000003", "00000001" + "ffffffffffffffff")).contains("negative size"));
    }

    @Test
    void theRecordsRefuseWhatTheBytesCannotSay() {
        assertThrows(IllegalArgumentException.class, () -> new Index.Value(KvKey.of("a"), 0, 1, 0, 0, ABC.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> new Index.Value(KvKey.ROOT, 0, 0, 0, 0, EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Index(List.of(), List.of()));
    }

    @Test
    void canonicalOrderPutsAKeyBeforeTheKeysBelowIt() {
        assertTrue(Index.compare(KvKey.of("a"), KvKey.of("a", "b")) < 0);
        assertTrue(Index.compare(KvKey.of("a", "z"), KvKey.of("a-")) < 0, "segment by segment, not as text");
        assertTrue(Index.compare(KvKey.ROOT, KvKey.of("a")) < 0);
        assertEquals(0, Index.compare(KvKey.of("a", "b"), KvKey.of("a", "b")));
    }
}

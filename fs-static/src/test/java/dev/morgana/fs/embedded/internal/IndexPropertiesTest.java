package dev.morgana.fs.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.kv.KvKey;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/** Seeded properties of the index format (replay a failure with -Dmorgana.seed=N). */
class IndexPropertiesTest {

    /** A valid index of up to {@code maxEntries} keys under random dictionaries, with random packs. */
    static Index index(RandomGenerator random, int maxEntries) {
        List<Long> packs = new ArrayList<>();
        for (int i = random.nextInt(0, 4); i > 0; i--) {
            packs.add(random.nextLong(0, 1L << 40));
        }
        TreeMap<KvKey, Boolean> keys = new TreeMap<>(Index::compare); // true for a dictionary
        keys.put(KvKey.ROOT, true);
        for (int i = random.nextInt(0, maxEntries); i > 0; i--) {
            List<KvKey> dictionaries = keys.entrySet().stream().filter(e -> e.getValue()).map(e -> e.getKey()).toList();
            KvKey parent = dictionaries.get(random.nextInt(dictionaries.size()));
            try {
                keys.putIfAbsent(parent.resolve(ApiGen.kvSegments().next(random)), random.nextBoolean());
            } catch (IllegalArgumentException tooLong) {
                // a key past KvKey's limits: draw another
            }
        }
        List<Index.Entry> entries = new ArrayList<>();
        for (var key : keys.entrySet()) {
            long modified = random.nextLong();
            if (key.getValue()) {
                entries.add(new Index.Dictionary(key.getKey(), modified));
                continue;
            }
            byte[] sha = new byte[32];
            random.nextBytes(sha);
            String hex = HexFormat.of().formatHex(sha);
            int pack = packs.isEmpty() ? -1 : random.nextInt(packs.size());
            if (pack < 0 || packs.get(pack) == 0 || random.nextInt(8) == 0) {
                entries.add(new Index.Value(key.getKey(), modified, 0, 0, 0, hex));
            } else {
                long size = random.nextLong(1, packs.get(pack) + 1);
                long offset = random.nextLong(0, packs.get(pack) - size + 1);
                entries.add(new Index.Value(key.getKey(), modified, size, pack, offset, hex));
            }
        }
        return new Index(packs, entries);
    }

    @Property
    void parseOfEmitIsIdentity(RandomGenerator random) throws CorruptIndexException {
        Index index = index(random, 40);
        assertEquals(index, Index.parse(MemorySegment.ofArray(index.emit())));
    }

    @Property
    void aDamagedIndexIsReadAsItsBytesSayOrRefused(RandomGenerator random) {
        byte[] bytes = index(random, 10).emit();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int mutations = random.nextInt(1, 4); mutations > 0; mutations--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            default -> {
                int at = random.nextInt(bytes.length);
                bytes[at] = (byte) (bytes[at] ^ (1 << random.nextInt(8)));
            }
        }
        assertParsedCanonicallyOrRefused(bytes);
    }

    @Property
    void randomBytesAreRefused(RandomGenerator random) {
        byte[] bytes = new byte[random.nextInt(0, 200)];
        random.nextBytes(bytes);
        if (bytes.length >= 4 && random.nextBoolean()) {
            bytes[0] = 'M';
            bytes[1] = 'G';
            bytes[2] = 'K';
            bytes[3] = 'V';
        }
        assertParsedCanonicallyOrRefused(bytes);
    }

    /**
     * The reader's contract on any bytes: refused with its own error, or read as an index that writes back
     * to exactly those bytes (the format has one spelling of each index, so nothing was ignored).
     */
    static void assertParsedCanonicallyOrRefused(byte[] bytes) {
        Index index;
        try {
            index = Index.parse(MemorySegment.ofArray(bytes));
        } catch (CorruptIndexException refused) {
            return;
        }
        assertArrayEquals(bytes, index.emit());
    }
}

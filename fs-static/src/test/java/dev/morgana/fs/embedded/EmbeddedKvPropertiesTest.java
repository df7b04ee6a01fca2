package dev.morgana.fs.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Property;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** Seeded properties: any tree, packed any way, reads back as it was written (replay with -Dmorgana.seed=N). */
class EmbeddedKvPropertiesTest {

    @Property(tries = 60)
    void readsBackAnyTreeWhateverThePackSize(RandomGenerator random) throws Exception {
        TreeMap<KvKey, byte[]> tree = TestStores.tree();
        List<KvKey> dictionaries = new ArrayList<>(List.of(KvKey.ROOT));
        for (int i = random.nextInt(0, 30); i > 0; i--) {
            KvKey key = dictionaries.get(random.nextInt(dictionaries.size())).resolve(ApiGen.kvSegments().next(random));
            if (tree.containsKey(key)) {
                continue;
            }
            if (random.nextInt(4) == 0) {
                tree.put(key, null);
                dictionaries.add(key);
            } else {
                byte[] value = new byte[random.nextInt(0, 300)];
                random.nextBytes(value);
                tree.put(key, value);
            }
        }
        Path root = Files.createTempDirectory("embedded-kv-property");
        try {
            TestStores.write(root, "s", tree, random.nextLong(1, 1000), random.nextLong());
            EmbeddedKv store = EmbeddedKv.open("s", TestStores.loader(root));
            Map<KvKey, List<KvRo.Entry>> listings = new TreeMap<>(Comparator.comparing(KvKey::toString));
            listings.put(KvKey.ROOT, new ArrayList<>());
            tree.forEach((key, value) -> {
                if (value == null) {
                    listings.put(key, new ArrayList<>());
                }
            });
            // The tree is in canonical order, so each listing fills in name order.
            tree.forEach((key, value) -> listings.get(key.parent())
                    .add(new KvRo.Entry(key.name(), value == null ? KvRo.Kind.DICTIONARY : KvRo.Kind.VALUE)));
            for (var listing : listings.entrySet()) {
                assertEquals(listing.getValue(), store.list(listing.getKey()), listing.getKey().toString());
            }
            for (var entry : tree.entrySet()) {
                byte[] value = entry.getValue();
                if (value == null) {
                    continue;
                }
                assertArrayEquals(value, store.get(entry.getKey()).toArray(ValueLayout.JAVA_BYTE));
                long offset = random.nextLong(0, value.length + 2);
                long length = random.nextLong(0, value.length + 2);
                int from = (int) Math.min(offset, value.length);
                int to = (int) Math.min(value.length, from + length);
                assertArrayEquals(Arrays.copyOfRange(value, from, to),
                        store.getPartial(entry.getKey(), offset, length).toArray(ValueLayout.JAVA_BYTE));
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            } catch (IOException e) {
                // A leftover temporary folder is no failure of the store.
            }
        }
    }
}

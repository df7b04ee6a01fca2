package dev.morgana.fs.embedded;

import dev.morgana.api.kv.KvKey;
import dev.morgana.fs.embedded.internal.DictionaryDigest;
import dev.morgana.fs.embedded.internal.Index;
import dev.morgana.fs.embedded.internal.Layout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes stores for the tests the simple way (no sharing of equal contents, a new pack whenever one is
 * full): the generator itself lives in the plugin, which depends on this module.
 */
final class TestStores {

    private TestStores() {}

    /** A tree: a value's key maps to its bytes, a dictionary's to {@code null}; parents are added. */
    static TreeMap<KvKey, byte[]> tree() {
        return new TreeMap<>(Index::compare);
    }

    /** Writes {@code tree} as store {@code store} under {@code root}, every key modified at {@code modified}. */
    static void write(Path root, String store, Map<KvKey, byte[]> tree, long packSize, long modified) throws IOException {
        TreeMap<KvKey, byte[]> all = tree();
        all.put(KvKey.ROOT, null);
        for (var entry : tree.entrySet()) {
            for (KvKey parent = entry.getKey(); !parent.isRoot(); ) {
                parent = parent.parent();
                all.put(parent, null);
            }
            all.put(entry.getKey(), entry.getValue());
        }
        Path folder = Files.createDirectories(root.resolve(Layout.folder(store)));
        List<Long> packs = new ArrayList<>();
        ByteArrayOutputStream pack = null;
        List<Index.Entry> entries = new ArrayList<>();
        for (var entry : all.entrySet()) {
            byte[] value = entry.getValue();
            if (value == null) {
                entries.add(new Index.Dictionary(entry.getKey(), modified));
                continue;
            }
            String sha = HexFormat.of().formatHex(DictionaryDigest.sha256().digest(value));
            if (value.length == 0) {
                entries.add(new Index.Value(entry.getKey(), modified, 0, 0, 0, sha));
                continue;
            }
            if (pack == null || pack.size() + value.length > packSize) {
                if (pack != null) {
                    Files.write(folder.resolve("pack-" + packs.size()), pack.toByteArray());
                    packs.add((long) pack.size());
                }
                pack = new ByteArrayOutputStream();
            }
            entries.add(new Index.Value(entry.getKey(), modified, value.length, packs.size(), pack.size(), sha));
            pack.write(value);
        }
        if (pack != null) {
            Files.write(folder.resolve("pack-" + packs.size()), pack.toByteArray());
            packs.add((long) pack.size());
        }
        Files.write(folder.resolve("index"), new Index(packs, entries).emit());
    }

    /** A class loader that sees {@code root} alone, as the application's would see its jar. */
    static ClassLoader loader(Path root) {
        try {
            return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}

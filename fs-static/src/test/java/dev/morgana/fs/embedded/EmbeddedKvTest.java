package dev.morgana.fs.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.internal.Layout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store over resources written by {@link TestStores}: the KvRo contract, slices without copies, broken jars. */
class EmbeddedKvTest {

    static final long MODIFIED = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path temp;

    private EmbeddedKv small() throws IOException {
        Map<KvKey, byte[]> tree = TestStores.tree();
        tree.put(KvKey.of("index.html"), "<h1>hello</h1>".getBytes(UTF_8));
        tree.put(KvKey.of("abc"), "abc".getBytes(UTF_8));
        tree.put(KvKey.of("empty"), new byte[0]);
        tree.put(KvKey.of("css", "site.css"), "body{}".getBytes(UTF_8));
        tree.put(KvKey.of("nothing-here"), null);
        TestStores.write(temp, "site", tree, 1 << 20, MODIFIED);
        return EmbeddedKv.open("site", TestStores.loader(temp));
    }

    private static String text(MemorySegment segment) {
        return new String(segment.toArray(ValueLayout.JAVA_BYTE), UTF_8);
    }

    @Test
    void readsValuesDictionariesAndTheirMetadata() throws Exception {
        EmbeddedKv store = small();
        assertEquals("<h1>hello</h1>", text(store.get(KvKey.of("index.html"))));
        assertEquals("body{}", text(store.get(KvKey.of("css", "site.css"))));
        assertEquals(0, store.get(KvKey.of("empty")).byteSize());
        assertEquals(List.of(new KvRo.Entry("abc", KvRo.Kind.VALUE), new KvRo.Entry("css", KvRo.Kind.DICTIONARY),
                new KvRo.Entry("empty", KvRo.Kind.VALUE), new KvRo.Entry("index.html", KvRo.Kind.VALUE),
                new KvRo.Entry("nothing-here", KvRo.Kind.DICTIONARY)), store.list(KvKey.ROOT));
        assertEquals(List.of(), store.list(KvKey.of("nothing-here")));
        assertEquals(Optional.of(KvRo.Kind.VALUE), store.exists(KvKey.of("abc")));
        assertEquals(Optional.of(KvRo.Kind.DICTIONARY), store.exists(KvKey.ROOT));
        assertEquals(Optional.empty(), store.exists(KvKey.of("abc", "below")));
        assertEquals(14, store.size(KvKey.of("index.html")));
        assertEquals(Instant.ofEpochMilli(MODIFIED), store.lastModified(KvKey.of("css")));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", store.digest(KvKey.of("abc")));
        assertEquals(64, store.digest(KvKey.ROOT).length());
        assertTrue(store.toString().contains("site"), store.toString());
    }

    @Test
    void dictionaryDigestsFollowTheFolderStoresFormula() throws Exception {
        EmbeddedKv store = small();
        // The formula for /css, which holds one value, site.css: SHA-256 of "v", the name, NUL, its digest, newline.
        String css = store.digest(KvKey.of("css", "site.css"));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(("vsite.css\0" + css + "\n").getBytes(UTF_8)));
        assertEquals(expected, store.digest(KvKey.of("css")));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", store.digest(KvKey.of("nothing-here")),
                "no entries: the SHA-256 of nothing, as for an empty value");

        // Yet a dictionary's digest tells an empty value from an empty dictionary, as it covers the kinds.
        Map<KvKey, byte[]> value = TestStores.tree();
        value.put(KvKey.of("x"), new byte[0]);
        Map<KvKey, byte[]> dictionary = TestStores.tree();
        dictionary.put(KvKey.of("x"), null);
        TestStores.write(temp.resolve("v"), "s", value, 1, MODIFIED);
        TestStores.write(temp.resolve("d"), "s", dictionary, 1, MODIFIED);
        assertNotEquals(EmbeddedKv.open("s", TestStores.loader(temp.resolve("v"))).digest(KvKey.ROOT),
                EmbeddedKv.open("s", TestStores.loader(temp.resolve("d"))).digest(KvKey.ROOT));
    }

    @Test
    void errorsSayWhatIsThereInstead() throws Exception {
        EmbeddedKv store = small();
        assertThrows(KvException.NotFound.class, () -> store.get(KvKey.of("missing")));
        assertThrows(KvException.NotFound.class, () -> store.get(KvKey.of("abc", "below")));
        assertThrows(KvException.ValueExpected.class, () -> store.get(KvKey.of("css")));
        assertThrows(KvException.ValueExpected.class, () -> store.size(KvKey.ROOT));
        assertThrows(KvException.DictionaryExpected.class, () -> store.list(KvKey.of("abc")));
        assertThrows(KvException.NotFound.class, () -> store.list(KvKey.of("missing")));
        assertThrows(KvException.NotFound.class, () -> store.digest(KvKey.of("missing")));
        assertThrows(KvException.NotFound.class, () -> store.lastModified(KvKey.of("missing")));
        assertThrows(IllegalArgumentException.class, () -> store.getPartial(KvKey.of("abc"), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> store.getPartial(KvKey.of("abc"), 0, -1));
        assertThrows(UnsupportedOperationException.class, () -> store.list(KvKey.ROOT).clear());
    }

    @Test
    void partialReadsAreClippedToTheValue() throws Exception {
        EmbeddedKv store = small();
        KvKey key = KvKey.of("index.html");
        assertEquals("hello", text(store.getPartial(key, 4, 5)));
        assertEquals("hello</h1>", text(store.getPartial(key, 4, 1000)));
        assertEquals("<h1>hello</h1>", text(store.getPartial(key, 0, Long.MAX_VALUE)));
        assertEquals(0, store.getPartial(key, 14, 10).byteSize());
        assertEquals(0, store.getPartial(key, Long.MAX_VALUE, Long.MAX_VALUE).byteSize());
        assertEquals(0, store.getPartial(key, 3, 0).byteSize());
        assertEquals(0, store.getPartial(KvKey.of("empty"), 0, 10).byteSize());
    }

    @Test
    void valuesAreReadOnlySlicesOfOnePackNotCopies() throws Exception {
        EmbeddedKv store = small();
        MemorySegment index = store.get(KvKey.of("index.html"));
        MemorySegment again = store.get(KvKey.of("index.html"));
        MemorySegment part = store.getPartial(KvKey.of("index.html"), 4, 5);
        assertTrue(index.isNative(), "packs live in native memory");
        assertEquals(index.address(), again.address(), "the same bytes, not a copy");
        assertEquals(index.address() + 4, part.address());
        assertTrue(index.isReadOnly() && part.isReadOnly() && store.get(KvKey.of("empty")).isReadOnly());
        // The JDK refuses a write to a read-only segment with IllegalArgumentException.
        assertThrows(IllegalArgumentException.class, () -> index.set(ValueLayout.JAVA_BYTE, 0, (byte) 0));
    }

    @Test
    void aPackIsLoadedOnceHoweverManyAskAtOnce() throws Exception {
        EmbeddedKv store = small();
        List<Future<Long>> addresses = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                addresses.add(threads.submit(() -> store.get(KvKey.of("abc")).address()));
            }
        }
        Set<Long> distinct = new HashSet<>();
        for (Future<Long> address : addresses) {
            distinct.add(address.get());
        }
        assertEquals(1, distinct.size());
    }

    @Test
    void packsAreReadOnlyWhenNeededAndABrokenOneFailsItsValuesOnly() throws Exception {
        Map<KvKey, byte[]> tree = TestStores.tree();
        tree.put(KvKey.of("a"), "aaaa".getBytes(UTF_8));
        tree.put(KvKey.of("b"), "bbbb".getBytes(UTF_8));
        tree.put(KvKey.of("c"), "cccc".getBytes(UTF_8));
        TestStores.write(temp, "three", tree, 4, MODIFIED);
        Path folder = temp.resolve(Layout.folder("three"));
        Files.delete(folder.resolve("pack-1"));
        Files.write(folder.resolve("pack-2"), "cc".getBytes(UTF_8));
        EmbeddedKv store = EmbeddedKv.open("three", TestStores.loader(temp));

        assertEquals("aaaa", text(store.get(KvKey.of("a"))));
        assertEquals(4, store.size(KvKey.of("b")), "the index alone answers");
        assertEquals(3, store.list(KvKey.ROOT).size());
        KvException.Failed missing = assertThrows(KvException.Failed.class, () -> store.get(KvKey.of("b")));
        assertTrue(missing.getMessage().contains("META-INF/morgana/kv/three/pack-1"), missing.getMessage());
        KvException.Failed truncated = assertThrows(KvException.Failed.class, () -> store.get(KvKey.of("c")));
        assertTrue(truncated.getMessage().contains("ends after 2 bytes, but the index says 4"), truncated.getMessage());

        Files.write(folder.resolve("pack-2"), "ccccc".getBytes(UTF_8));
        KvException.Failed longer = assertThrows(KvException.Failed.class,
                () -> EmbeddedKv.open("three", TestStores.loader(temp)).get(KvKey.of("c")));
        assertTrue(longer.getMessage().contains("longer than the 4 bytes"), longer.getMessage());
    }

    @Test
    void aMissingOrCorruptStoreFailsWhenOpenedNamingItsResource() throws Exception {
        IOException missing = assertThrows(IOException.class, () -> EmbeddedKv.open("site", TestStores.loader(temp)));
        assertTrue(missing.getMessage().contains("META-INF/morgana/kv/site/index is not among the resources"), missing.getMessage());
        Path index = Files.createDirectories(temp.resolve(Layout.folder("site"))).resolve("index");
        Files.write(index, "MGKV garbage".getBytes(UTF_8));
        IOException corrupt = assertThrows(IOException.class, () -> EmbeddedKv.open("site", TestStores.loader(temp)));
        assertTrue(corrupt.getMessage().contains("(META-INF/morgana/kv/site/index) is corrupt"), corrupt.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKv.open("../site", TestStores.loader(temp)));
    }

    @Test
    void twoStoresLiveSideBySide() throws Exception {
        Map<KvKey, byte[]> one = TestStores.tree();
        one.put(KvKey.of("a"), "one".getBytes(UTF_8));
        Map<KvKey, byte[]> two = TestStores.tree();
        two.put(KvKey.of("a"), "two".getBytes(UTF_8));
        TestStores.write(temp, "one", one, 1 << 20, MODIFIED);
        TestStores.write(temp, "two", two, 1 << 20, MODIFIED);
        ClassLoader loader = TestStores.loader(temp);
        assertArrayEquals("one".getBytes(UTF_8), EmbeddedKv.open("one", loader).get(KvKey.of("a")).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals("two".getBytes(UTF_8), EmbeddedKv.open("two", loader).get(KvKey.of("a")).toArray(ValueLayout.JAVA_BYTE));
    }
}

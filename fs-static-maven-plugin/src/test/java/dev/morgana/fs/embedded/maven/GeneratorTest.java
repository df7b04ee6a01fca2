package dev.morgana.fs.embedded.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.EmbeddedKv;
import dev.morgana.fs.embedded.internal.DictionaryDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against folders of edge cases: the store it writes, read back by {@link EmbeddedKv}, must
 * match the folder byte for byte; two runs give the same bytes; an unchanged folder is not written again;
 * nothing outside the folder gets in.
 */
class GeneratorTest {

    static final Instant TIMESTAMP = Instant.parse("2026-01-01T00:00:00Z");
    static final long FIFTY_MIB = 50L << 20;

    @TempDir
    Path temp;

    /** Every edge case of issue #5 but the cycle, which fails the build (see its own test). */
    static Path edgeCases(Path at, long bigFile) throws IOException {
        Path site = Files.createDirectories(at.resolve("site"));
        Files.write(site.resolve("empty"), new byte[0]);
        Files.createDirectory(site.resolve("empty-folder"));
        Files.writeString(site.resolve("été.txt"), "accents\n");
        Files.writeString(site.resolve("中文 😀.html"), "<p>unicode</p>\n");
        Path deep = Files.createDirectories(site.resolve("a/b/c"));
        Files.writeString(deep.resolve("deep.txt"), "deep\n");
        Files.writeString(site.resolve("a/same.txt"), "same bytes\n");
        Files.writeString(site.resolve("a/b/same-again.txt"), "same bytes\n");
        try (OutputStream out = Files.newOutputStream(site.resolve("big.bin"))) {
            SplittableRandom random = new SplittableRandom(5);
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < bigFile; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, bigFile - written));
            }
        }
        // Links inside the folder are followed; out of it, or dangling, left out.
        Files.createSymbolicLink(site.resolve("link-to-file"), Path.of("a/same.txt"));
        Files.createSymbolicLink(site.resolve("link-to-folder"), Path.of("a/b"));
        Path outside = Files.writeString(at.resolve("secret.txt"), "outside the folder\n");
        Files.createSymbolicLink(site.resolve("link-out"), outside);
        Files.createSymbolicLink(site.resolve("dangling"), Path.of("no-such-file"));
        return site;
    }

    Generator.Config config(Path folder, Path output, Optional<Instant> timestamp) {
        return new Generator.Config(folder, output, "site", List.of("**"), List.of(), timestamp, 1 << 20,
                output.resolveSibling(output.getFileName() + ".fingerprint"));
    }

    static EmbeddedKv open(Path output, String store) throws IOException {
        return EmbeddedKv.open(store, new URLClassLoader(new URL[] {output.toUri().toURL()}, null));
    }

    @Test
    void theStoreMatchesTheFolderByteForByte() throws IOException {
        Path site = edgeCases(temp, FIFTY_MIB);
        Path output = temp.resolve("out");
        List<String> warnings = new ArrayList<>();
        Generator.Result result = Generator.generate(config(site, output, Optional.empty()), warnings::add);
        EmbeddedKv store = open(output, "site");

        assertSameTree(site, store);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("link-out") && w.contains("out of the folder")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("dangling") && w.contains("does not resolve")), warnings.toString());

        // What the edge cases become, spelled out.
        assertEquals(Optional.of(KvRo.Kind.DICTIONARY), store.exists(KvKey.of("empty-folder")));
        assertEquals(List.of(), store.list(KvKey.of("empty-folder")));
        assertEquals(0, store.get(KvKey.of("empty")).byteSize());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", store.digest(KvKey.of("empty")));
        assertEquals("<p>unicode</p>\n", text(store.get(KvKey.of("中文 😀.html"))));
        assertEquals("same bytes\n", text(store.get(KvKey.of("link-to-file"))));
        assertEquals("deep\n", text(store.get(KvKey.of("link-to-folder", "c", "deep.txt"))));
        assertEquals(store.digest(KvKey.of("a", "b")), store.digest(KvKey.of("link-to-folder")), "a link to a folder is a copy");
        assertEquals(Optional.empty(), store.exists(KvKey.of("link-out")));
        assertEquals(Optional.empty(), store.exists(KvKey.of("dangling")));
        assertEquals(FIFTY_MIB, store.size(KvKey.of("big.bin")));

        // Equal contents are stored once: same.txt, same-again.txt, the link and its copy under link-to-folder.
        long distinct = FIFTY_MIB + "accents\n".length() + "<p>unicode</p>\n".length() + "deep\n".length() + "same bytes\n".length();
        assertEquals(distinct, result.stored());
        assertTrue(result.bytes() > result.stored());
        // The 50 MiB value has a pack of its own.
        assertEquals(3, result.packs(), "small files before big.bin, big.bin, small files after it");
    }

    @Test
    void nothingOutsideTheFolderGetsIn() throws IOException {
        Path site = edgeCases(temp, 0);
        Path output = temp.resolve("out");
        Generator.generate(config(site, output, Optional.of(TIMESTAMP)), _ -> {});
        byte[] secret = "outside the folder".getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(output)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(new String(secret, StandardCharsets.ISO_8859_1)), file + " holds the file outside");
            }
        }
        EmbeddedKv store = open(output, "site");
        List<String> keys = new ArrayList<>();
        collect(store, KvKey.ROOT, keys);
        assertTrue(keys.stream().noneMatch(key -> key.contains("secret")), keys.toString());
    }

    @Test
    void aLinkToAFolderAboveFailsTheBuild() throws IOException {
        Path site = Files.createDirectories(temp.resolve("site/a"));
        Files.createSymbolicLink(site.resolve("up"), Path.of(".."));
        IOException failure = assertThrows(IOException.class,
                () -> Generator.generate(config(temp.resolve("site"), temp.resolve("out"), Optional.empty()), _ -> {}));
        assertTrue(failure.getMessage().contains("/a/up is a symbolic link to a folder above it"), failure.getMessage());
    }

    @Test
    void twoRunsGiveTheSameBytesWhateverTheFileTimes() throws IOException {
        Path site = edgeCases(temp, 3 << 20);
        Path first = temp.resolve("first");
        Path second = temp.resolve("second");
        Generator.generate(config(site, first, Optional.of(TIMESTAMP)), _ -> {});
        try (Stream<Path> files = Files.walk(site)) {
            for (Path file : files.filter(file -> !Files.isSymbolicLink(file)).toList()) {
                Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-06-01T12:00:00Z")));
            }
        }
        Generator.generate(config(site, second, Optional.of(TIMESTAMP)), _ -> {});
        Map<String, byte[]> a = tree(first);
        Map<String, byte[]> b = tree(second);
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.keySet().containsAll(List.of("META-INF/morgana/kv/site/index", "META-INF/morgana/kv/site/pack-0")), a.keySet().toString());
        a.forEach((name, bytes) -> assertArrayEquals(bytes, b.get(name), name));
        assertEquals(TIMESTAMP, open(second, "site").lastModified(KvKey.of("a", "b", "c", "deep.txt")));
        assertEquals(TIMESTAMP, open(second, "site").lastModified(KvKey.ROOT));
    }

    @Test
    void withoutATimestampTheFilesTimesAreRecorded() throws IOException {
        Path site = Files.createDirectories(temp.resolve("site"));
        Instant modified = Instant.parse("2024-02-29T10:11:12.345Z");
        Files.setLastModifiedTime(Files.writeString(site.resolve("a.txt"), "a"), FileTime.from(modified));
        Files.setLastModifiedTime(site, FileTime.from(modified.plusSeconds(1)));
        Generator.generate(config(site, temp.resolve("out"), Optional.empty()), _ -> {});
        EmbeddedKv store = open(temp.resolve("out"), "site");
        assertEquals(modified, store.lastModified(KvKey.of("a.txt")));
        assertEquals(modified.plusSeconds(1), store.lastModified(KvKey.ROOT));
    }

    @Test
    void anUnchangedFolderIsNotWrittenAgain() throws IOException {
        Path site = edgeCases(temp, 1 << 20);
        Path output = temp.resolve("out");
        Generator.Config config = config(site, output, Optional.of(TIMESTAMP));
        assertFalse(Generator.generate(config, _ -> {}).upToDate());
        Path index = output.resolve("META-INF/morgana/kv/site/index");
        FileTime written = FileTime.from(Instant.parse("2000-01-01T00:00:00Z"));
        Files.setLastModifiedTime(index, written);

        assertTrue(Generator.generate(config, _ -> {}).upToDate());
        assertEquals(written, Files.getLastModifiedTime(index), "the index was not written again");

        // A change in the folder, in the configuration, or a lost output: generated again.
        Files.writeString(site.resolve("a/same.txt"), "changed\n");
        assertFalse(Generator.generate(config, _ -> {}).upToDate());
        assertEquals("changed\n", text(open(output, "site").get(KvKey.of("a", "same.txt"))));
        assertTrue(Generator.generate(config, _ -> {}).upToDate());
        Generator.Config excluding = new Generator.Config(site, output, "site", List.of("**"), List.of("big.bin"),
                config.timestamp(), config.packSize(), config.fingerprint());
        assertFalse(Generator.generate(excluding, _ -> {}).upToDate());
        assertEquals(Optional.empty(), open(output, "site").exists(KvKey.of("big.bin")));
        Files.delete(output.resolve("META-INF/morgana/kv/site/pack-0"));
        assertFalse(Generator.generate(excluding, _ -> {}).upToDate());
        assertTrue(Files.exists(output.resolve("META-INF/morgana/kv/site/pack-0")));
    }

    @Test
    void staleFilesOfAnEarlierRunAreRemoved() throws IOException {
        Path site = edgeCases(temp, 3 << 20);
        Path output = temp.resolve("out");
        Generator.Config config = config(site, output, Optional.of(TIMESTAMP));
        int packs = Generator.generate(config, _ -> {}).packs();
        Files.delete(site.resolve("big.bin"));
        int fewer = Generator.generate(config, _ -> {}).packs();
        assertTrue(fewer < packs);
        assertFalse(Files.exists(output.resolve("META-INF/morgana/kv/site/pack-" + fewer)));
    }

    @Test
    void includesAndExcludesSelectKeys() throws IOException {
        Path site = edgeCases(temp, 0);
        Files.writeString(Files.createDirectories(site.resolve("drafts")).resolve("x.html"), "draft");
        Path output = temp.resolve("out");
        Generator.generate(new Generator.Config(site, output, "site", List.of("**/*.html", "**/*.txt"), List.of("drafts/", "a/b/"),
                Optional.of(TIMESTAMP), 1 << 20, temp.resolve("print")), _ -> {});
        List<String> keys = new ArrayList<>();
        collect(open(output, "site"), KvKey.ROOT, keys);
        assertEquals(List.of("/", "/a", "/a/same.txt", "/link-to-folder", "/link-to-folder/c", "/link-to-folder/c/deep.txt",
                "/link-to-folder/same-again.txt", "/été.txt", "/中文 😀.html"), keys,
                "empty folders are left out unless a pattern names them; patterns match keys, not where a link leads");
    }

    @Test
    void smallPacksSplitAtValueBoundaries() throws IOException {
        Path site = Files.createDirectories(temp.resolve("site"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(site.resolve("f" + i), ("value " + i + " ").repeat(i + 1));
        }
        Path output = temp.resolve("out");
        Generator.Result result = Generator.generate(new Generator.Config(site, output, "site", List.of("**"), List.of(),
                Optional.of(TIMESTAMP), 100, temp.resolve("print")), _ -> {});
        assertTrue(result.packs() > 5, "packs: " + result.packs());
        assertSameTree(site, open(output, "site"));
    }

    @Test
    void refusesWhatCannotBeEmbedded() {
        assertThrows(IOException.class, () -> Generator.generate(config(temp.resolve("missing"), temp.resolve("out"), Optional.empty()), _ -> {}));
        assertThrows(IllegalArgumentException.class, () -> new Generator.Config(temp, temp, "Site", List.of("**"), List.of(),
                Optional.empty(), 1, temp.resolve("print")));
        assertThrows(IllegalArgumentException.class, () -> new Generator.Config(temp, temp, "..", List.of("**"), List.of(),
                Optional.empty(), 1, temp.resolve("print")));
        assertThrows(IllegalArgumentException.class, () -> new Generator.Config(temp, temp, "site", List.of("**"), List.of(),
                Optional.empty(), 0, temp.resolve("print")));
    }

    // ---------------------------------------------------------------------------------------------------

    /**
     * Walks the folder as the store should see it (links inside followed, others left out) and compares
     * every key: kind, listing, size, bytes, SHA-256 and dictionary digests.
     */
    static void assertSameTree(Path folder, KvRo store) throws IOException {
        Path root = folder.toRealPath();
        String digest = assertSameDictionary(root, root, KvKey.ROOT, store);
        assertEquals(digest, store.digest(KvKey.ROOT));
    }

    private static String assertSameDictionary(Path root, Path directory, KvKey key, KvRo store) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(entry -> entry.getFileName().toString()));
        List<KvRo.Entry> expected = new ArrayList<>();
        DictionaryDigest digest = new DictionaryDigest();
        for (Path entry : entries) {
            Path real;
            try {
                real = entry.toRealPath();
            } catch (IOException dangling) {
                continue;
            }
            if (!real.startsWith(root)) {
                continue;
            }
            String name = entry.getFileName().toString();
            KvKey child = key.resolve(name);
            if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                expected.add(new KvRo.Entry(name, KvRo.Kind.DICTIONARY));
                digest.add(name, KvRo.Kind.DICTIONARY, assertSameDictionary(root, real, child, store));
            } else {
                expected.add(new KvRo.Entry(name, KvRo.Kind.VALUE));
                digest.add(name, KvRo.Kind.VALUE, assertSameValue(real, child, store));
            }
        }
        assertEquals(expected, store.list(key), key.toString());
        String dictionary = digest.finish();
        assertEquals(dictionary, store.digest(key), key.toString());
        return dictionary;
    }

    private static String assertSameValue(Path file, KvKey key, KvRo store) throws IOException {
        assertEquals(Files.size(file), store.size(key), key.toString());
        MemorySegment value = store.get(key);
        MessageDigest sha = DictionaryDigest.sha256();
        byte[] chunk = new byte[1 << 16];
        long at = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int read; (read = in.read(chunk)) >= 0; at += read) {
                sha.update(chunk, 0, read);
                byte[] stored = value.asSlice(at, read).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(Arrays.copyOf(chunk, read), stored, key + " at " + at);
            }
        }
        assertEquals(at, value.byteSize());
        String hex = HexFormat.of().formatHex(sha.digest());
        assertEquals(hex, store.digest(key), key.toString());
        return hex;
    }

    static void collect(KvRo store, KvKey key, List<String> into) throws KvException {
        into.add(key.toString());
        if (store.exists(key).orElseThrow() == KvRo.Kind.DICTIONARY) {
            for (KvRo.Entry entry : store.list(key)) {
                collect(store, key.resolve(entry.name()), into);
            }
        }
    }

    static Map<String, byte[]> tree(Path top) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(top.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }

    static String text(MemorySegment segment) {
        return new String(segment.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void digestsChangeWithContent() throws IOException {
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("a"), "1");
        Generator.generate(config(site, temp.resolve("one"), Optional.of(TIMESTAMP)), _ -> {});
        Files.writeString(site.resolve("a"), "2");
        Generator.generate(config(site, temp.resolve("two"), Optional.of(TIMESTAMP)), _ -> {});
        assertNotEquals(open(temp.resolve("one"), "site").digest(KvKey.ROOT), open(temp.resolve("two"), "site").digest(KvKey.ROOT));
    }
}

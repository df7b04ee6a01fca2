package dev.morgana.fs.embedded.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import com.google.inject.Stage;
import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.EmbeddedKv;
import dev.morgana.unix.kv.FolderKvModule;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same folder served by the unix target's folder store and embedded by the generator must look the
 * same: listings, sizes, bytes and, above all, digests, which are ETags. The two stores live in modules
 * that may not see each other (a library never depends on a backend), so the dictionary-digest formula is
 * written twice; this test, which sees both, keeps the copies equal. It sits in the generator's package to
 * run the generator without Maven.
 */
class EmbeddedVersusFolderTest {

    @TempDir
    Path temp;

    @Test
    void bothStoresShowTheSameTreeWithTheSameDigests() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.write(site.resolve("empty"), new byte[0]);
        Files.createDirectory(site.resolve("empty-folder"));
        Files.writeString(site.resolve("été.txt"), "accents\n");
        Files.writeString(site.resolve("中文 😀.html"), "<p>unicode</p>\n");
        Files.writeString(Files.createDirectories(site.resolve("a/b/c")).resolve("deep.txt"), "deep\n");
        Files.writeString(site.resolve("a/same.txt"), "same bytes\n");
        Files.createSymbolicLink(site.resolve("link-to-file"), Path.of("a/same.txt"));
        Files.createSymbolicLink(site.resolve("link-to-folder"), Path.of("a/b"));
        Files.createSymbolicLink(site.resolve("link-out"), Files.writeString(temp.resolve("secret"), "outside"));
        Files.createSymbolicLink(site.resolve("dangling"), Path.of("nowhere"));

        Path output = temp.resolve("out");
        Generator.generate(new Generator.Config(site, output, "site", List.of("**"), List.of(),
                Optional.of(Instant.EPOCH), 1 << 20, temp.resolve("fingerprint")), _ -> {});
        KvRo embedded = EmbeddedKv.open("site", new URLClassLoader(new URL[] {output.toUri().toURL()}, null));
        KvRo folder = Guice.createInjector(Stage.PRODUCTION, FolderKvModule.readOnly(site)).getInstance(KvRo.class);

        assertEquals(folder.digest(KvKey.ROOT), embedded.digest(KvKey.ROOT));
        assertSame(folder, embedded, KvKey.ROOT);
    }

    private static void assertSame(KvRo folder, KvRo embedded, KvKey key) throws KvException, IOException {
        assertEquals(folder.exists(key), embedded.exists(key), key.toString());
        assertEquals(folder.digest(key), embedded.digest(key), key.toString());
        if (folder.exists(key).orElseThrow() == KvRo.Kind.VALUE) {
            assertEquals(folder.size(key), embedded.size(key), key.toString());
            assertArrayEquals(folder.get(key).toArray(ValueLayout.JAVA_BYTE), embedded.get(key).toArray(ValueLayout.JAVA_BYTE));
            return;
        }
        assertEquals(folder.list(key), embedded.list(key), key.toString());
        for (KvRo.Entry entry : folder.list(key)) {
            assertSame(folder, embedded, key.resolve(entry.name()));
        }
    }
}

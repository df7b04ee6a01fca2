package dev.morgana.fs.embedded.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvKey;
import dev.morgana.fs.embedded.EmbeddedKv;
import dev.morgana.fs.embedded.internal.DictionaryDigest;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large store: half its bytes in one value, the rest in 1 MiB values, every one read back and hashed.
 * The default build embeds 16 MiB; {@code -Plarge-store} (or {@code -Dmorgana.kv.largeMiB=N}) the 256 MiB
 * of issue #5, which a store in generated classes could never hold.
 */
class LargeStoreTest {

    static final long MIB = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void embedsAndReadsBackEveryByte() throws IOException {
        long total = Long.getLong("morgana.kv.largeMiB", 16) * MIB;
        Path site = Files.createDirectories(temp.resolve("site"));
        SplittableRandom random = new SplittableRandom(256);
        write(site.resolve("half.bin"), total / 2, random);
        int small = (int) (total / 2 / MIB);
        for (int i = 0; i < small; i++) {
            write(site.resolve(String.format("part-%04d.bin", i)), MIB, random);
        }
        Path output = temp.resolve("out");
        Generator.Result result = Generator.generate(new Generator.Config(site, output, "large", List.of("**"), List.of(),
                Optional.empty(), MIB, temp.resolve("fingerprint")), _ -> {});
        assertEquals(total, result.stored());
        assertEquals(small + 1, result.packs());

        EmbeddedKv store = GeneratorTest.open(output, "large");
        long read = 0;
        for (var entry : store.list(KvKey.ROOT)) {
            KvKey key = KvKey.of(entry.name());
            MemorySegment value = store.get(key);
            MessageDigest sha = DictionaryDigest.sha256();
            sha.update(value.asByteBuffer());
            assertEquals(store.digest(key), HexFormat.of().formatHex(sha.digest()), key.toString());
            read += value.byteSize();
        }
        assertEquals(total, read);
        assertTrue(store.list(KvKey.ROOT).size() == small + 1);
    }

    private static void write(Path file, long size, SplittableRandom random) throws IOException {
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
        }
    }
}

package dev.morgana.unix.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.kv.KvRw;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers running while a writer replaces values never see a mixture of two values or a value cut short:
 * not through the writer's own store, and not through another store on the same folder, which shares no
 * lock with it and so relies on the file system's atomic rename alone. Loops are bounded in count; the
 * readers stop when the writer does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FolderKvConcurrencyTest {

    private static final int ROUNDS = 40;

    @TempDir
    Path folder;

    /** A value of one repeated byte: any mixture of two such values, or a cut, is visible at once. */
    private static byte[] filled(char fill, int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    @Test
    void aReaderNeverSeesAHalfWrittenValue() throws Exception {
        int sizeA = 1 << 20;
        int sizeB = (1 << 20) + 12_345; // a different length, so a value cut short or overlong shows too
        MemorySegment a = MemorySegment.ofArray(filled('A', sizeA));
        MemorySegment b = MemorySegment.ofArray(filled('B', sizeB));
        KvKey key = KvKey.of("big", "value");
        FolderKv writer = new FolderKv(new FolderKv.Config(folder, true));
        writer.set(key, a);
        KvRo stranger = new FolderKv(new FolderKv.Config(folder, false));

        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = List.of(
                reader(writer, key, sizeA, sizeB, done, broken, reads),
                reader(stranger, key, sizeA, sizeB, done, broken, reads));
        try {
            for (int i = 0; i < ROUNDS && broken.get() == null; i++) {
                writer.set(key, i % 2 == 0 ? b : a);
            }
        } finally {
            done.set(true);
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
        assertNull(broken.get());
        assertTrue(reads.get() >= readers.size(), "every reader read at least once: " + reads.get());
        assertEquals(ROUNDS % 2 == 0 ? sizeA : sizeB, writer.size(key));
    }

    /** Reads whole values and ranges until {@code done}, at least once, recording the first broken one. */
    private static Thread reader(KvRo store, KvKey key, int sizeA, int sizeB, AtomicBoolean done,
            AtomicReference<String> broken, AtomicLong reads) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                do {
                    String problem = check(store.get(key), 0, sizeA, sizeB);
                    if (problem == null) {
                        problem = check(store.getPartial(key, sizeA - 100, 1000), sizeA - 100, sizeA, sizeB);
                    }
                    if (problem != null) {
                        broken.compareAndSet(null, problem);
                        return;
                    }
                    reads.incrementAndGet();
                } while (!done.get());
            } catch (Exception | AssertionError e) {
                broken.compareAndSet(null, "a read failed: " + e);
            }
        });
    }

    /** Why the bytes from {@code offset} are not all of A or all of B, or null when they are. */
    private static String check(MemorySegment read, long offset, int sizeA, int sizeB) {
        byte[] bytes = read.toArray(ValueLayout.JAVA_BYTE);
        if (bytes.length == 0) {
            return "an empty read at " + offset;
        }
        byte first = bytes[0];
        long expected = (first == 'A' ? sizeA : first == 'B' ? sizeB : -1) - offset;
        long wanted = offset == 0 ? expected : Math.min(1000, expected);
        if (bytes.length != wanted) {
            return "a read of " + (char) first + " at " + offset + " has " + bytes.length + " bytes, not " + wanted;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != first) {
                return "a mixture: " + (char) first + " then " + (char) bytes[i] + " at " + (offset + i);
            }
        }
        return null;
    }

    @Test
    void readersInTheSameProcessSeeABatchWholeOrNotAtAll() throws Exception {
        List<KvKey> keys = List.of(KvKey.of("one"), KvKey.of("two"), KvKey.of("deep", "three"), KvKey.of("deep", "four"));
        MemorySegment a = MemorySegment.ofArray(filled('A', 64 * 1024));
        MemorySegment b = MemorySegment.ofArray(filled('B', 64 * 1024 + 7));
        KvRw store = new FolderKv(new FolderKv.Config(folder, true));
        setAll(store, keys, a);
        String digestA = store.digest(KvKey.ROOT);
        setAll(store, keys, b);
        String digestB = store.digest(KvKey.ROOT);
        assertNotEquals(digestA, digestB);

        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        // One digest of the root reads all four values under one read lock: a snapshot of the whole tree.
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                do {
                    String digest = store.digest(KvKey.ROOT);
                    if (!Set.of(digestA, digestB).contains(digest)) {
                        broken.compareAndSet(null, "a reader saw part of a batch: " + digest);
                        return;
                    }
                    reads.incrementAndGet();
                } while (!done.get());
            } catch (Exception e) {
                broken.compareAndSet(null, "a read failed: " + e);
            }
        });
        try {
            for (int i = 0; i < ROUNDS && broken.get() == null; i++) {
                setAll(store, keys, i % 2 == 0 ? a : b);
            }
        } finally {
            done.set(true);
            reader.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertNull(broken.get());
        assertTrue(reads.get() >= 1);
        assertEquals(ROUNDS % 2 == 0 ? digestB : digestA, store.digest(KvKey.ROOT));
    }

    private static void setAll(KvRw store, List<KvKey> keys, MemorySegment value) throws Exception {
        store.batch(view -> {
            for (KvKey key : keys) {
                view.set(key, value);
            }
            return null;
        });
    }
}

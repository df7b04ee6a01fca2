package dev.morgana.unix.kv;

import static dev.morgana.unix.kv.Folders.bytes;
import static dev.morgana.unix.kv.Folders.snapshot;
import static dev.morgana.unix.kv.Folders.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.kv.KvRw;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** FolderKv's behaviour outside the model: persistence, read-only mode, buffers, large values, errors, misuse. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FolderKvTest {

    @TempDir
    Path folder;

    private FolderKv open(boolean writable) {
        return new FolderKv(new FolderKv.Config(folder, writable));
    }

    @Test
    void valuesSurviveANewStoreOnTheSameRoot() throws Exception {
        FolderKv first = open(true);
        first.set(KvKey.parse("/docs/index.html"), bytes("<h1>hi</h1>"));
        first.allocate(KvKey.parse("/disk/image"), 4096);
        first.setPartial(KvKey.parse("/disk/image"), 4094, bytes("!!"));
        String digest = first.digest(KvKey.ROOT);

        FolderKv second = open(false);
        assertEquals("<h1>hi</h1>", text(second.get(KvKey.parse("/docs/index.html"))));
        assertEquals(4096, second.size(KvKey.parse("/disk/image")));
        assertEquals("\0\0!!", text(second.getPartial(KvKey.parse("/disk/image"), 4092, 100)));
        assertEquals(digest, second.digest(KvKey.ROOT));
        assertEquals("<h1>hi</h1>", Files.readString(folder.resolve("docs/index.html")), "keys are plain paths");
    }

    @Test
    void readOnlyRefusesEveryWriteAndChangesNothing() throws Exception {
        open(true).set(KvKey.parse("/a/b"), bytes("kept"));
        TreeMap<String, String> before = snapshot(folder);
        FolderKv store = open(false);
        KvKey a = KvKey.parse("/a/b");
        List<Executable> writes = List.of(
                () -> store.set(a, bytes("x")),
                () -> store.set(KvKey.of("new"), bytes("x")),
                () -> store.setPartial(a, 0, bytes("x")),
                () -> store.remove(a),
                () -> store.rename(a, KvKey.of("c")),
                () -> store.allocate(KvKey.of("d"), 10),
                () -> store.batch(view -> "never run"));
        for (Executable write : writes) {
            assertThrows(KvException.Failed.class, write);
        }
        assertEquals(before, snapshot(folder));
        assertEquals("kept", text(store.get(a)), "reads work");
    }

    @Test
    void returnedSegmentsAreReadOnlySnapshots() throws Exception {
        FolderKv store = open(true);
        KvKey key = KvKey.of("value");
        store.set(key, bytes("first"));
        MemorySegment whole = store.get(key);
        MemorySegment part = store.getPartial(key, 1, 3);
        assertTrue(whole.isReadOnly() && part.isReadOnly());
        assertThrows(IllegalArgumentException.class, () -> whole.set(ValueLayout.JAVA_BYTE, 0, (byte) 'X'), "read-only");
        store.set(key, bytes("second, longer"));
        assertEquals("first", text(whole), "a later write does not touch what was read");
        assertEquals("irs", text(part));
    }

    @Test
    void setCopiesFromAnyKindOfSegmentAndReadsTheCallersBufferOnlyDuringTheCall() throws Exception {
        FolderKv store = open(true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(3);
            native_.copyFrom(bytes("abc"));
            store.set(KvKey.of("native"), native_);
        }
        assertEquals("abc", text(store.get(KvKey.of("native"))), "the arena is closed; the value was copied");
        store.set(KvKey.of("longs"), MemorySegment.ofArray(new long[] {0x0807060504030201L}));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, store.get(KvKey.of("longs")).toArray(ValueLayout.JAVA_BYTE));

        // A buffer that fails while being copied leaves nothing: no value, no temporary file, no new dictionary.
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(10);
        closed.close();
        assertThrows(IllegalStateException.class, () -> store.set(KvKey.parse("/fresh/dir/value"), gone));
        assertEquals(Optional.empty(), store.exists(KvKey.of("fresh")));
        try (Stream<Path> all = Files.walk(folder)) {
            assertEquals(List.of(), all.filter(path -> FolderKv.reserved(path.getFileName().toString())).toList());
        }
    }

    @Test
    void getPartialReadsOnlyItsRangeOfAValueTooLargeForMemory() throws Exception {
        Path huge = Files.createFile(folder.resolve("huge"));
        long size = 8L << 30; // 8 GiB, sparse: no disk space and no heap could hold it
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(size);
            file.seek(size - 4);
            file.write("tail".getBytes(StandardCharsets.US_ASCII));
        }
        FolderKv store = open(false);
        KvKey key = KvKey.of("huge");
        assertEquals(size, store.size(key));
        assertEquals("tail", text(store.getPartial(key, size - 4, 1000)));
        assertEquals("\0\0\0\0tail", text(store.getPartial(key, size - 8, Long.MAX_VALUE)));
        assertEquals(0, store.getPartial(key, size + 10, 5).byteSize());
        assertThrows(KvException.Failed.class, () -> store.get(key), "a whole value larger than a heap segment is refused");
    }

    @Test
    void digestsAreSha256AndDictionariesDigestTheirEntries() throws Exception {
        FolderKv store = open(true);
        store.set(KvKey.of("empty"), MemorySegment.ofArray(new byte[0]));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", store.digest(KvKey.of("empty")));
        store.set(KvKey.of("abc"), bytes("abc"));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", store.digest(KvKey.of("abc")));
        store.set(KvKey.parse("/dir/x"), bytes("x"));
        String before = store.digest(KvKey.ROOT);
        store.set(KvKey.parse("/dir/x"), bytes("y"));
        assertNotEquals(before, store.digest(KvKey.ROOT), "a change below changes the root's digest");
        store.set(KvKey.parse("/dir/x"), bytes("x"));
        assertEquals(before, store.digest(KvKey.ROOT), "equal content, equal digest");
    }

    @Test
    void lastModifiedComesFromTheFileSystem() throws Exception {
        FolderKv store = open(true);
        store.set(KvKey.of("v"), bytes("v"));
        Instant then = Instant.parse("2001-02-03T04:05:06Z");
        Files.setLastModifiedTime(folder.resolve("v"), java.nio.file.attribute.FileTime.from(then));
        assertEquals(then, store.lastModified(KvKey.of("v")));
        store.set(KvKey.of("v"), bytes("w"));
        assertTrue(Duration.between(store.lastModified(KvKey.of("v")), Instant.now()).abs().toMinutes() < 5,
                "a write makes it recent");
    }

    @Test
    void aFullDiskIsNoSpaceAndOtherHostErrorsAreFailed() {
        KvKey key = KvKey.of("k");
        IOException full = new FileSystemException("/x", null, "No space left on device");
        KvException mapped = FolderKv.failure(key, "write", full);
        assertInstanceOf(KvException.NoSpace.class, mapped);
        assertSame(full, mapped.getSuppressed()[0], "the host's error stays attached");
        assertInstanceOf(KvException.NoSpace.class, FolderKv.failure(key, "write", new IOException("No space left on device")));
        assertInstanceOf(KvException.NoSpace.class, FolderKv.failure(key, "write", new IOException("Disk quota exceeded")));
        KvException other = FolderKv.failure(key, "write", new IOException("Input/output error"));
        assertInstanceOf(KvException.Failed.class, other);
        assertEquals(key, other.key());
        KvException.NotFound notFound = new KvException.NotFound(key);
        assertSame(notFound, FolderKv.failure(key, "read", notFound), "the store's own errors pass unchanged");
    }

    @Test
    void aBatchWritesNothingWhenItsBodyThrows() throws Exception {
        FolderKv store = open(true);
        store.set(KvKey.of("kept"), bytes("old"));
        KvException.NotFound thrown = new KvException.NotFound(KvKey.of("why"));
        KvException caught = assertThrows(KvException.class, () -> store.batch(view -> {
            view.set(KvKey.of("kept"), bytes("new"));
            view.set(KvKey.parse("/more/stuff"), bytes("new"));
            view.remove(KvKey.of("kept"));
            throw thrown;
        }));
        assertSame(thrown, caught);
        assertEquals(List.of(new KvRo.Entry("kept", KvRo.Kind.VALUE)), store.list(KvKey.ROOT));
        assertEquals("old", text(store.get(KvKey.of("kept"))));
    }

    @Test
    void insideABatchTheStoreItselfRefusesWritesAndTheViewEndsWithTheBatch() throws Exception {
        FolderKv store = open(true);
        AtomicReference<KvRw> leaked = new AtomicReference<>();
        String result = store.batch(view -> {
            leaked.set(view);
            assertThrows(IllegalStateException.class, () -> store.set(KvKey.of("x"), bytes("x")),
                    "a write that bypasses the view could not be undone with the batch");
            assertThrows(IllegalStateException.class, () -> store.batch(inner -> null));
            view.set(KvKey.of("y"), bytes("y"));
            assertEquals(Optional.empty(), store.exists(KvKey.of("y")), "the store does not show the batch yet");
            return "done";
        });
        assertEquals("done", result);
        assertEquals("y", text(store.get(KvKey.of("y"))));
        assertThrows(IllegalStateException.class, () -> leaked.get().set(KvKey.of("z"), bytes("z")));
        assertThrows(IllegalStateException.class, () -> leaked.get().get(KvKey.of("y")));
    }

    @Test
    void theRootMustBeAnExistingDirectory() throws IOException {
        Path file = Files.writeString(folder.resolve("file"), "x");
        IllegalArgumentException notADirectory = assertThrows(IllegalArgumentException.class,
                () -> new FolderKv(new FolderKv.Config(file, false)));
        assertTrue(notADirectory.getMessage().contains(file.toString()), notADirectory.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FolderKv(new FolderKv.Config(folder.resolve("missing"), true)));
    }
}

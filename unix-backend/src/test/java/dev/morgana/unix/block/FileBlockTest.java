package dev.morgana.unix.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.block.BlockException;
import dev.morgana.api.block.BlockException.Reason;
import dev.morgana.api.block.BlockInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBlock}'s lifecycle and refusals. Every refused request is made against a file of random
 * bytes, which is then compared byte for byte with what it held before: a refusal writes nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileBlockTest {

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(20_250_701);

    @Test
    void onlySectorsOf512And4096BytesAreAccepted() {
        for (int size : new int[] {0, -512, 1, 256, 513, 1024, 2048, 8192, 65_536}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FileBlock.Config(dir.resolve("disk.img"), size, false), "sector size " + size);
            assertTrue(e.getMessage().contains("512 or 4096"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new FileBlockModule(dir.resolve("disk.img"), size, false), "module, sector size " + size);
        }
        assertEquals(512, new FileBlock.Config(dir.resolve("disk.img"), 512, false).sectorSize());
        assertEquals(4096, new FileBlock.Config(dir.resolve("disk.img"), 4096, true).sectorSize());
    }

    @Test
    void constructionOpensNothingAndAMissingFileIsRefusedAtStartWithoutBeingCreated() {
        Path missing = dir.resolve("missing.img");
        FileBlock block = new FileBlock(new FileBlock.Config(missing, 512, false));
        assertFalse(Files.exists(missing), "constructing the device touches nothing");
        assertThrows(IllegalStateException.class, block::info, "no geometry before start");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, block::start);
        assertTrue(e.getMessage().contains("truncate -s"), "says how to make an image: " + e.getMessage());
        assertFalse(Files.exists(missing), "a failed start creates no file");
    }

    @Test
    void aFileThatIsNotAWholeNumberOfSectorsIsRefusedAndLeftClosed() throws Exception {
        Path odd = Files.write(dir.resolve("odd.img"), new byte[3 * 512 + 100]);
        IOException e = assertThrows(IOException.class, () -> Images.started(odd, 512, false));
        assertTrue(e.getMessage().contains("1636 bytes") && e.getMessage().contains("512-byte sectors"), e.getMessage());
        Path small = Files.write(dir.resolve("small.img"), new byte[3 * 512]);
        IOException big = assertThrows(IOException.class, () -> Images.started(small, 4096, true));
        assertTrue(big.getMessage().contains("4096-byte sectors"), big.getMessage());
        assertEquals(0, Images.descriptorsOn(odd), "a refused start leaves no descriptor open");
        assertEquals(0, Images.descriptorsOn(small), "a refused start leaves no descriptor open");
        assertEquals(3 * 512 + 100, Files.size(odd), "the file is not padded or truncated");
    }

    @Test
    void aDirectoryIsRefused() {
        IOException e = assertThrows(IOException.class, () -> Images.started(dir, 512, true));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void theGeometryComesFromTheFileSize() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 64, random);
        FileBlock rw = Images.started(file, 512, false);
        FileBlock ro = Images.started(file, 4096, true);
        try {
            assertEquals(new BlockInfo(512, 64, true), rw.info());
            assertEquals(new BlockInfo(4096, 8, false), ro.info());
        } finally {
            rw.stop();
            ro.stop();
        }
        Path empty = Files.write(dir.resolve("empty.img"), new byte[0]);
        FileBlock none = Images.started(empty, 512, false);
        try {
            assertEquals(new BlockInfo(512, 0, true), none.info());
            none.read(0, List.of()); // nothing at the end is in range
            assertEquals(Reason.OUT_OF_RANGE,
                    assertThrows(BlockException.class, () -> none.read(0, MemorySegment.ofArray(new byte[512]))).reason());
        } finally {
            none.stop();
        }
    }

    @Test
    void scatterAndGatherListsAreConsecutiveSectorsOfTheFile() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 512, false);
        try (Arena arena = Arena.ofConfined()) {
            byte[] a = bytes(512);
            byte[] b = bytes(1024);
            byte[] c = bytes(512);
            MemorySegment offHeap = arena.allocate(1024);
            offHeap.copyFrom(MemorySegment.ofArray(b));
            long[] words = new long[512 / Long.BYTES];
            MemorySegment.ofArray(words).copyFrom(MemorySegment.ofArray(c));
            // A heap byte[] segment, native memory, and heap memory over long[]: every kind the caller may own.
            block.write(3, List.of(MemorySegment.ofArray(a), offHeap, MemorySegment.ofArray(words)));

            byte[] expected = before.clone();
            System.arraycopy(concat(a, b, c), 0, expected, 3 * 512, 2048);
            assertArrayEquals(expected, Files.readAllBytes(file), "sectors 3-6 of the file, nothing else");

            MemorySegment first = arena.allocate(1536);
            MemorySegment second = MemorySegment.ofArray(new long[512 / Long.BYTES]);
            block.read(3, List.of(first, second));
            assertArrayEquals(concat(a, b, c), concat(first.toArray(ValueLayout.JAVA_BYTE),
                    second.toArray(ValueLayout.JAVA_BYTE)), "split differently on the way back");

            assertThrows(IllegalArgumentException.class,
                    () -> block.read(0, MemorySegment.ofArray(new byte[512]).asReadOnly()), "a read-only target is misuse");
        } finally {
            block.stop();
        }
    }

    @Test
    void aReadOnlyDeviceReadsButRefusesWritesAndDiscardsAndWritesNothing() throws Exception {
        Path file = Images.random(dir, "disk.img", 4096, 8, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 4096, true);
        try {
            assertFalse(block.info().writable());
            MemorySegment sector = MemorySegment.ofArray(bytes(4096));
            refused(Reason.READ_ONLY, () -> block.write(2, sector));
            refused(Reason.READ_ONLY, () -> block.write(0, List.of(sector, sector)));
            refused(Reason.READ_ONLY, () -> block.discard(0, 8));
            block.flush(); // allowed: there is nothing to make durable

            byte[] read = new byte[8 * 4096];
            block.read(0, MemorySegment.ofArray(read));
            assertArrayEquals(before, read);
        } finally {
            block.stop();
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the file is unchanged");
    }

    @Test
    void dataSurvivesStopAndANewDeviceOnTheSameFile() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 32, random);
        byte[] written = bytes(4 * 512);
        FileBlock first = Images.started(file, 512, false);
        first.write(28, MemorySegment.ofArray(written));
        first.flush();
        first.stop();

        FileBlock again = Images.started(file, 512, false);
        FileBlock readOnly = Images.started(file, 512, true);
        try {
            byte[] read = new byte[4 * 512];
            again.read(28, MemorySegment.ofArray(read));
            assertArrayEquals(written, read);
            byte[] readOnlyRead = new byte[4 * 512];
            readOnly.read(28, MemorySegment.ofArray(readOnlyRead));
            assertArrayEquals(written, readOnlyRead);
        } finally {
            again.stop();
            readOnly.stop();
        }
    }

    @Test
    void misalignedRequestsAreRefusedAndWriteAndReadNothing() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 512, false);
        try {
            MemorySegment whole = MemorySegment.ofArray(bytes(512));
            refused(Reason.MISALIGNED, () -> block.write(0, MemorySegment.ofArray(bytes(511))));
            refused(Reason.MISALIGNED, () -> block.write(0, MemorySegment.ofArray(bytes(513))));
            // The first buffer is fine: it must not be written before the second is found wrong.
            refused(Reason.MISALIGNED, () -> block.write(4, List.of(whole, MemorySegment.ofArray(bytes(100)))));
            // Misaligned and out of range at once: the size is checked first.
            refused(Reason.MISALIGNED, () -> block.write(1_000, MemorySegment.ofArray(bytes(7))));

            byte[] target = new byte[512];
            Arrays.fill(target, (byte) 0x5a);
            refused(Reason.MISALIGNED, () -> block.read(0, List.of(MemorySegment.ofArray(target),
                    MemorySegment.ofArray(new byte[1]))));
            byte[] untouched = new byte[512];
            Arrays.fill(untouched, (byte) 0x5a);
            assertArrayEquals(untouched, target, "a refused read fills nothing");
        } finally {
            block.stop();
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void outOfRangeRequestsAreRefusedEvenWhenSectorPlusCountOverflows() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 512, false);
        try {
            MemorySegment one = MemorySegment.ofArray(bytes(512));
            MemorySegment two = MemorySegment.ofArray(bytes(1024));
            refused(Reason.OUT_OF_RANGE, () -> block.write(16, one));
            refused(Reason.OUT_OF_RANGE, () -> block.write(15, two));
            // In range for the first buffer, past the end for the second.
            refused(Reason.OUT_OF_RANGE, () -> block.write(15, List.of(one, one)));
            refused(Reason.OUT_OF_RANGE, () -> block.write(-1, one));
            refused(Reason.OUT_OF_RANGE, () -> block.write(Long.MIN_VALUE, one));
            refused(Reason.OUT_OF_RANGE, () -> block.write(Long.MAX_VALUE, two));
            refused(Reason.OUT_OF_RANGE, () -> block.read(Long.MAX_VALUE - 1, two));
            refused(Reason.OUT_OF_RANGE, () -> block.read(16, one));
            refused(Reason.OUT_OF_RANGE, () -> block.discard(15, 2));
            refused(Reason.OUT_OF_RANGE, () -> block.discard(1, Long.MAX_VALUE));
            refused(Reason.OUT_OF_RANGE, () -> block.discard(Long.MAX_VALUE, 2));
            refused(Reason.OUT_OF_RANGE, () -> block.discard(-1, 1));
            refused(Reason.OUT_OF_RANGE, () -> block.discard(0, -1));
            block.discard(16, 0); // nothing at the end is in range
            block.write(16, List.of());
        } finally {
            block.stop();
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void requestsAfterStopFailAsClosedAndWriteNothing() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 512, false);
        block.stop();
        MemorySegment one = MemorySegment.ofArray(bytes(512));
        refused(Reason.CLOSED, () -> block.write(0, one));
        refused(Reason.CLOSED, () -> block.read(0, one));
        refused(Reason.CLOSED, () -> block.discard(0, 1));
        refused(Reason.CLOSED, block::flush);
        block.stop(); // a second stop does nothing, and closes no descriptor it no longer owns
        assertEquals(new BlockInfo(512, 16, true), block.info(), "the geometry stays readable");
        assertThrows(IllegalStateException.class, block::start, "a device starts once");
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void stopClosesEveryDescriptorOnTheFile() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        FileBlock rw = Images.started(file, 512, false);
        // The channel, and on Linux the descriptor that discards punch holes through.
        assertEquals(LinuxFiles.available() ? 2 : 1, Images.descriptorsOn(file), "started, the device holds the file open");
        rw.discard(0, 1); // uses the second descriptor
        rw.stop();
        assertEquals(0, Images.descriptorsOn(file), "stopped, no descriptor of this process is left on the file");
    }

    @Test
    void aFileTruncatedUnderTheDeviceFailsReadsAsDeviceFailed() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        FileBlock block = Images.started(file, 512, false);
        try {
            try (RandomAccessFile other = new RandomAccessFile(file.toFile(), "rw")) {
                other.setLength(8 * 512);
            }
            MemorySegment two = MemorySegment.ofArray(new byte[1024]);
            BlockException e = assertThrows(BlockException.class, () -> block.read(7, two));
            assertEquals(Reason.DEVICE_FAILED, e.reason());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            block.read(6, two); // what is still there reads
        } finally {
            block.stop();
        }
    }

    @Test
    void anInterruptedCallerFailsAsDeviceFailedAndTheDeviceStaysUsable() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        byte[] written = bytes(1024);
        FileBlock block = Images.started(file, 512, false);
        try {
            // The JDK closes a FileChannel when a thread using it is interrupted.
            Thread.currentThread().interrupt();
            BlockException e = assertThrows(BlockException.class, () -> block.write(2, MemorySegment.ofArray(written)));
            assertTrue(Thread.interrupted(), "the interrupt status is kept for the caller");
            assertEquals(Reason.DEVICE_FAILED, e.reason());
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());

            // Another request reopens the file and succeeds.
            block.write(2, MemorySegment.ofArray(written));
            byte[] read = new byte[1024];
            block.read(2, MemorySegment.ofArray(read));
            assertArrayEquals(written, read);

            Thread.currentThread().interrupt();
            assertEquals(Reason.DEVICE_FAILED, assertThrows(BlockException.class, block::flush).reason());
            assertTrue(Thread.interrupted());
            block.flush();
        } finally {
            Thread.interrupted();
            block.stop();
        }
        byte[] stored = Arrays.copyOfRange(Files.readAllBytes(file), 1024, 2048);
        assertArrayEquals(written, stored);
        assertEquals(0, Images.descriptorsOn(file), "the reopened channel is closed by stop too");
    }

    @Test
    void afterAnInterruptAFileReplacedAtThePathIsNotReopened() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 16, random);
        FileBlock block = Images.started(file, 512, false);
        Path impostor = Images.random(dir, "other.img", 512, 16, random);
        byte[] impostorBytes = Files.readAllBytes(impostor);
        try {
            Files.move(impostor, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.currentThread().interrupt();
            assertEquals(Reason.DEVICE_FAILED,
                    assertThrows(BlockException.class, () -> block.read(0, MemorySegment.ofArray(new byte[512]))).reason());
            assertTrue(Thread.interrupted());

            BlockException e = assertThrows(BlockException.class,
                    () -> block.write(0, MemorySegment.ofArray(bytes(8 * 512))));
            assertEquals(Reason.DEVICE_FAILED, e.reason());
            assertTrue(e.getMessage().contains("another file"), e.getMessage());
        } finally {
            Thread.interrupted();
            block.stop();
        }
        assertArrayEquals(impostorBytes, Files.readAllBytes(file), "the file now at the path was not written");
    }

    @Test
    void aFullFileSystemFailsWritesAsDeviceFailed() throws Exception {
        Path mountPoint = dir.resolve("small");
        AutoCloseable unmount = Images.mount("tmpfs", "size=64k", mountPoint);
        try {
            Path file = mountPoint.resolve("sparse.img");
            try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
                sparse.setLength(1024 * 1024); // a hole: larger than the file system can hold
            }
            FileBlock block = Images.started(file, 4096, false);
            try {
                BlockException e = assertThrows(BlockException.class,
                        () -> block.write(0, MemorySegment.ofArray(new byte[256 * 1024])));
                assertEquals(Reason.DEVICE_FAILED, e.reason(), e.getMessage());
            } finally {
                block.stop();
                Files.delete(file);
            }
        } finally {
            unmount.close();
        }
    }

    @Test
    void overlappingRequestsCompleteEachWhole() throws Exception {
        Path file = Images.random(dir, "disk.img", 512, 8, random);
        FileBlock block = Images.started(file, 512, false);
        ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        try {
            block.write(0, MemorySegment.ofArray(filled(4 * 512, 1)));
            for (int t = 0; t < 4; t++) {
                byte value = (byte) (t + 1);
                boolean writer = t % 2 == 0;
                threads.add(Thread.ofVirtual().start(() -> {
                    // Two buffers per request: two system calls at least, which another request could split.
                    byte[] first = filled(2 * 512, value);
                    byte[] second = filled(2 * 512, value);
                    for (int i = 0; i < 300; i++) {
                        try {
                            if (writer) {
                                block.write(0, List.of(MemorySegment.ofArray(first), MemorySegment.ofArray(second)));
                            } else {
                                block.read(0, List.of(MemorySegment.ofArray(first), MemorySegment.ofArray(second)));
                                byte[] all = concat(first, second);
                                for (byte b : all) {
                                    if (b != all[0]) {
                                        torn.add("a read saw " + all[0] + " and " + b);
                                        break;
                                    }
                                }
                            }
                        } catch (BlockException e) {
                            torn.add(e.toString());
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                assertTrue(thread.join(java.time.Duration.ofSeconds(60)), "the requests finish");
            }
            byte[] end = new byte[4 * 512];
            block.read(0, MemorySegment.ofArray(end));
            for (byte b : end) {
                assertEquals(end[0], b, "the last write is whole");
            }
        } finally {
            block.stop();
        }
        assertEquals(List.of(), List.copyOf(torn));
    }

    private static void refused(Reason reason, Executable request) {
        BlockException e = assertThrows(BlockException.class, request);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "says what was refused");
    }

    private byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] filled(int size, int value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] all = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}

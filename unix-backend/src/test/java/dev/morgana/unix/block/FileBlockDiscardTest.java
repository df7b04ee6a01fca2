package dev.morgana.unix.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discards judged by the host: {@code stat(1)} says whether blocks were freed, util-linux's
 * {@code fallocate} says beforehand whether the file system can free them at all.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileBlockDiscardTest {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void discardFreesTheBlocksAndTheSectorsReadAsZeros() throws Exception {
        assumeTrue(LinuxFiles.available(), "discards punch holes on Linux only");
        assumeTrue(Images.punchesHoles(dir), "the file system under " + dir
                + " cannot punch holes (util-linux fallocate --punch-hole failed), so discards do nothing there");
        Path file = Images.random(dir, "disk.img", 4096, 256, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 4096, false);
        long allocatedBefore;
        try {
            block.flush(); // the written blocks are allocated on disk, not only reserved
            allocatedBefore = Images.allocatedBytes(file);
            assertTrue(allocatedBefore >= MIB, "a file of random bytes is fully allocated: " + allocatedBefore);
            block.discard(64, 128); // the middle half MiB
            block.flush();

            byte[] read = new byte[MIB];
            block.read(0, MemorySegment.ofArray(read));
            byte[] expected = before.clone();
            Arrays.fill(expected, 64 * 4096, 192 * 4096, (byte) 0);
            assertArrayEquals(expected, read, "discarded sectors read as zeros, the others are kept");
        } finally {
            block.stop();
        }
        long freed = allocatedBefore - Images.allocatedBytes(file);
        assertTrue(freed >= MIB / 2, "half a MiB was given back to the file system, stat says " + freed + " bytes");
        assertEquals(MIB, Files.size(file), "the file keeps its size");
    }

    @Test
    void discardsOfSmallSectorsInsideLargerFileSystemBlocksReadAsZeros() throws Exception {
        assumeTrue(LinuxFiles.available(), "discards punch holes on Linux only");
        assumeTrue(Images.punchesHoles(dir), "the file system under " + dir + " cannot punch holes");
        Path file = Images.random(dir, "disk.img", 512, 64, random);
        byte[] before = Files.readAllBytes(file);
        FileBlock block = Images.started(file, 512, false);
        try {
            // Sectors 3 to 12: partial file-system blocks at both ends, which the kernel zeroes in place.
            block.discard(3, 10);
            byte[] read = new byte[64 * 512];
            block.read(0, MemorySegment.ofArray(read));
            byte[] expected = before.clone();
            Arrays.fill(expected, 3 * 512, 13 * 512, (byte) 0);
            assertArrayEquals(expected, read);
        } finally {
            block.stop();
        }
    }

    /** ramfs has no fallocate: the kernel answers EOPNOTSUPP, and a discard is the documented no-op. */
    @Test
    void onAFileSystemThatCannotPunchHolesDiscardDoesNothing() throws Exception {
        assumeTrue(LinuxFiles.available(), "discards punch holes on Linux only");
        Path mountPoint = dir.resolve("ramfs");
        AutoCloseable unmount = Images.mount("ramfs", "mode=700", mountPoint);
        try {
            assumeTrue(!Images.punchesHoles(mountPoint), "this kernel's ramfs punches holes; nothing to show here");
            Path file = Images.random(mountPoint, "disk.img", 4096, 16, random);
            byte[] before = Files.readAllBytes(file);
            FileBlock block = Images.started(file, 4096, false);
            try {
                block.discard(0, 16);
                block.discard(4, 4); // the second goes through the remembered answer
                byte[] read = new byte[16 * 4096];
                block.read(0, MemorySegment.ofArray(read));
                assertArrayEquals(before, read, "nothing was changed");
            } finally {
                block.stop();
                Files.delete(file);
            }
        } finally {
            unmount.close();
        }
    }
}

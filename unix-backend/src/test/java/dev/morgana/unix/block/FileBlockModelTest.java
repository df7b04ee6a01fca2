package dev.morgana.unix.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.block.BlockException;
import dev.morgana.api.block.BlockException.Reason;
import dev.morgana.api.block.BlockInfo;
import dev.morgana.testing.Property;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random sequence of requests on a {@link FileBlock} matches a byte array: scatter/gather writes and
 * reads at any sector, flushes, discards, refused requests, and stops followed by a new device on the
 * same file. The file itself is the second oracle: its bytes, read by the JDK, must equal the model.
 *
 * <p>A discarded sector holds unspecified bytes ({@code Block.discard}), so the model forgets it until it
 * is written again, and only remembered sectors are compared.
 */
class FileBlockModelTest {

    @TempDir
    Path dir;

    /** What the device should hold. */
    private static final class Model {
        final int sectorSize;
        final byte[] bytes;
        final boolean[] known;

        Model(int sectorSize, byte[] bytes) {
            this.sectorSize = sectorSize;
            this.bytes = bytes;
            this.known = new boolean[bytes.length / sectorSize];
            Arrays.fill(known, true);
        }

        void write(long sector, byte[] data) {
            System.arraycopy(data, 0, bytes, (int) sector * sectorSize, data.length);
            Arrays.fill(known, (int) sector, (int) sector + data.length / sectorSize, true);
        }

        void discard(long sector, long count) {
            Arrays.fill(known, (int) sector, (int) (sector + count), false);
        }

        /** Asserts that {@code actual}, read from {@code sector} on, equals every remembered sector. */
        void check(String what, long sector, byte[] actual) {
            for (int i = 0; i < actual.length / sectorSize; i++) {
                int s = (int) sector + i;
                if (known[s]) {
                    assertArrayEquals(Arrays.copyOfRange(bytes, s * sectorSize, (s + 1) * sectorSize),
                            Arrays.copyOfRange(actual, i * sectorSize, (i + 1) * sectorSize), what + ": sector " + s);
                }
            }
        }
    }

    @Property
    void randomRequestsMatchAnInMemoryModel(RandomGenerator random) throws Exception {
        int sectorSize = random.nextBoolean() ? 512 : 4096;
        int sectors = 1 + random.nextInt(40); // at most 160 KiB: many runs, bounded memory
        Path file = Images.random(dir, "disk.img", sectorSize, sectors, random);
        Model model = new Model(sectorSize, Files.readAllBytes(file));
        FileBlock block = Images.started(file, sectorSize, false);
        assertEquals(new BlockInfo(sectorSize, sectors, true), block.info());
        try (Arena arena = Arena.ofConfined()) {
            int steps = 20 + random.nextInt(40);
            for (int step = 0; step < steps; step++) {
                String what = "step " + step;
                switch (random.nextInt(20)) {
                    case 0, 1, 2, 3, 4, 5, 6 -> {
                        long sector = random.nextLong(sectors);
                        List<MemorySegment> buffers = buffers(random, arena, sectorSize, sectors - sector);
                        byte[] data = new byte[(int) total(buffers)];
                        random.nextBytes(data);
                        scatter(data, buffers);
                        block.write(sector, buffers);
                        model.write(sector, data);
                    }
                    case 7, 8, 9, 10, 11 -> {
                        long sector = random.nextLong(sectors);
                        List<MemorySegment> buffers = buffers(random, arena, sectorSize, sectors - sector);
                        block.read(sector, buffers);
                        model.check(what + " read of " + buffers.size() + " buffer(s) at " + sector, sector,
                                gather(buffers));
                    }
                    case 12 -> block.flush();
                    case 13, 14 -> {
                        long sector = random.nextLong(sectors + 1);
                        long count = random.nextLong(sectors - sector + 1);
                        block.discard(sector, count);
                        model.discard(sector, count);
                    }
                    case 15, 16, 17 -> refused(random, block, arena, sectorSize, sectors);
                    default -> {
                        // Stop: what the file holds now is what a new device on it must serve.
                        block.stop();
                        model.check(what + " file after stop", 0, Files.readAllBytes(file));
                        block = Images.started(file, sectorSize, false);
                    }
                }
            }
            byte[] whole = new byte[sectors * sectorSize];
            MemorySegment all = MemorySegment.ofArray(whole);
            block.read(0, all);
            model.check("final read of the whole device", 0, whole);
            block.flush();
        } finally {
            block.stop();
        }
        model.check("the file at the end", 0, Files.readAllBytes(file));
        assertEquals((long) sectors * sectorSize, Files.size(file), "the file keeps its size");
    }

    /**
     * A request that must be refused: misaligned, out of range or overflowing, as a read or a write. It
     * writes random bytes, so that the model's later checks catch any byte it let through.
     */
    private static void refused(RandomGenerator random, FileBlock block, Arena arena, int sectorSize, int sectors) {
        MemorySegment garbage = arena.allocate((long) sectorSize * 2);
        garbage.fill((byte) random.nextInt(256));
        boolean write = random.nextBoolean();
        Reason expected;
        long sector;
        List<MemorySegment> buffers;
        switch (random.nextInt(4)) {
            case 0 -> {
                // A good first buffer then a bad one: the first must not be written either.
                expected = Reason.MISALIGNED;
                sector = random.nextLong(Math.max(1, sectors - 1));
                buffers = List.of(garbage.asSlice(0, sectorSize),
                        garbage.asSlice(0, 1 + random.nextInt(sectorSize - 1)));
            }
            case 1 -> {
                // Two sectors from one before the end, the end, or one past it.
                expected = Reason.OUT_OF_RANGE;
                sector = sectors - random.nextInt(Math.min(sectors, 2) + 1) + 1;
                buffers = List.of(garbage.asSlice(0, sectorSize), garbage.asSlice(sectorSize, sectorSize));
            }
            case 2 -> {
                expected = Reason.OUT_OF_RANGE;
                sector = Long.MAX_VALUE - random.nextInt(2);
                buffers = List.of(garbage);
            }
            default -> {
                expected = Reason.OUT_OF_RANGE;
                sector = -1 - random.nextInt(sectors);
                buffers = List.of(garbage);
            }
        }
        long at = sector;
        BlockException e = assertThrows(BlockException.class,
                () -> {
                    if (write) {
                        block.write(at, buffers);
                    } else {
                        block.read(at, buffers);
                    }
                }, (write ? "write" : "read") + " at " + sector);
        assertEquals(expected, e.reason(), e.getMessage());
        if (expected == Reason.OUT_OF_RANGE && random.nextBoolean()) {
            BlockException discard = assertThrows(BlockException.class, () -> block.discard(at, 2));
            assertEquals(Reason.OUT_OF_RANGE, discard.reason(), discard.getMessage());
        }
    }

    /** One to three buffers of whole sectors, at most {@code room} sectors in all, of every kind of segment. */
    private static List<MemorySegment> buffers(RandomGenerator random, Arena arena, int sectorSize, long room) {
        List<MemorySegment> buffers = new ArrayList<>();
        long left = room;
        int wanted = 1 + random.nextInt(3);
        while (buffers.size() < wanted && left > 0) {
            int count = 1 + random.nextInt((int) Math.min(left, 3));
            left -= count;
            int bytes = count * sectorSize;
            buffers.add(switch (random.nextInt(3)) {
                case 0 -> arena.allocate(bytes);
                case 1 -> MemorySegment.ofArray(new byte[bytes]);
                // Heap memory over long[] has no ByteBuffer view: FileBlock bounces it.
                default -> MemorySegment.ofArray(new long[bytes / Long.BYTES]);
            });
        }
        return buffers;
    }

    private static long total(List<MemorySegment> buffers) {
        return buffers.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    private static void scatter(byte[] data, List<MemorySegment> buffers) {
        long at = 0;
        for (MemorySegment buffer : buffers) {
            MemorySegment.copy(data, (int) at, buffer, ValueLayout.JAVA_BYTE, 0, (int) buffer.byteSize());
            at += buffer.byteSize();
        }
    }

    private static byte[] gather(List<MemorySegment> buffers) {
        byte[] data = new byte[(int) total(buffers)];
        long at = 0;
        for (MemorySegment buffer : buffers) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, data, (int) at, (int) buffer.byteSize());
            at += buffer.byteSize();
        }
        return data;
    }
}

package dev.morgana.unix.block;

import dev.morgana.api.Service;
import dev.morgana.api.block.Block;
import dev.morgana.api.block.BlockException;
import dev.morgana.api.block.BlockInfo;
import jakarta.inject.Inject;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A block device over a host file (a disk image): sector {@code n} is the bytes from
 * {@code n * sectorSize}, and the sector count is the file's size at start divided by the sector size.
 *
 * <p>Requests use positional I/O on one {@link FileChannel}, so concurrent requests share no file
 * position; {@link InFlight} keeps overlapping ones whole. {@link #flush} is {@code fsync}. Discards punch
 * holes with {@code fallocate(2)} on a second descriptor opened for that purpose; where the file system
 * cannot ({@code EOPNOTSUPP}) or off Linux, a discard does nothing.
 *
 * <p>A thread interrupted during a request makes the JDK close the channel for everybody; the request
 * fails as {@link BlockException.Reason#DEVICE_FAILED}, and the next request reopens the file (refusing if
 * the path now names another file) and goes on, so one interrupted caller does not take the disk away
 * from the others.
 */
final class FileBlock implements Block, Service {

    /**
     * What to serve.
     *
     * @param file the disk image, an existing regular file
     * @param sectorSize 512 or 4096
     * @param readOnly whether writes and discards are refused (the file is then opened for reading only)
     */
    record Config(Path file, int sectorSize, boolean readOnly) {
        Config {
            Objects.requireNonNull(file, "file");
            if (sectorSize != 512 && sectorSize != 4096) {
                throw new IllegalArgumentException(
                        "a file block device has sectors of 512 or 4096 bytes, got " + sectorSize);
            }
        }
    }

    /** The most bytes of native memory handed to one channel call: a {@link ByteBuffer} is indexed by {@code int}. */
    private static final int MAX_CHUNK = 1 << 30;

    /**
     * The most bytes of heap memory handed to one channel call. The JDK copies heap buffers through a
     * temporary direct buffer as large as the call, and keeps it cached in the thread: this bounds it.
     */
    private static final int MAX_HEAP_CHUNK = 1 << 20;

    /** The native bounce buffer for heap segments that have no {@link ByteBuffer} view. */
    private static final int BOUNCE = 64 * 1024;

    /** How often one request reopens a channel closed under it before it gives up. */
    private static final int MAX_REOPENS = 3;

    private final Config config;
    private final InFlight inFlight = new InFlight();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Opened opened;

    /** The open file; its channel is replaced after an interrupt closed it. */
    private static final class Opened {
        final BlockInfo info;
        final Object fileKey;
        /** The descriptor {@code fallocate} punches holes through; -1 when read-only or off Linux. */
        final int discardFd;
        volatile FileChannel channel;
        /** Set once the file system answered that it cannot punch holes, so later discards skip the call. */
        volatile boolean holesUnsupported;

        Opened(BlockInfo info, Object fileKey, FileChannel channel, int discardFd) {
            this.info = info;
            this.fileKey = fileKey;
            this.channel = channel;
            this.discardFd = discardFd;
        }
    }

    /** Something done with the channel, retried on a reopened one if the channel was closed under it. */
    @FunctionalInterface
    private interface ChannelAction {
        void run(FileChannel channel) throws IOException;
    }

    /**
     * A device over {@code config.file()}, opened by {@link #start()}.
     *
     * @param config what to serve
     */
    @Inject
    public FileBlock(Config config) {
        this.config = config;
    }

    /**
     * Opens the file. It must exist: a missing disk image is far more often a mistyped path than a wish
     * for an empty disk, so it is never created (make one with {@code truncate -s 64M disk.img}).
     *
     * @throws NoSuchFileException when the file does not exist
     * @throws IOException when it is not a regular file, its size is not a whole number of sectors, or it
     *     cannot be opened
     */
    @Override
    public void start() throws IOException {
        if (opened != null || stopped.get()) {
            throw new IllegalStateException("a FileBlock starts once");
        }
        Path file = config.file();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no disk image there; FileBlock never creates "
                    + "one (make it first, for example with: truncate -s 64M " + file + ")");
        }
        // Checked before opening: opening a FIFO would block until a writer came.
        if (!attributes.isRegularFile()) {
            throw new IOException(file + " is not a regular file; FileBlock serves disk images stored in files");
        }
        FileChannel channel = openChannel();
        int discardFd = -1;
        try {
            long size = channel.size();
            if (size % config.sectorSize() != 0) {
                throw new IOException(file + " has " + size + " bytes, which is not a whole number of "
                        + config.sectorSize() + "-byte sectors; pad or truncate it to a multiple of "
                        + config.sectorSize());
            }
            if (!config.readOnly() && LinuxFiles.available()) {
                discardFd = LinuxFiles.open(file, LinuxFiles.O_RDWR | LinuxFiles.O_CLOEXEC);
            }
            opened = new Opened(new BlockInfo(config.sectorSize(), size / config.sectorSize(), !config.readOnly()),
                    attributes.fileKey(), channel, discardFd);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
                if (discardFd >= 0) {
                    LinuxFiles.close(discardFd);
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Refuses new requests, waits for running ones, then closes both descriptors. */
    @Override
    public void stop() throws IOException {
        Opened open = opened;
        if (open == null || !stopped.compareAndSet(false, true)) {
            return;
        }
        inFlight.close();
        IOException failure = null;
        try {
            open.channel.close();
        } catch (IOException e) {
            failure = e;
        }
        if (open.discardFd >= 0) {
            try {
                LinuxFiles.close(open.discardFd);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public BlockInfo info() {
        return started().info;
    }

    @Override
    public void read(long sector, List<MemorySegment> buffers) throws BlockException {
        Opened open = started();
        requireOpen();
        List<MemorySegment> targets = List.copyOf(buffers);
        long count = sectors(open.info, targets);
        requireInRange(open.info, sector, count);
        for (MemorySegment target : targets) {
            if (target.isReadOnly()) {
                throw new IllegalArgumentException("cannot read sectors into a read-only segment");
            }
        }
        InFlight.Range range = inFlight.enter(sector, count, false);
        try {
            withChannel(open, "reading", sector, count, channel -> transfer(channel, sector * open.info.sectorSize(), targets, false));
        } finally {
            inFlight.exit(range);
        }
    }

    @Override
    public void write(long sector, List<MemorySegment> buffers) throws BlockException {
        Opened open = started();
        requireOpen();
        requireWritable(open);
        List<MemorySegment> sources = List.copyOf(buffers);
        long count = sectors(open.info, sources);
        requireInRange(open.info, sector, count);
        InFlight.Range range = inFlight.enter(sector, count, true);
        try {
            withChannel(open, "writing", sector, count, channel -> transfer(channel, sector * open.info.sectorSize(), sources, true));
        } finally {
            inFlight.exit(range);
        }
    }

    @Override
    public void flush() throws BlockException {
        Opened open = started();
        requireOpen();
        // Overlaps nothing: it waits for no request, and only keeps stop from closing the channel under it.
        InFlight.Range range = inFlight.enter(0, 0, false);
        try {
            withChannel(open, "flushing", 0, 0, channel -> channel.force(true));
        } finally {
            inFlight.exit(range);
        }
    }

    @Override
    public void discard(long sector, long count) throws BlockException {
        Opened open = started();
        requireOpen();
        requireWritable(open);
        requireInRange(open.info, sector, count);
        if (count == 0) {
            return;
        }
        InFlight.Range range = inFlight.enter(sector, count, true);
        try {
            if (open.discardFd < 0 || open.holesUnsupported) {
                return;
            }
            int size = open.info.sectorSize();
            if (!LinuxFiles.punchHole(open.discardFd, sector * size, count * size)) {
                open.holesUnsupported = true;
            }
        } catch (IOException e) {
            throw new BlockException(BlockException.Reason.DEVICE_FAILED,
                    "discarding " + count + " sector(s) at " + sector + " of " + config.file() + " failed: "
                            + e.getMessage(), e);
        } finally {
            inFlight.exit(range);
        }
    }

    @Override
    public String toString() {
        return "FileBlock[" + config.file() + ", " + config.sectorSize() + "-byte sectors"
                + (config.readOnly() ? ", read-only]" : "]");
    }

    private FileChannel openChannel() throws IOException {
        OpenOption[] options = config.readOnly()
                ? new OpenOption[] {StandardOpenOption.READ}
                : new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        return FileChannel.open(config.file(), options);
    }

    private Opened started() {
        Opened open = opened;
        if (open == null) {
            throw new IllegalStateException(this + " is used before its service started");
        }
        return open;
    }

    // A fast answer for the common case; InFlight.enter is the check that closes the race with stop.
    private void requireOpen() throws BlockException {
        if (stopped.get()) {
            throw new BlockException(BlockException.Reason.CLOSED, this + " is stopped");
        }
    }

    private void requireWritable(Opened open) throws BlockException {
        if (!open.info.writable()) {
            throw new BlockException(BlockException.Reason.READ_ONLY, this + " is read-only");
        }
    }

    /** Counts the sectors in the buffers, refusing any buffer that is not a whole number of them. */
    private static long sectors(BlockInfo info, List<MemorySegment> buffers) throws BlockException {
        long count = 0;
        for (int i = 0; i < buffers.size(); i++) {
            long size = buffers.get(i).byteSize();
            if (size % info.sectorSize() != 0) {
                throw new BlockException(BlockException.Reason.MISALIGNED, "buffer " + i + " has " + size
                        + " bytes, not a whole number of " + info.sectorSize() + "-byte sectors");
            }
            // Saturates: a total beyond a long is out of range all the same, and must not wrap into range.
            count = count + size / info.sectorSize() < 0 ? Long.MAX_VALUE : count + size / info.sectorSize();
        }
        return count;
    }

    private static void requireInRange(BlockInfo info, long sector, long count) throws BlockException {
        // Written so that nothing overflows: count is compared to the total before it is subtracted.
        if (sector < 0 || count < 0 || count > info.sectorCount() || sector > info.sectorCount() - count) {
            throw new BlockException(BlockException.Reason.OUT_OF_RANGE, count + " sector(s) at " + sector
                    + " do not lie within the device's " + info.sectorCount() + " sectors");
        }
    }

    /**
     * Runs {@code action} on the current channel; if that channel is found closed by another caller's
     * interrupt, reopens it and runs {@code action} again from the start (positional I/O repeats
     * harmlessly).
     */
    private void withChannel(Opened open, String verb, long sector, long count, ChannelAction action)
            throws BlockException {
        for (int attempt = 0; ; attempt++) {
            FileChannel channel = open.channel;
            try {
                action.run(channel);
                return;
            } catch (ClosedByInterruptException e) {
                String what = describe(verb, sector, count);
                // This caller was interrupted: the JDK closed the channel; the interrupt status stays set.
                throw new BlockException(BlockException.Reason.DEVICE_FAILED, what + " on " + config.file()
                        + " was interrupted; the device stays usable", e);
            } catch (ClosedChannelException e) {
                if (attempt == MAX_REOPENS) {
                    String what = describe(verb, sector, count);
                    throw new BlockException(BlockException.Reason.DEVICE_FAILED, what + " on " + config.file()
                            + " failed: the file was closed under the request " + (MAX_REOPENS + 1) + " times", e);
                }
                reopen(open, channel);
            } catch (IOException e) {
                throw new BlockException(BlockException.Reason.DEVICE_FAILED,
                        describe(verb, sector, count) + " on " + config.file() + " failed: " + e, e);
            }
        }
    }

    // Built on failure only: requests do not pay for a message they rarely need.
    private static String describe(String verb, long sector, long count) {
        return count == 0 ? verb : verb + " " + count + " sector(s) at " + sector;
    }

    private void reopen(Opened open, FileChannel closed) throws BlockException {
        synchronized (open) {
            if (open.channel != closed) {
                return; // another request has reopened it already
            }
            try {
                FileChannel fresh = openChannel();
                Object fileKey = Files.readAttributes(config.file(), BasicFileAttributes.class).fileKey();
                if (!Objects.equals(fileKey, open.fileKey)) {
                    fresh.close();
                    throw new BlockException(BlockException.Reason.DEVICE_FAILED, config.file()
                            + " names another file than at start; not reopening it");
                }
                open.channel = fresh;
            } catch (BlockException e) {
                throw e;
            } catch (IOException e) {
                throw new BlockException(BlockException.Reason.DEVICE_FAILED,
                        "reopening " + config.file() + " after an interrupt failed: " + e, e);
            }
        }
    }

    /** Moves every byte of the buffers, in turn, from or to the file from {@code position} on. */
    private static void transfer(FileChannel channel, long position, List<MemorySegment> buffers, boolean write)
            throws IOException {
        for (MemorySegment buffer : buffers) {
            long size = buffer.byteSize();
            for (long done = 0; done < size; ) {
                int chunk = (int) Math.min(buffer.isNative() ? MAX_CHUNK : MAX_HEAP_CHUNK, size - done);
                MemorySegment slice = buffer.asSlice(done, chunk);
                ByteBuffer bytes;
                try {
                    bytes = slice.asByteBuffer();
                } catch (UnsupportedOperationException notBytes) {
                    // A heap segment over an array other than byte[] has no ByteBuffer view.
                    bounce(channel, position + done, slice, write);
                    done += chunk;
                    continue;
                }
                fully(channel, position + done, bytes, write);
                done += chunk;
            }
            position += size;
        }
    }

    private static void bounce(FileChannel channel, long position, MemorySegment slice, boolean write)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment view = arena.allocate(Math.min(BOUNCE, slice.byteSize()));
            ByteBuffer bounce = view.asByteBuffer();
            for (long done = 0; done < slice.byteSize(); ) {
                int length = (int) Math.min(bounce.capacity(), slice.byteSize() - done);
                bounce.clear().limit(length);
                if (write) {
                    MemorySegment.copy(slice, done, view, 0, length);
                    fully(channel, position + done, bounce, true);
                } else {
                    fully(channel, position + done, bounce, false);
                    MemorySegment.copy(view, 0, slice, done, length);
                }
                done += length;
            }
        }
    }

    /** One positional call may move fewer bytes than asked: loops until all have moved. */
    private static void fully(FileChannel channel, long position, ByteBuffer bytes, boolean write) throws IOException {
        int start = bytes.position();
        while (bytes.hasRemaining()) {
            long at = position + bytes.position() - start;
            int moved = write ? channel.write(bytes, at) : channel.read(bytes, at);
            if (moved < 0) {
                throw new EOFException("the file ends before byte " + at + "; was it truncated while in use?");
            }
        }
    }
}

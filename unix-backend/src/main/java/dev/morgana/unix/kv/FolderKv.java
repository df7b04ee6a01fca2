package dev.morgana.unix.kv;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRw;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code KvRo} and {@code KvRw} over a host folder: each key segment is one path element under the root,
 * directories are dictionaries and regular files are values. See the package documentation for the rules
 * on links, special files, reserved names, atomicity and locking.
 */
final class FolderKv implements KvRw {

    /**
     * Names the store keeps for itself (temporary files being written, dictionaries being removed). Every
     * host name is also a valid key segment, so no name is free by construction: this prefix is reserved
     * instead, and a key with a segment starting with it is treated as hidden.
     */
    static final String RESERVED_PREFIX = ".morgana~";

    /** The largest value {@link #get} returns in one heap segment (the largest Java array). */
    private static final long MAX_SEGMENT = Integer.MAX_VALUE - 8;

    /** Bytes copied at a time when writing, hashing or zero-filling, so that memory stays bounded. */
    private static final int CHUNK = 64 * 1024;

    /**
     * Where the store lives and whether it may write.
     *
     * @param root the folder; it must exist and be a directory
     * @param writable whether writes are allowed
     */
    record Config(Path root, boolean writable) {}

    /** The root's real path: every followed link must resolve below it. */
    private final Path root;
    private final boolean writable;

    /** Serializes writers: a batch holds it while its body runs, so the disk under its view stays still. */
    private final ReentrantLock writers = new ReentrantLock();

    /** Readers share it; a write or a batch's commit holds it exclusively, so readers see all of it or none. */
    private final ReentrantReadWriteLock visible = new ReentrantReadWriteLock();

    @Inject
    FolderKv(Config config) {
        Path real;
        try {
            real = config.root().toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("the key-value folder " + config.root() + " cannot be opened: " + e, e);
        }
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the key-value folder " + config.root() + " is not a directory");
        }
        this.root = real;
        this.writable = config.writable();
    }

    @Override
    public String toString() {
        return "FolderKv[" + root + (writable ? "" : ", read-only") + "]";
    }

    // ---------------------------------------------------------------------------------------------------
    // Where a key lives on the host.

    /** What a key designates on the host, after following the links that stay inside the root. */
    sealed interface Place {}

    /**
     * A regular file.
     *
     * @param entry the directory entry the key names (a link, when one was followed)
     * @param real where the bytes are
     */
    record Value(Path entry, Path real, BasicFileAttributes attributes) implements Place {}

    /**
     * A directory.
     *
     * @param entry the directory entry the key names (a link, when one was followed)
     * @param real the directory itself
     */
    record Dictionary(Path entry, Path real, BasicFileAttributes attributes) implements Place {}

    /**
     * Nothing: the first {@code found} segments exist, and {@code deepest} is the real directory they lead to.
     */
    record Absent(Path deepest, int found) implements Place {}

    /** A key above this one is a value; {@code value} is that key. */
    record BelowValue(KvKey value) implements Place {}

    /** Something the store does not see: a link out of the root or that does not resolve, a special file, a reserved name. */
    record Hidden() implements Place {}

    private static final Hidden HIDDEN = new Hidden();

    /** Locates a key, segment by segment, following only links that resolve inside the root. */
    private Place walk(KvKey key) throws IOException {
        List<String> segments = key.segments();
        for (String segment : segments) {
            if (reserved(segment)) {
                return HIDDEN;
            }
        }
        if (segments.isEmpty()) {
            return new Dictionary(root, root, Files.readAttributes(root, BasicFileAttributes.class));
        }
        Path directory = root;
        for (int i = 0; i < segments.size(); i++) {
            Path entry;
            try {
                entry = directory.resolve(segments.get(i));
            } catch (InvalidPathException e) {
                return HIDDEN; // the host cannot even name it, so nothing can be there
            }
            Place place = entry(entry);
            if (place == null) {
                return new Absent(directory, i);
            }
            boolean last = i == segments.size() - 1;
            switch (place) {
                case Dictionary dictionary -> {
                    if (last) {
                        return dictionary;
                    }
                    directory = dictionary.real();
                }
                case Value value -> {
                    return last ? value : new BelowValue(KvKey.of(segments.subList(0, i + 1)));
                }
                default -> {
                    return place;
                }
            }
        }
        throw new AssertionError("unreachable: the loop returns at the last segment");
    }

    /** Classifies one directory entry; {@code null} when there is none. */
    private Place entry(Path entry) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        Path real = entry;
        if (attributes.isSymbolicLink()) {
            try {
                real = entry.toRealPath();
                attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                return HIDDEN; // dangling, a loop, or unreadable: a link that cannot be checked is not followed
            }
            if (!real.startsWith(root)) {
                return HIDDEN;
            }
        }
        if (attributes.isDirectory()) {
            return new Dictionary(entry, real, attributes);
        }
        if (attributes.isRegularFile()) {
            return new Value(entry, real, attributes);
        }
        return HIDDEN;
    }

    static boolean reserved(String segment) {
        return segment.startsWith(RESERVED_PREFIX);
    }

    /** An entry of a listed directory, with where it leads. */
    private record Child(String name, Place place) {}

    /** The visible entries of a directory, sorted by name: what {@link #list} shows and {@link #digest} covers. */
    private List<Child> children(KvKey key, Path directory) throws IOException {
        List<Child> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (reserved(name) || !validChild(key, name)) {
                    continue;
                }
                Place place = entry(entry);
                if (place instanceof Value || place instanceof Dictionary) {
                    children.add(new Child(name, place));
                }
            }
        }
        children.sort(Comparator.comparing(Child::name));
        return children;
    }

    /** Whether {@code name} under {@code key} makes a valid key (host names such as {@code a/b} cannot occur). */
    static boolean validChild(KvKey key, String name) {
        try {
            key.resolve(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Locates a key for a batch's view; package-private for {@link BatchView}. */
    Place locate(KvKey key) throws KvException {
        return read(key, "look up", () -> walk(key));
    }

    // ---------------------------------------------------------------------------------------------------
    // KvRo.

    @Override
    public Optional<Kind> exists(KvKey key) throws KvException {
        return read(key, "look up", () -> switch (walk(key)) {
            case Value _ -> Optional.of(Kind.VALUE);
            case Dictionary _ -> Optional.of(Kind.DICTIONARY);
            default -> Optional.empty();
        });
    }

    @Override
    public MemorySegment get(KvKey key) throws KvException {
        return read(key, "read", () -> {
            Value value = value(key, walk(key));
            try (FileChannel channel = FileChannel.open(value.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                return readRange(key, channel, 0, Long.MAX_VALUE);
            }
        });
    }

    @Override
    public MemorySegment getPartial(KvKey key, long offset, long length) throws KvException {
        checkRange(offset, length);
        return read(key, "read", () -> {
            Value value = value(key, walk(key));
            try (FileChannel channel = FileChannel.open(value.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                return readRange(key, channel, offset, length);
            }
        });
    }

    static void checkRange(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative, got " + offset + " and " + length);
        }
    }

    /**
     * Reads {@code [offset, offset + length)} clipped to the file with positional reads, so that nothing else
     * is read. The channel pins the file: a concurrent replacement (a rename) cannot change what it reads.
     */
    private static MemorySegment readRange(KvKey key, FileChannel channel, long offset, long length) throws IOException {
        long size = channel.size();
        long count = offset >= size ? 0 : Math.min(length, size - offset);
        if (count > MAX_SEGMENT) {
            throw new KvException.Failed(key, key + " has " + count + " bytes from offset " + offset
                    + ", more than one heap segment holds; read it in parts with getPartial", null);
        }
        byte[] bytes = new byte[(int) count];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                break; // shorter than its size said: only another program truncating in place does this
            }
        }
        MemorySegment segment = MemorySegment.ofArray(bytes);
        return (buffer.hasRemaining() ? segment.asSlice(0, buffer.position()) : segment).asReadOnly();
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        return read(key, "list", () -> {
            Dictionary dictionary = switch (walk(key)) {
                case Dictionary found -> found;
                case Value _ -> throw new KvException.DictionaryExpected(key);
                default -> throw new KvException.NotFound(key);
            };
            List<Entry> entries = new ArrayList<>();
            for (Child child : children(key, dictionary.real())) {
                entries.add(new Entry(child.name(), child.place() instanceof Value ? Kind.VALUE : Kind.DICTIONARY));
            }
            return List.copyOf(entries);
        });
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        return read(key, "read the time of", () -> switch (walk(key)) {
            case Value value -> value.attributes().lastModifiedTime().toInstant();
            case Dictionary dictionary -> dictionary.attributes().lastModifiedTime().toInstant();
            default -> throw new KvException.NotFound(key);
        });
    }

    @Override
    public String digest(KvKey key) throws KvException {
        return read(key, "digest", () -> digest(key, walk(key), new HashSet<>()));
    }

    /** Digests a place; {@code above} holds the real directories being digested, to stop at a link cycle. */
    private String digest(KvKey key, Place place, Set<Path> above) throws IOException {
        switch (place) {
            case Value value -> {
                MessageDigest sha = sha256();
                try (FileChannel channel = FileChannel.open(value.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                    while (channel.read(buffer) >= 0) {
                        sha.update(buffer.flip());
                        buffer.clear();
                    }
                }
                return HexFormat.of().formatHex(sha.digest());
            }
            case Dictionary dictionary -> {
                if (!above.add(dictionary.real())) {
                    throw new KvException.Failed(key, "cannot digest " + key + ": a symbolic link makes a cycle", null);
                }
                DictionaryDigest digest = new DictionaryDigest();
                for (Child child : children(key, dictionary.real())) {
                    KvKey below = key.resolve(child.name());
                    digest.add(child.name(), child.place() instanceof Value ? Kind.VALUE : Kind.DICTIONARY,
                            digest(below, child.place(), above));
                }
                above.remove(dictionary.real());
                return digest.finish();
            }
            default -> throw new KvException.NotFound(key);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        return read(key, "read the size of", () -> value(key, walk(key)).attributes().size());
    }

    /** The value a read needs, or the error {@code KvRo} documents for what is there instead. */
    private static Value value(KvKey key, Place place) throws KvException {
        return switch (place) {
            case Value value -> value;
            case Dictionary _ -> throw new KvException.ValueExpected(key);
            default -> throw new KvException.NotFound(key);
        };
    }

    /**
     * The digest of a dictionary: SHA-256 over, for each entry in name order, {@code v} or {@code d} for its
     * kind, its name in UTF-8, a NUL, its digest in lower-case hex and a newline. The kind is covered so that
     * an empty value and an empty dictionary differ; the NUL cannot occur in a name. Shared with
     * {@link BatchView} so that a view digests exactly as the store will after the commit.
     */
    static final class DictionaryDigest {
        private final MessageDigest sha = sha256();

        void add(String name, Kind kind, String digest) {
            sha.update((byte) (kind == Kind.VALUE ? 'v' : 'd'));
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(digest.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
        }

        String finish() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // KvRw.

    @Override
    public void set(KvKey key, MemorySegment value) throws KvException {
        write(key, "write", directories -> doSet(key, value, directories));
    }

    @Override
    public void setPartial(KvKey key, long offset, MemorySegment data) throws KvException {
        checkPatch(offset, data);
        write(key, "write", directories -> doSetPartial(key, offset, data, directories));
    }

    static void checkPatch(long offset, MemorySegment data) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (offset > Long.MAX_VALUE - data.byteSize()) {
            throw new IllegalArgumentException("offset " + offset + " plus " + data.byteSize() + " bytes overflows");
        }
    }

    @Override
    public void remove(KvKey key) throws KvException {
        checkNotRoot(key, "remove");
        write(key, "remove", directories -> doRemove(key, directories));
    }

    @Override
    public void rename(KvKey source, KvKey destination) throws KvException {
        checkRename(source, destination);
        write(source, "rename", directories -> doRename(source, destination, directories));
    }

    static void checkRename(KvKey source, KvKey destination) {
        checkNotRoot(source, "rename");
        if (destination.startsWith(source) && !destination.equals(source)) {
            throw new IllegalArgumentException("cannot move " + source + " into itself, to " + destination);
        }
    }

    static void checkNotRoot(KvKey key, String operation) {
        if (key.isRoot()) {
            throw new IllegalArgumentException("cannot " + operation + " the root");
        }
    }

    @Override
    public void allocate(KvKey key, long size) throws KvException {
        checkSize(size);
        write(key, "allocate", directories -> doAllocate(key, size, directories));
    }

    static void checkSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
    }

    @Override
    public <T> T batch(Batch<T> body) throws KvException {
        checkWritable(KvKey.ROOT);
        checkNotInBatch();
        writers.lock();
        try {
            BatchView view = new BatchView(this);
            T result;
            try {
                result = body.apply(view);
            } finally {
                view.close();
            }
            commit(view.log());
            return result;
        } finally {
            writers.unlock();
        }
    }

    /** Applies a batch's writes in order, holding readers off so that they see none of it or all of it. */
    private void commit(List<BatchView.Op> log) throws KvException {
        if (log.isEmpty()) {
            return;
        }
        visible.writeLock().lock();
        try {
            Set<Path> directories = new LinkedHashSet<>();
            KvException failure = null;
            for (int i = 0; i < log.size() && failure == null; i++) {
                BatchView.Op op = log.get(i);
                try {
                    op.apply(this, directories);
                } catch (IOException | RuntimeException e) {
                    // The view checked every write against the same state, so only the host can fail here.
                    failure = new KvException.Failed(op.key(), "batch failed at write " + (i + 1) + " of " + log.size()
                            + " (" + op + "); the " + i + " writes before it are applied: " + e, e);
                }
            }
            try {
                syncDirectories(directories);
            } catch (IOException e) {
                if (failure == null) {
                    failure = failure(KvKey.ROOT, "sync after a batch", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            visible.writeLock().unlock();
        }
    }

    void doSet(KvKey key, MemorySegment value, Set<Path> directories) throws IOException {
        if (key.isRoot()) {
            throw new KvException.ValueExpected(key);
        }
        List<Path> created = new ArrayList<>();
        Path target = switch (walk(key)) {
            case Value existing -> existing.real();
            case Dictionary _ -> throw new KvException.ValueExpected(key);
            case BelowValue below -> throw new KvException.DictionaryExpected(below.value());
            case Hidden _ -> throw new KvException.NotFound(key);
            case Absent absent -> makeParents(key, absent, directories, created).resolve(key.name());
        };
        try {
            replace(target, directories, channel -> writeAll(channel, value, 0));
        } catch (IOException | RuntimeException e) {
            undoParents(created, e);
            throw e;
        }
    }

    void doSetPartial(KvKey key, long offset, MemorySegment data, Set<Path> directories) throws IOException {
        Path source = switch (walk(key)) {
            case Value existing -> existing.real();
            case Dictionary _ -> throw new KvException.ValueExpected(key);
            case BelowValue below -> throw new KvException.DictionaryExpected(below.value());
            default -> throw new KvException.NotFound(key);
        };
        // Copy, patch, replace: the same atomic rename as set, at the price of copying the value.
        replace(source, directories, channel -> {
            try (FileChannel old = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = old.size();
                for (long at = 0; at < size; ) {
                    long moved = channel.transferFrom(old, at, size - at);
                    if (moved <= 0) {
                        break; // shorter than its size said: only another program truncating in place does this
                    }
                    at += moved;
                }
            }
            // A positional write past the end leaves a gap that reads as zeros, as KvRw documents; an empty
            // write past the end still grows the value, so its last byte is written as a zero first.
            if (data.byteSize() == 0 && offset > channel.size()) {
                channel.write(ByteBuffer.allocate(1), offset - 1);
            }
            writeAll(channel, data, offset);
        });
    }

    void doRemove(KvKey key, Set<Path> directories) throws IOException {
        Place place = walk(key);
        Path entry = switch (place) {
            case Value value -> value.entry();
            case Dictionary dictionary -> dictionary.entry();
            default -> throw new KvException.NotFound(key);
        };
        Path parent = entry.getParent();
        if (place instanceof Value || Files.isSymbolicLink(entry)) {
            Files.delete(entry); // one unlink: atomic; for a link, the link goes and its target stays
            directories.add(parent);
            return;
        }
        // Renaming the directory aside makes the whole removal one atomic step; deleting the files follows.
        Path aside = parent.resolve(temporaryName(".removed"));
        Files.move(entry, aside, StandardCopyOption.ATOMIC_MOVE);
        directories.add(parent);
        try {
            deleteTree(aside);
        } catch (IOException e) {
            throw new KvException.Failed(key, key + " is removed, but its files could not all be deleted from "
                    + aside + ": " + e, e);
        }
    }

    void doRename(KvKey source, KvKey destination, Set<Path> directories) throws IOException {
        List<Path> created = new ArrayList<>();
        Path from = switch (walk(source)) {
            case Value value -> value.entry();
            case Dictionary dictionary -> dictionary.entry();
            default -> throw new KvException.NotFound(source);
        };
        Path to = switch (walk(destination)) {
            case Value _ -> throw new KvException.AlreadyExists(destination);
            case Dictionary _ -> throw new KvException.AlreadyExists(destination);
            case BelowValue below -> throw new KvException.DictionaryExpected(below.value());
            case Hidden _ -> throw new KvException.NotFound(destination);
            case Absent absent -> makeParents(destination, absent, directories, created).resolve(destination.name());
        };
        // rename(2) would replace an existing destination; it was checked absent above, under the writers' lock.
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            undoParents(created, e);
            throw e;
        }
        directories.add(from.getParent());
        directories.add(to.getParent());
    }

    void doAllocate(KvKey key, long size, Set<Path> directories) throws IOException {
        List<Path> created = new ArrayList<>();
        Path target = switch (walk(key)) {
            case Value _ -> throw new KvException.AlreadyExists(key);
            case Dictionary _ -> throw new KvException.AlreadyExists(key);
            case BelowValue below -> throw new KvException.DictionaryExpected(below.value());
            case Hidden _ -> throw new KvException.NotFound(key);
            case Absent absent -> makeParents(key, absent, directories, created).resolve(key.name());
        };
        // Writing the zeros, rather than setting a length, makes the file system reserve the blocks: a full
        // disk shows up here as NoSpace, not later in the middle of a partial write.
        Filler zeroFill = channel -> {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(size, 1)));
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                while (zeros.hasRemaining()) {
                    at += channel.write(zeros, at);
                }
            }
        };
        try {
            replace(target, directories, zeroFill);
        } catch (IOException | RuntimeException e) {
            undoParents(created, e);
            throw e;
        }
    }

    /**
     * Creates the missing dictionaries above {@code key}, adding them to {@code created}, and returns the real
     * directory that will hold it.
     */
    private static Path makeParents(KvKey key, Absent absent, Set<Path> directories, List<Path> created) throws IOException {
        Path directory = absent.deepest();
        List<String> segments = key.segments();
        for (int i = absent.found(); i < segments.size() - 1; i++) {
            Path made = directory.resolve(segments.get(i));
            Files.createDirectory(made);
            created.add(made);
            directories.add(directory);
            directory = made;
        }
        return directory;
    }

    /** A write that failed takes back the dictionaries it made, so that it leaves nothing behind. */
    private static void undoParents(List<Path> created, Throwable failure) {
        for (Path directory : created.reversed()) {
            try {
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    @FunctionalInterface
    private interface Filler {
        void fill(FileChannel channel) throws IOException;
    }

    /**
     * Writes a new file beside {@code target} under a reserved name, syncs it, and renames it over
     * {@code target}: a reader, or the disk after a crash, has the old file or the new one, never a part.
     */
    private static void replace(Path target, Set<Path> directories, Filler filler) throws IOException {
        Path directory = target.getParent();
        Path temporary = directory.resolve(temporaryName(".tmp"));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                filler.fill(channel);
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            directories.add(directory);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** A reserved name; random so that two processes writing into one folder do not collide. */
    private static String temporaryName(String suffix) {
        return RESERVED_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + suffix;
    }

    /**
     * Copies a segment to a file at {@code position} through a bounded heap buffer: the caller's segment may be
     * native, read-only or backed by any array, and only bytes are copied, whatever its layout.
     */
    private static void writeAll(FileChannel channel, MemorySegment data, long position) throws IOException {
        long size = data.byteSize();
        byte[] chunk = new byte[(int) Math.min(CHUNK, size)];
        for (long done = 0; done < size; ) {
            int n = (int) Math.min(chunk.length, size - done);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, done, chunk, 0, n);
            ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
            while (buffer.hasRemaining()) {
                channel.write(buffer, position + done + buffer.position());
            }
            done += n;
        }
    }

    /** Deletes a tree without following links: a link inside it goes, its target stays. */
    private static void deleteTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Makes renames and new entries durable: on Linux a directory's entries are synced through the directory. */
    private static void syncDirectories(Set<Path> directories) throws IOException {
        for (Path directory : directories) {
            // A later write of the same batch may have removed it, or put a value in its place: then there
            // is nothing left to make durable there (its parent, also in the set, is synced instead).
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (NoSuchFileException e) {
                // Gone between the check and the open: only another program does this; as above.
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Locking and errors.

    @FunctionalInterface
    private interface Reading<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface Writing {
        void run(Set<Path> directories) throws IOException;
    }

    private <T> T read(KvKey key, String doing, Reading<T> reading) throws KvException {
        visible.readLock().lock();
        try {
            return reading.run();
        } catch (IOException e) {
            throw failure(key, doing, e);
        } finally {
            visible.readLock().unlock();
        }
    }

    private void write(KvKey key, String doing, Writing writing) throws KvException {
        checkWritable(key);
        checkNotInBatch();
        writers.lock();
        try {
            visible.writeLock().lock();
            try {
                Set<Path> directories = new LinkedHashSet<>();
                writing.run(directories);
                syncDirectories(directories);
            } catch (IOException e) {
                throw failure(key, doing, e);
            } finally {
                visible.writeLock().unlock();
            }
        } finally {
            writers.unlock();
        }
    }

    private void checkWritable(KvKey key) throws KvException {
        if (!writable) {
            throw new KvException.Failed(key, "cannot write " + key + ": the folder " + root + " is opened read-only", null);
        }
    }

    /**
     * A batch's body that writes to the store itself, rather than to its view, would change the disk under the
     * view and could not be undone with the batch; the writers' lock is held by no other caller on this thread.
     */
    private void checkNotInBatch() {
        if (writers.isHeldByCurrentThread()) {
            throw new IllegalStateException("inside a batch, write through the view the batch's body was given");
        }
    }

    /** Maps a host error onto the signature's: full disks to {@code NoSpace}, the rest to {@code Failed}. */
    static KvException failure(KvKey key, String doing, IOException e) {
        if (e instanceof KvException known) {
            return known;
        }
        String reason = e instanceof FileSystemException host && host.getReason() != null ? host.getReason() : e.getMessage();
        if (reason != null && (reason.contains("No space left on device") || reason.contains("Disk quota exceeded"))) {
            KvException.NoSpace full = new KvException.NoSpace(key);
            full.addSuppressed(e); // NoSpace takes no cause; the host's error stays attached all the same
            return full;
        }
        return new KvException.Failed(key, "cannot " + doing + " " + key + ": " + e, e);
    }
}

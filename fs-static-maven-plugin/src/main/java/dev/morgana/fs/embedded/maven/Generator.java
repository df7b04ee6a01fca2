package dev.morgana.fs.embedded.maven;

import dev.morgana.api.kv.KvKey;
import dev.morgana.fs.embedded.internal.DictionaryDigest;
import dev.morgana.fs.embedded.internal.Index;
import dev.morgana.fs.embedded.internal.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns a folder into an embedded store: {@code index} and {@code pack-N} under {@link Layout#folder} in an
 * output folder that the build adds to its resources. Plain Java, so that it is tested without Maven;
 * {@link EmbedMojo} only maps the plugin's parameters onto {@link Config}.
 *
 * <p>What it takes from the folder (links, special files, odd names) is documented in package
 * {@code dev.morgana.fs.embedded}. Output is a function of the selected files' names, bytes and (unless
 * {@link Config#timestamp} is set) modification times, and of the configuration: the same input gives the
 * same bytes. Before writing, it compares a fingerprint of its input (names, sizes, modification times and
 * configuration, not the bytes) with the one it left last time, and writes nothing when they are equal.
 */
final class Generator {

    /** Bytes read at a time when hashing and copying. */
    private static final int CHUNK = 64 * 1024;

    /** What goes into the fingerprint besides the input: bump it when the output changes for the same input. */
    private static final String FINGERPRINT_VERSION = "morgana-kv-generator 1, index " + Index.VERSION;

    /**
     * What to embed, and where.
     *
     * @param folder the folder to embed
     * @param output the resource root the store is written under (its own folder in it is replaced)
     * @param store the store's name
     * @param includes Ant-style patterns of what to take; {@code **} for everything
     * @param excludes Ant-style patterns of what to leave out, with everything below it
     * @param timestamp the modification time to record for every key; empty to record the files' own
     * @param packSize the size packs are filled up to; a larger value gets a pack of its own
     * @param fingerprint the file that remembers the last run's input, outside {@code output}
     */
    record Config(Path folder, Path output, String store, List<String> includes, List<String> excludes,
            Optional<Instant> timestamp, long packSize, Path fingerprint) {
        Config {
            Layout.checkName(store);
            includes = List.copyOf(includes);
            excludes = List.copyOf(excludes);
            if (packSize < 1) {
                throw new IllegalArgumentException("the pack size must be at least 1 byte, not " + packSize);
            }
        }
    }

    /**
     * What a run did.
     *
     * @param upToDate whether nothing was written because the input had not changed
     * @param values the number of values
     * @param dictionaries the number of dictionaries, the root included
     * @param bytes the values' total size
     * @param stored the bytes stored in packs, after equal contents were stored once; -1 when up to date
     * @param packs the number of packs; -1 when up to date
     */
    record Result(boolean upToDate, int values, int dictionaries, long bytes, long stored, int packs) {}

    /** A key found in the folder, with what the generator needs of it. */
    private sealed interface Item {
        KvKey key();

        long modifiedMillis();
    }

    private record Directory(KvKey key, long modifiedMillis, List<Item> children) implements Item {}

    private record File(KvKey key, long modifiedMillis, Path real, long size) implements Item {}

    private final Config config;
    private final Consumer<String> warnings;
    private final Globs includes;
    private final Globs excludes;
    private final Path root;
    /** Everything the fingerprint covers, in walk order. */
    private final MessageDigest fingerprint = DictionaryDigest.sha256();

    private Generator(Config config, Consumer<String> warnings, Path root) {
        this.config = config;
        this.warnings = warnings;
        this.includes = Globs.of(config.includes());
        this.excludes = Globs.of(config.excludes());
        this.root = root;
    }

    /**
     * Generates the store, unless its input has not changed since the last run.
     *
     * @param config what to embed, and where
     * @param warnings told about each thing left out of the folder, and why
     * @return what was done
     * @throws IOException when the folder cannot be read, holds a cycle of links, or changes while read,
     *     or when the output cannot be written
     */
    static Result generate(Config config, Consumer<String> warnings) throws IOException {
        if (!Files.isDirectory(config.folder())) {
            throw new IOException("the folder to embed, " + config.folder() + ", is not a directory");
        }
        Generator generator = new Generator(config, warnings, config.folder().toRealPath());
        return generator.run();
    }

    private Result run() throws IOException {
        update(FINGERPRINT_VERSION, config.store(), config.includes().toString(), config.excludes().toString(),
                config.timestamp().toString(), Long.toString(config.packSize()));
        Directory top = directory(KvKey.ROOT, root, Files.readAttributes(root, BasicFileAttributes.class), new HashSet<>());
        String print = HexFormat.of().formatHex(fingerprint.digest());
        Path folder = config.output().resolve(Layout.folder(config.store()));
        List<Item> items = new ArrayList<>();
        flatten(top, items);
        if (upToDate(print, folder)) {
            return summary(true, items, -1, -1);
        }
        deleteTree(folder);
        Files.createDirectories(folder);
        Packer packer = new Packer();
        List<Index.Entry> entries = new ArrayList<>();
        for (Item item : items) {
            long modified = config.timestamp().map(Instant::toEpochMilli).orElse(item.modifiedMillis());
            entries.add(switch (item) {
                case Directory directory -> new Index.Dictionary(directory.key(), modified);
                case File file -> packer.add(file, modified);
            });
        }
        packer.close();
        Index index = new Index(packer.sizes, entries);
        Files.write(folder.resolve("index"), index.emit());
        // Last, so that a run that failed half-way is not taken for up to date.
        Files.createDirectories(config.fingerprint().toAbsolutePath().getParent());
        Files.writeString(config.fingerprint(), print + "\n" + packer.sizes.size() + "\n", StandardCharsets.UTF_8);
        return summary(false, items, packer.stored, packer.sizes.size());
    }

    private Result summary(boolean upToDate, List<Item> items, long stored, int packs) {
        long bytes = items.stream().mapToLong(item -> item instanceof File file ? file.size() : 0).sum();
        int values = (int) items.stream().filter(File.class::isInstance).count();
        return new Result(upToDate, values, items.size() - values, bytes, stored, packs);
    }

    /** Up to date when the fingerprint is the last run's and the index and packs it wrote are still there. */
    private boolean upToDate(String print, Path folder) throws IOException {
        if (!Files.isRegularFile(config.fingerprint()) || !Files.isRegularFile(folder.resolve("index"))) {
            return false;
        }
        List<String> last = Files.readAllLines(config.fingerprint(), StandardCharsets.UTF_8);
        if (last.size() != 2 || !last.get(0).equals(print)) {
            return false;
        }
        int packs = Integer.parseInt(last.get(1));
        for (int i = 0; i < packs; i++) {
            if (!Files.isRegularFile(config.output().resolve(Layout.pack(config.store(), i)))) {
                return false;
            }
        }
        return true;
    }

    private void update(String... parts) {
        for (String part : parts) {
            fingerprint.update(part.getBytes(StandardCharsets.UTF_8));
            fingerprint.update((byte) 0);
        }
    }

    private static void flatten(Item item, List<Item> into) {
        into.add(item);
        if (item instanceof Directory directory) {
            for (Item child : directory.children()) {
                flatten(child, into);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Walking the folder.

    /**
     * Reads a directory and what it holds. {@code real} is its real path; {@code above} holds the real paths
     * of the directories being walked, so that a link back to one of them is found.
     */
    private Directory directory(KvKey key, Path real, BasicFileAttributes attributes, Set<Path> above) throws IOException {
        if (!above.add(real)) {
            throw new IOException("cannot embed " + config.folder() + ": " + key + " is a symbolic link to a folder above it, "
                    + "which would embed a tree without end");
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(real)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(entry -> entry.getFileName().toString()));
        List<Item> children = new ArrayList<>();
        for (Path entry : entries) {
            Item child = entry(key, entry, above);
            if (child != null) {
                children.add(child);
            }
        }
        above.remove(real);
        long modified = millis(attributes);
        update("d", key.toString(), Long.toString(modified));
        return new Directory(key, modified, List.copyOf(children));
    }

    /** One entry of a directory, or {@code null} when it is left out. */
    private Item entry(KvKey parent, Path entry, Set<Path> above) throws IOException {
        String name = entry.getFileName().toString();
        KvKey key;
        try {
            key = parent.resolve(name);
        } catch (IllegalArgumentException e) {
            warnings.accept("left out " + entry + ": its name is no valid key segment (" + e.getMessage() + ")");
            return null;
        }
        if (excludes.matches(key.segments())) {
            return null;
        }
        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Path real = entry;
        if (attributes.isSymbolicLink()) {
            try {
                real = entry.toRealPath();
            } catch (FileSystemException e) {
                warnings.accept("left out " + entry + ": a symbolic link that does not resolve (" + e.getMessage() + ")");
                return null;
            }
            if (!real.startsWith(root)) {
                warnings.accept("left out " + entry + ": a symbolic link out of the folder, to " + real);
                return null;
            }
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            update("l", key.toString(), real.toString());
        }
        if (attributes.isDirectory()) {
            Directory directory = directory(key, real, attributes, above);
            boolean wanted = !directory.children().isEmpty() || includes.matches(key.segments());
            return wanted ? directory : null;
        }
        if (attributes.isRegularFile()) {
            if (!includes.matches(key.segments())) {
                return null;
            }
            long modified = millis(attributes);
            update("v", key.toString(), Long.toString(attributes.size()),
                    Long.toString(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
            return new File(key, modified, real, attributes.size());
        }
        warnings.accept("left out " + entry + ": neither a regular file nor a folder");
        return null;
    }

    private static long millis(BasicFileAttributes attributes) {
        return attributes.lastModifiedTime().toMillis();
    }

    // ---------------------------------------------------------------------------------------------------
    // Writing packs.

    /** Fills packs in key order, storing equal contents once. */
    private final class Packer {
        final List<Long> sizes = new ArrayList<>();
        /** Where each content already stored is (pack, offset), by its SHA-256. */
        private final Map<String, long[]> places = new HashMap<>();
        private OutputStream pack;
        private long filled;
        long stored;

        Index.Value add(File file, long modified) throws IOException {
            String sha256 = sha256(file);
            if (file.size() == 0) {
                return new Index.Value(file.key(), modified, 0, 0, 0, sha256);
            }
            long[] place = places.get(sha256);
            if (place == null) {
                if (pack == null || filled + file.size() > config.packSize()) {
                    next();
                }
                place = new long[] {sizes.size() - 1, filled};
                copy(file);
                places.put(sha256, place);
                stored += file.size();
            }
            return new Index.Value(file.key(), modified, file.size(), (int) place[0], place[1], sha256);
        }

        private void next() throws IOException {
            close();
            pack = Files.newOutputStream(config.output().resolve(Layout.pack(config.store(), sizes.size())));
            sizes.add(0L);
            filled = 0;
        }

        void close() throws IOException {
            if (pack != null) {
                pack.close();
                sizes.set(sizes.size() - 1, filled);
                pack = null;
            }
        }

        /** The file's SHA-256, from a first read: only new contents are read a second time, to be copied. */
        private String sha256(File file) throws IOException {
            MessageDigest sha = DictionaryDigest.sha256();
            byte[] chunk = new byte[CHUNK];
            long total = 0;
            try (InputStream in = Files.newInputStream(file.real(), LinkOption.NOFOLLOW_LINKS)) {
                for (int read; (read = in.read(chunk)) >= 0; ) {
                    sha.update(chunk, 0, read);
                    total += read;
                }
            }
            checkSize(file, total);
            return HexFormat.of().formatHex(sha.digest());
        }

        private void copy(File file) throws IOException {
            long copied;
            try (InputStream in = Files.newInputStream(file.real(), LinkOption.NOFOLLOW_LINKS)) {
                copied = in.transferTo(pack);
            }
            checkSize(file, copied);
            filled += copied;
        }

        private void checkSize(File file, long read) throws IOException {
            if (read != file.size()) {
                throw new IOException(file.real() + " changed while it was embedded: " + read + " bytes read, "
                        + file.size() + " expected");
            }
        }
    }

    /** Deletes a tree without following links. */
    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
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
}

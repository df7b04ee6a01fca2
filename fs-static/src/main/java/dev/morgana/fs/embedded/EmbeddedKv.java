package dev.morgana.fs.embedded;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.internal.CorruptIndexException;
import dev.morgana.fs.embedded.internal.DictionaryDigest;
import dev.morgana.fs.embedded.internal.Index;
import dev.morgana.fs.embedded.internal.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link KvRo} generated at build time from a folder by {@code morgana-fs-static-maven-plugin} and read
 * from the application's resources: no file system is touched at run time.
 *
 * <p>{@link #open} reads the store's index, which holds every key with its kind, size, modification time
 * and digest, so {@code exists}, {@code list}, {@code size}, {@code lastModified} and {@code digest} never
 * read contents. Contents are in packs of about a mebibyte (a value larger than that has a pack of its
 * own); a pack is read into memory the first time one of its values is asked for, and stays there.
 * {@code get} and {@code getPartial} then return read-only slices of it without copying.
 *
 * <p>Thread safety: every method may be called from any thread; two threads asking for the same pack first
 * load it once. Failures: a missing or truncated pack is {@link KvException.Failed} (the jar is broken);
 * it is not remembered, so a later call tries again.
 */
public final class EmbeddedKv implements KvRo {

    /** Bytes copied at a time from a pack's resource into its segment. */
    private static final int CHUNK = 64 * 1024;

    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]).asReadOnly();

    private final String store;
    private final ClassLoader loader;
    private final Map<KvKey, Node> nodes;
    private final List<Long> packSizes;
    private final AtomicReferenceArray<MemorySegment> packs;
    private final Object[] packLocks;

    /** One key: its index entry and, for a dictionary, its entries. */
    private static final class Node {
        final Index.Entry entry;
        final List<Node> children = new ArrayList<>();
        final List<Entry> listing = new ArrayList<>();
        /** The digest: set at once for a value, computed on first use for a dictionary (racy but idempotent). */
        volatile String digest;

        Node(Index.Entry entry) {
            this.entry = entry;
            this.digest = entry instanceof Index.Value value ? value.sha256() : null;
        }

        Kind kind() {
            return entry instanceof Index.Value ? Kind.VALUE : Kind.DICTIONARY;
        }
    }

    private EmbeddedKv(String store, ClassLoader loader, Index index) {
        this.store = store;
        this.loader = loader;
        this.nodes = new HashMap<>();
        for (Index.Entry entry : index.entries()) {
            Node node = new Node(entry);
            nodes.put(entry.key(), node);
            if (!entry.key().isRoot()) {
                // The index is in canonical order: the parent is there, and its entries arrive sorted by name.
                Node parent = nodes.get(entry.key().parent());
                parent.children.add(node);
                parent.listing.add(new Entry(entry.key().name(), node.kind()));
            }
        }
        this.packSizes = index.packSizes();
        this.packs = new AtomicReferenceArray<>(packSizes.size());
        this.packLocks = new Object[packSizes.size()];
        for (int i = 0; i < packLocks.length; i++) {
            packLocks[i] = new Object();
        }
    }

    /**
     * Opens an embedded store: reads its index, not its contents.
     *
     * @param store the store's name, as given to the plugin
     * @param loader the class loader whose resources hold the store (the application's)
     * @return the store
     * @throws IOException when the store is not among the resources, cannot be read, or its index is corrupt;
     *     the message names the resource
     * @throws IllegalArgumentException when {@code store} is not a valid store name
     */
    public static EmbeddedKv open(String store, ClassLoader loader) throws IOException {
        String resource = Layout.index(store);
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no embedded store \"" + store + "\": " + resource + " is not among the resources of "
                        + loader + "; did morgana-fs-static-maven-plugin run with <store>" + store + "</store>?");
            }
            bytes = in.readAllBytes();
        }
        try {
            return new EmbeddedKv(store, loader, Index.parse(MemorySegment.ofArray(bytes)));
        } catch (CorruptIndexException e) {
            throw new IOException("the index of the embedded store \"" + store + "\" (" + resource + ") is corrupt: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKv[" + store + ", " + nodes.size() + " keys in " + packSizes.size() + " packs]";
    }

    private Node node(KvKey key) throws KvException {
        Node node = nodes.get(Objects.requireNonNull(key, "key"));
        if (node == null) {
            throw new KvException.NotFound(key);
        }
        return node;
    }

    private Index.Value value(KvKey key) throws KvException {
        if (node(key).entry instanceof Index.Value value) {
            return value;
        }
        throw new KvException.ValueExpected(key);
    }

    @Override
    public Optional<Kind> exists(KvKey key) {
        Node node = nodes.get(Objects.requireNonNull(key, "key"));
        return node == null ? Optional.empty() : Optional.of(node.kind());
    }

    @Override
    public MemorySegment get(KvKey key) throws KvException {
        Index.Value value = value(key);
        return slice(key, value, 0, value.size());
    }

    @Override
    public MemorySegment getPartial(KvKey key, long offset, long length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative, got " + offset + " and " + length);
        }
        Index.Value value = value(key);
        if (offset >= value.size()) {
            return EMPTY;
        }
        return slice(key, value, offset, Math.min(length, value.size() - offset));
    }

    private MemorySegment slice(KvKey key, Index.Value value, long offset, long length) throws KvException {
        if (length == 0) {
            return EMPTY; // an empty value refers to no pack
        }
        return pack(key, value.pack()).asSlice(value.offset() + offset, length);
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        Node node = node(key);
        if (node.entry instanceof Index.Value) {
            throw new KvException.DictionaryExpected(key);
        }
        return Collections.unmodifiableList(node.listing);
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        return Instant.ofEpochMilli(node(key).entry.modifiedMillis());
    }

    @Override
    public String digest(KvKey key) throws KvException {
        return digest(node(key));
    }

    /** A dictionary's digest, from its entries' digests, remembered (the same formula as the folder store's). */
    private static String digest(Node node) {
        String known = node.digest;
        if (known != null) {
            return known;
        }
        DictionaryDigest digest = new DictionaryDigest();
        for (Node child : node.children) {
            digest.add(child.entry.key().name(), child.kind(), digest(child));
        }
        String computed = digest.finish();
        node.digest = computed;
        return computed;
    }

    @Override
    public long size(KvKey key) throws KvException {
        return value(key).size();
    }

    /** The pack, read on first use and kept: a read-only segment of exactly its size. */
    private MemorySegment pack(KvKey key, int number) throws KvException {
        MemorySegment pack = packs.get(number);
        if (pack != null) {
            return pack;
        }
        synchronized (packLocks[number]) {
            pack = packs.get(number);
            if (pack == null) {
                pack = load(key, number);
                packs.set(number, pack);
            }
            return pack;
        }
    }

    private MemorySegment load(KvKey key, int number) throws KvException {
        String resource = Layout.pack(store, number);
        long size = packSizes.get(number);
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new KvException.Failed(key, "cannot read " + key + ": the embedded store \"" + store + "\" has no "
                        + resource + " among its resources", null);
            }
            // Native memory managed by the garbage collector: a large store does not weigh on the heap, and a
            // slice keeps its pack alive as long as a caller holds it, as KvRo promises.
            MemorySegment pack = Arena.ofAuto().allocate(size, 8);
            byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
            long filled = 0;
            while (filled < size) {
                int read = in.read(chunk, 0, (int) Math.min(chunk.length, size - filled));
                if (read < 0) {
                    throw new KvException.Failed(key, "cannot read " + key + ": " + resource + " ends after " + filled
                            + " bytes, but the index says " + size, null);
                }
                MemorySegment.copy(chunk, 0, pack, ValueLayout.JAVA_BYTE, filled, read);
                filled += read;
            }
            if (in.read() >= 0) {
                throw new KvException.Failed(key, "cannot read " + key + ": " + resource + " is longer than the "
                        + size + " bytes the index says", null);
            }
            return pack.asReadOnly();
        } catch (IOException e) {
            if (e instanceof KvException known) {
                throw known;
            }
            throw new KvException.Failed(key, "cannot read " + key + " from " + resource + ": " + e, e);
        }
    }
}

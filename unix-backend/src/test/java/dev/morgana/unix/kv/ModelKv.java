package dev.morgana.unix.kv;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRw;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The specification FolderKv is held to: a tree of byte arrays and sorted maps, written from the contracts of
 * KvRo and KvRw and the package's choices (error order, reserved cases), sharing no code with FolderKv.
 * Single-threaded; its batch keeps a copy to restore when the body throws.
 */
final class ModelKv implements KvRw {

    private sealed interface Node permits Leaf, Dir {}

    private record Leaf(byte[] bytes) implements Node {}

    private static final class Dir implements Node {
        final TreeMap<String, Node> entries = new TreeMap<>();

        Dir copy() {
            Dir copy = new Dir();
            for (Map.Entry<String, Node> entry : entries.entrySet()) {
                copy.entries.put(entry.getKey(), entry.getValue() instanceof Dir dir ? dir.copy() : entry.getValue());
            }
            return copy;
        }
    }

    private Dir root = new Dir();

    ModelKv copy() {
        ModelKv copy = new ModelKv();
        copy.root = root.copy();
        return copy;
    }

    /** The node at {@code key}, or null when nothing is there (also below a value). */
    private Node node(KvKey key) {
        Node node = root;
        for (String segment : key.segments()) {
            if (!(node instanceof Dir dir)) {
                return null;
            }
            node = dir.entries.get(segment);
        }
        return node;
    }

    /** The parent of a write's key, creating missing dictionaries if {@code create}, else null when one is missing. */
    private Dir parent(KvKey key, boolean create) throws KvException {
        Dir dir = root;
        List<String> segments = key.segments();
        for (int i = 0; i < segments.size() - 1; i++) {
            Node next = dir.entries.get(segments.get(i));
            switch (next) {
                case null -> {
                    if (!create) {
                        return null;
                    }
                    Dir made = new Dir();
                    dir.entries.put(segments.get(i), made);
                    dir = made;
                }
                case Leaf leaf -> throw new KvException.DictionaryExpected(KvKey.of(segments.subList(0, i + 1)));
                case Dir inner -> dir = inner;
            }
        }
        return dir;
    }

    @Override
    public Optional<Kind> exists(KvKey key) {
        return switch (node(key)) {
            case null -> Optional.empty();
            case Leaf leaf -> Optional.of(Kind.VALUE);
            case Dir dir -> Optional.of(Kind.DICTIONARY);
        };
    }

    private byte[] value(KvKey key) throws KvException {
        return switch (node(key)) {
            case null -> throw new KvException.NotFound(key);
            case Leaf leaf -> leaf.bytes();
            case Dir dir -> throw new KvException.ValueExpected(key);
        };
    }

    @Override
    public MemorySegment get(KvKey key) throws KvException {
        return MemorySegment.ofArray(value(key).clone()).asReadOnly();
    }

    @Override
    public MemorySegment getPartial(KvKey key, long offset, long length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative");
        }
        byte[] bytes = value(key);
        if (offset >= bytes.length) {
            return MemorySegment.ofArray(new byte[0]).asReadOnly();
        }
        int end = (int) Math.min(bytes.length, offset + Math.min(length, bytes.length));
        return MemorySegment.ofArray(Arrays.copyOfRange(bytes, (int) offset, end)).asReadOnly();
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        return switch (node(key)) {
            case null -> throw new KvException.NotFound(key);
            case Leaf leaf -> throw new KvException.DictionaryExpected(key);
            case Dir dir -> {
                List<Entry> entries = new ArrayList<>();
                dir.entries.forEach((name, node) -> entries.add(new Entry(name, node instanceof Leaf ? Kind.VALUE : Kind.DICTIONARY)));
                yield entries;
            }
        };
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        if (node(key) == null) {
            throw new KvException.NotFound(key);
        }
        return Instant.EPOCH; // the model has no clock; the test compares only that a time comes back
    }

    @Override
    public String digest(KvKey key) throws KvException {
        Node node = node(key);
        if (node == null) {
            throw new KvException.NotFound(key);
        }
        return digest(node);
    }

    /** The documented formula: SHA-256 of the bytes; for a dictionary, over kind, name, NUL, digest, newline. */
    private static String digest(Node node) {
        MessageDigest sha = sha256();
        switch (node) {
            case Leaf leaf -> sha.update(leaf.bytes());
            case Dir dir -> dir.entries.forEach((name, child) -> {
                sha.update((byte) (child instanceof Leaf ? 'v' : 'd'));
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(digest(child).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) '\n');
            });
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        return value(key).length;
    }

    @Override
    public void set(KvKey key, MemorySegment value) throws KvException {
        if (key.isRoot()) {
            throw new KvException.ValueExpected(key);
        }
        Dir parent = parent(key, true);
        if (parent.entries.get(key.name()) instanceof Dir) {
            throw new KvException.ValueExpected(key);
        }
        parent.entries.put(key.name(), new Leaf(value.toArray(ValueLayout.JAVA_BYTE)));
    }

    @Override
    public void setPartial(KvKey key, long offset, MemorySegment data) throws KvException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative");
        }
        if (key.isRoot()) {
            throw new KvException.ValueExpected(key);
        }
        Dir parent = parent(key, false);
        Node node = parent == null ? null : parent.entries.get(key.name());
        byte[] old = switch (node) {
            case null -> throw new KvException.NotFound(key);
            case Dir dir -> throw new KvException.ValueExpected(key);
            case Leaf leaf -> leaf.bytes();
        };
        byte[] patch = data.toArray(ValueLayout.JAVA_BYTE);
        byte[] bytes = Arrays.copyOf(old, Math.max(old.length, Math.toIntExact(offset + patch.length)));
        System.arraycopy(patch, 0, bytes, (int) offset, patch.length);
        parent.entries.put(key.name(), new Leaf(bytes));
    }

    @Override
    public void remove(KvKey key) throws KvException {
        if (key.isRoot()) {
            throw new IllegalArgumentException("root");
        }
        if (!(node(key.parent()) instanceof Dir parent) || parent.entries.remove(key.name()) == null) {
            throw new KvException.NotFound(key);
        }
    }

    @Override
    public void rename(KvKey source, KvKey destination) throws KvException {
        if (source.isRoot() || (destination.startsWith(source) && !destination.equals(source))) {
            throw new IllegalArgumentException("root, or into itself");
        }
        Node moving = node(source);
        if (moving == null) {
            throw new KvException.NotFound(source);
        }
        if (destination.isRoot()) {
            throw new KvException.AlreadyExists(destination);
        }
        // Check the destination's parents before creating any, as the store does.
        Dir target = parent(destination, false);
        if (target != null && target.entries.containsKey(destination.name())) {
            throw new KvException.AlreadyExists(destination);
        }
        ((Dir) node(source.parent())).entries.remove(source.name());
        parent(destination, true).entries.put(destination.name(), moving);
    }

    @Override
    public void allocate(KvKey key, long size) throws KvException {
        if (size < 0) {
            throw new IllegalArgumentException("negative");
        }
        if (key.isRoot()) {
            throw new KvException.AlreadyExists(key);
        }
        Dir parent = parent(key, false);
        if (parent != null && parent.entries.containsKey(key.name())) {
            throw new KvException.AlreadyExists(key);
        }
        parent(key, true).entries.put(key.name(), new Leaf(new byte[Math.toIntExact(size)]));
    }

    @Override
    public <T> T batch(Batch<T> body) throws KvException {
        Dir before = root.copy();
        try {
            return body.apply(this);
        } catch (KvException | RuntimeException e) {
            root = before;
            throw e;
        }
    }
}

package dev.morgana.unix.kv;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRw;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a {@link FolderKv#batch} body writes to: an overlay on the folder, in memory, plus the log of the
 * writes that made it. Reads see the overlay, falling through to the folder where the batch changed nothing;
 * every write is checked against the overlay exactly as the folder would check it, then logged. The store
 * replays the log when the body returns; since the folder's writers wait meanwhile, the replay meets the
 * state the checks saw and fails only if the host does.
 *
 * <p>Memory: the overlay holds the bytes the batch writes (a partial write keeps only its patch) and one
 * node per dictionary on the way to them. Methods are synchronized, so the view is safe to share between
 * threads like the store; it refuses use after its batch has ended, and while a nested batch runs.
 */
final class BatchView implements KvRw {

    /** One logged write, replayed on the folder at commit. */
    sealed interface Op {
        KvKey key();

        void apply(FolderKv folder, Set<Path> directories) throws IOException;
    }

    record SetOp(KvKey key, byte[] bytes) implements Op {
        @Override
        public void apply(FolderKv folder, Set<Path> directories) throws IOException {
            folder.doSet(key, MemorySegment.ofArray(bytes), directories);
        }

        @Override
        public String toString() {
            return "set " + key + " to " + bytes.length + " bytes";
        }
    }

    record SetPartialOp(KvKey key, long offset, byte[] bytes) implements Op {
        @Override
        public void apply(FolderKv folder, Set<Path> directories) throws IOException {
            folder.doSetPartial(key, offset, MemorySegment.ofArray(bytes), directories);
        }

        @Override
        public String toString() {
            return "write " + bytes.length + " bytes at " + offset + " of " + key;
        }
    }

    record RemoveOp(KvKey key) implements Op {
        @Override
        public void apply(FolderKv folder, Set<Path> directories) throws IOException {
            folder.doRemove(key, directories);
        }

        @Override
        public String toString() {
            return "remove " + key;
        }
    }

    record RenameOp(KvKey key, KvKey destination) implements Op {
        @Override
        public void apply(FolderKv folder, Set<Path> directories) throws IOException {
            folder.doRename(key, destination, directories);
        }

        @Override
        public String toString() {
            return "rename " + key + " to " + destination;
        }
    }

    record AllocateOp(KvKey key, long size) implements Op {
        @Override
        public void apply(FolderKv folder, Set<Path> directories) throws IOException {
            folder.doAllocate(key, size, directories);
        }

        @Override
        public String toString() {
            return "allocate " + size + " bytes at " + key;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // The overlay.

    /** A node of the overlay. */
    private sealed interface Node {}

    /** Whatever the folder has at {@code key}, untouched by the batch (the key differs after a rename). */
    private record Base(KvKey key) implements Node {}

    /** Masks a folder entry the batch removed or moved away. */
    private enum Removed implements Node {
        INSTANCE
    }

    /** A byte range written into a value. */
    private record Patch(long offset, byte[] bytes) {}

    /**
     * A value the batch wrote: the folder's value at {@code origin} (if any) of {@code originSize} bytes,
     * zero-extended to {@code size}, with {@code patches} applied in order.
     */
    private record Staged(KvKey origin, long originSize, long size, List<Patch> patches, Instant changed) implements Node {

        static Staged of(byte[] bytes) {
            return new Staged(null, 0, bytes.length, List.of(new Patch(0, bytes)), Instant.now());
        }

        Staged patched(long offset, byte[] bytes) {
            List<Patch> more = new ArrayList<>(patches);
            more.add(new Patch(offset, bytes));
            return new Staged(origin, originSize, Math.max(size, offset + bytes.length), List.copyOf(more), Instant.now());
        }
    }

    /**
     * A dictionary the batch changed below: the folder's dictionary at {@code origin} (if it had one there)
     * with {@code overrides} on top; a name not overridden falls through to the folder.
     */
    private static final class Dict implements Node {
        final KvKey origin;
        final TreeMap<String, Node> overrides = new TreeMap<>();
        Instant changed;

        Dict(KvKey origin, Instant changed) {
            this.origin = origin;
            this.changed = changed;
        }

        /** The node for {@code name}: an override, the folder's entry, or {@code null} for nothing. */
        Node child(String name) {
            Node override = overrides.get(name);
            if (override != null) {
                return override == Removed.INSTANCE ? null : override;
            }
            if (origin == null || !FolderKv.validChild(origin, name)) {
                return null;
            }
            return new Base(origin.resolve(name));
        }

        void put(String name, Node node) {
            overrides.put(name, node);
            changed = Instant.now();
        }

        void remove(String name) {
            if (origin == null) {
                overrides.remove(name); // nothing below to mask
            } else {
                overrides.put(name, Removed.INSTANCE);
            }
            changed = Instant.now();
        }

        Dict copy() {
            Dict copy = new Dict(origin, changed);
            for (Map.Entry<String, Node> entry : overrides.entrySet()) {
                copy.overrides.put(entry.getKey(), entry.getValue() instanceof Dict dict ? dict.copy() : entry.getValue());
            }
            return copy;
        }
    }

    private final FolderKv folder;
    private Dict root;
    private final List<Op> log = new ArrayList<>();
    private boolean closed;
    private boolean nested;

    BatchView(FolderKv folder) {
        this(folder, new Dict(KvKey.ROOT, null));
    }

    private BatchView(FolderKv folder, Dict root) {
        this.folder = folder;
        this.root = root;
    }

    synchronized List<Op> log() {
        return List.copyOf(log);
    }

    synchronized void close() {
        closed = true;
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("this batch has ended; its view takes no more reads or writes");
        }
        if (nested) {
            throw new IllegalStateException("a nested batch is running; use the view its body was given");
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Finding a key, for reads.

    /** Where a key leads: a node of the overlay, a key of the folder, or nothing. */
    private sealed interface Found {}

    private record InOverlay(Node node) implements Found {}

    private record InFolder(KvKey key) implements Found {}

    private record Missing() implements Found {}

    private Found find(KvKey key) {
        Node node = root;
        List<String> segments = key.segments();
        for (int i = 0; i < segments.size(); i++) {
            switch (node) {
                case Base base -> {
                    return inFolder(base.key(), segments.subList(i, segments.size()));
                }
                case Dict dict -> {
                    node = dict.child(segments.get(i));
                    if (node == null) {
                        return new Missing();
                    }
                }
                default -> {
                    return new Missing(); // below a value
                }
            }
        }
        return node instanceof Base base ? new InFolder(base.key()) : new InOverlay(node);
    }

    private static Found inFolder(KvKey base, List<String> rest) {
        List<String> segments = new ArrayList<>(base.segments());
        segments.addAll(rest);
        try {
            return new InFolder(KvKey.of(segments));
        } catch (IllegalArgumentException tooLong) {
            return new Missing(); // a folder key that long cannot be reached
        }
    }

    /** Names the view's key, not the folder's, in an error from the folder at another key. */
    private static KvException translate(KvException error, KvKey folderKey, KvKey viewKey) {
        if (folderKey.equals(viewKey) || !folderKey.equals(error.key())) {
            return error;
        }
        return switch (error) {
            case KvException.NotFound _ -> new KvException.NotFound(viewKey);
            case KvException.ValueExpected _ -> new KvException.ValueExpected(viewKey);
            case KvException.DictionaryExpected _ -> new KvException.DictionaryExpected(viewKey);
            default -> error;
        };
    }

    // ---------------------------------------------------------------------------------------------------
    // KvRo.

    @Override
    public synchronized Optional<Kind> exists(KvKey key) throws KvException {
        checkUsable();
        return switch (find(key)) {
            case InFolder(KvKey at) -> folder.exists(at);
            case InOverlay(Staged _) -> Optional.of(Kind.VALUE);
            case InOverlay(Node _) -> Optional.of(Kind.DICTIONARY);
            case Missing _ -> Optional.empty();
        };
    }

    @Override
    public synchronized MemorySegment get(KvKey key) throws KvException {
        checkUsable();
        return getPartial(key, 0, Long.MAX_VALUE);
    }

    @Override
    public synchronized MemorySegment getPartial(KvKey key, long offset, long length) throws KvException {
        checkUsable();
        FolderKv.checkRange(offset, length);
        return switch (find(key)) {
            case InFolder(KvKey at) -> {
                try {
                    yield folder.getPartial(at, offset, length);
                } catch (KvException e) {
                    throw translate(e, at, key);
                }
            }
            case InOverlay(Staged staged) -> MemorySegment.ofArray(read(key, staged, offset, length)).asReadOnly();
            case InOverlay(Node _) -> throw new KvException.ValueExpected(key);
            case Missing _ -> throw new KvException.NotFound(key);
        };
    }

    /** Assembles a staged value's bytes in {@code [offset, offset + length)}, clipped to its size. */
    private byte[] read(KvKey key, Staged staged, long offset, long length) throws KvException {
        long count = offset >= staged.size() ? 0 : Math.min(length, staged.size() - offset);
        if (count > Integer.MAX_VALUE - 8) {
            throw new KvException.Failed(key, key + " has " + count + " bytes from offset " + offset
                    + ", more than one heap segment holds; read it in parts with getPartial", null);
        }
        byte[] bytes = new byte[(int) count];
        long end = offset + count;
        if (staged.origin() != null && offset < staged.originSize()) {
            MemorySegment old = folder.getPartial(staged.origin(), offset, Math.min(end, staged.originSize()) - offset);
            MemorySegment.copy(old, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) old.byteSize());
        }
        for (Patch patch : staged.patches()) {
            long from = Math.max(offset, patch.offset());
            long to = Math.min(end, patch.offset() + patch.bytes().length);
            if (from < to) {
                System.arraycopy(patch.bytes(), (int) (from - patch.offset()), bytes, (int) (from - offset), (int) (to - from));
            }
        }
        return bytes;
    }

    @Override
    public synchronized List<Entry> list(KvKey key) throws KvException {
        checkUsable();
        return switch (find(key)) {
            case InFolder(KvKey at) -> {
                try {
                    List<Entry> entries = new ArrayList<>();
                    for (Entry entry : folder.list(at)) {
                        if (FolderKv.validChild(key, entry.name())) {
                            entries.add(entry); // a name too long under this key will not be listed after the commit
                        }
                    }
                    yield List.copyOf(entries);
                } catch (KvException e) {
                    throw translate(e, at, key);
                }
            }
            case InOverlay(Dict dict) -> list(key, dict);
            case InOverlay(Node _) -> throw new KvException.DictionaryExpected(key);
            case Missing _ -> throw new KvException.NotFound(key);
        };
    }

    private List<Entry> list(KvKey key, Dict dict) throws KvException {
        TreeMap<String, Kind> entries = new TreeMap<>();
        if (dict.origin != null) {
            for (Entry entry : folder.list(dict.origin)) {
                entries.put(entry.name(), entry.kind());
            }
        }
        for (Map.Entry<String, Node> override : dict.overrides.entrySet()) {
            Optional<Kind> kind = switch (override.getValue()) {
                case Base base -> folder.exists(base.key());
                case Dict _ -> Optional.of(Kind.DICTIONARY);
                case Staged _ -> Optional.of(Kind.VALUE);
                case Removed _ -> Optional.empty();
            };
            if (kind.isPresent()) {
                entries.put(override.getKey(), kind.get());
            } else {
                entries.remove(override.getKey());
            }
        }
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, Kind> entry : entries.entrySet()) {
            if (FolderKv.validChild(key, entry.getKey())) {
                list.add(new Entry(entry.getKey(), entry.getValue()));
            }
        }
        return List.copyOf(list);
    }

    @Override
    public synchronized Instant lastModified(KvKey key) throws KvException {
        checkUsable();
        return switch (find(key)) {
            case InFolder(KvKey at) -> {
                try {
                    yield folder.lastModified(at);
                } catch (KvException e) {
                    throw translate(e, at, key);
                }
            }
            case InOverlay(Staged staged) -> staged.changed();
            case InOverlay(Dict dict) -> dict.changed != null ? dict.changed : folder.lastModified(dict.origin);
            case InOverlay(Node _) -> throw new KvException.NotFound(key);
            case Missing _ -> throw new KvException.NotFound(key);
        };
    }

    @Override
    public synchronized String digest(KvKey key) throws KvException {
        checkUsable();
        return switch (find(key)) {
            case InFolder(KvKey at) -> {
                try {
                    yield folder.digest(at);
                } catch (KvException e) {
                    throw translate(e, at, key);
                }
            }
            case InOverlay(Staged staged) -> {
                MessageDigest sha = FolderKv.sha256();
                for (long at = 0; at < staged.size(); at += 64 * 1024) {
                    sha.update(read(key, staged, at, 64 * 1024));
                }
                yield HexFormat.of().formatHex(sha.digest());
            }
            case InOverlay(Dict dict) -> {
                FolderKv.DictionaryDigest digest = new FolderKv.DictionaryDigest();
                for (Entry entry : list(key, dict)) {
                    digest.add(entry.name(), entry.kind(), digest(key.resolve(entry.name())));
                }
                yield digest.finish();
            }
            case InOverlay(Node _) -> throw new KvException.NotFound(key);
            case Missing _ -> throw new KvException.NotFound(key);
        };
    }

    @Override
    public synchronized long size(KvKey key) throws KvException {
        checkUsable();
        return switch (find(key)) {
            case InFolder(KvKey at) -> {
                try {
                    yield folder.size(at);
                } catch (KvException e) {
                    throw translate(e, at, key);
                }
            }
            case InOverlay(Staged staged) -> staged.size();
            case InOverlay(Node _) -> throw new KvException.ValueExpected(key);
            case Missing _ -> throw new KvException.NotFound(key);
        };
    }

    // ---------------------------------------------------------------------------------------------------
    // Locating a key, for writes: the same answers, in the same order, as FolderKv's walk.

    private enum State { ABSENT, VALUE, DICTIONARY, HIDDEN }

    private sealed interface Spot {}

    /** The key's parent is a dictionary of the overlay; {@code node} is what the key holds now. */
    private record Here(Dict parent, String name, State state, Node node) implements Spot {}

    /** A dictionary above the key is missing (only when not creating). */
    private record ParentMissing() implements Spot {}

    /** A key above is a value. */
    private record Below(KvKey value) implements Spot {}

    /** The key, or one above it, is hidden in the folder. */
    private record Unseen() implements Spot {}

    private State state(Node node) throws KvException {
        return switch (node) {
            case null -> State.ABSENT;
            case Removed _ -> State.ABSENT;
            case Staged _ -> State.VALUE;
            case Dict _ -> State.DICTIONARY;
            case Base base -> switch (folder.locate(base.key())) {
                case FolderKv.Value _ -> State.VALUE;
                case FolderKv.Dictionary _ -> State.DICTIONARY;
                case FolderKv.Absent _ -> State.ABSENT;
                default -> State.HIDDEN;
            };
        };
    }

    /**
     * Finds the dictionary that holds {@code key}, a key other than the root, turning the folder's
     * dictionaries on the way into overlay nodes; with {@code create}, missing ones are made as set does.
     */
    private Spot spot(KvKey key, boolean create) throws KvException {
        List<String> segments = key.segments();
        for (String segment : segments) {
            if (FolderKv.reserved(segment)) {
                return new Unseen();
            }
        }
        Dict directory = root;
        for (int i = 0; i < segments.size() - 1; i++) {
            String name = segments.get(i);
            Node child = directory.child(name);
            switch (state(child)) {
                case DICTIONARY -> {
                    if (child instanceof Dict dict) {
                        directory = dict;
                    } else {
                        // Not a change of content: the dictionary stands for the folder's, to hold overrides.
                        Dict dict = new Dict(((Base) child).key(), null);
                        directory.overrides.put(name, dict);
                        directory = dict;
                    }
                }
                case VALUE -> {
                    return new Below(KvKey.of(segments.subList(0, i + 1)));
                }
                case HIDDEN -> {
                    return new Unseen();
                }
                case ABSENT -> {
                    if (!create) {
                        return new ParentMissing();
                    }
                    Dict dict = new Dict(null, Instant.now());
                    directory.put(name, dict);
                    directory = dict;
                }
            }
        }
        Node node = directory.child(key.name());
        return new Here(directory, key.name(), state(node), node);
    }

    // ---------------------------------------------------------------------------------------------------
    // KvRw.

    @Override
    public synchronized void set(KvKey key, MemorySegment value) throws KvException {
        checkUsable();
        if (key.isRoot()) {
            throw new KvException.ValueExpected(key);
        }
        byte[] bytes = copy(key, value);
        switch (spot(key, true)) {
            case Here here when here.state() == State.DICTIONARY -> throw new KvException.ValueExpected(key);
            case Here here when here.state() == State.HIDDEN -> throw new KvException.NotFound(key);
            case Here here -> here.parent().put(here.name(), Staged.of(bytes));
            case Below below -> throw new KvException.DictionaryExpected(below.value());
            default -> throw new KvException.NotFound(key);
        }
        log.add(new SetOp(key, bytes));
    }

    @Override
    public synchronized void setPartial(KvKey key, long offset, MemorySegment data) throws KvException {
        checkUsable();
        FolderKv.checkPatch(offset, data);
        if (key.isRoot()) {
            throw new KvException.ValueExpected(key);
        }
        byte[] bytes = copy(key, data);
        switch (spot(key, false)) {
            case Here here when here.state() == State.DICTIONARY -> throw new KvException.ValueExpected(key);
            case Here here when here.state() == State.VALUE -> {
                Staged staged = switch (here.node()) {
                    case Staged already -> already;
                    case Base base -> {
                        long size = folder.size(base.key());
                        yield new Staged(base.key(), size, size, List.of(), Instant.now());
                    }
                    default -> throw new IllegalStateException("a value is staged or in the folder");
                };
                here.parent().put(here.name(), staged.patched(offset, bytes));
            }
            case Below below -> throw new KvException.DictionaryExpected(below.value());
            default -> throw new KvException.NotFound(key);
        }
        log.add(new SetPartialOp(key, offset, bytes));
    }

    @Override
    public synchronized void remove(KvKey key) throws KvException {
        checkUsable();
        FolderKv.checkNotRoot(key, "remove");
        switch (spot(key, false)) {
            case Here here when here.state() == State.VALUE || here.state() == State.DICTIONARY ->
                    here.parent().remove(here.name());
            default -> throw new KvException.NotFound(key);
        }
        log.add(new RemoveOp(key));
    }

    @Override
    public synchronized void rename(KvKey source, KvKey destination) throws KvException {
        checkUsable();
        FolderKv.checkRename(source, destination);
        if (!(spot(source, false) instanceof Here from) || (from.state() != State.VALUE && from.state() != State.DICTIONARY)) {
            throw new KvException.NotFound(source);
        }
        if (destination.isRoot()) {
            throw new KvException.AlreadyExists(destination);
        }
        switch (spot(destination, true)) {
            case Here to when to.state() == State.VALUE || to.state() == State.DICTIONARY ->
                    throw new KvException.AlreadyExists(destination);
            case Here to when to.state() == State.ABSENT -> {
                from.parent().remove(from.name());
                to.parent().put(to.name(), from.node());
            }
            case Below below -> throw new KvException.DictionaryExpected(below.value());
            default -> throw new KvException.NotFound(destination);
        }
        log.add(new RenameOp(source, destination));
    }

    @Override
    public synchronized void allocate(KvKey key, long size) throws KvException {
        checkUsable();
        FolderKv.checkSize(size);
        if (key.isRoot()) {
            throw new KvException.AlreadyExists(key);
        }
        switch (spot(key, true)) {
            case Here here when here.state() == State.VALUE || here.state() == State.DICTIONARY ->
                    throw new KvException.AlreadyExists(key);
            case Here here when here.state() == State.ABSENT ->
                    here.parent().put(here.name(), new Staged(null, 0, size, List.of(), Instant.now()));
            case Below below -> throw new KvException.DictionaryExpected(below.value());
            default -> throw new KvException.NotFound(key);
        }
        log.add(new AllocateOp(key, size));
    }

    /**
     * A nested batch: its body gets a copy of this view, which replaces this one when the body returns and
     * is dropped when it throws.
     */
    @Override
    public synchronized <T> T batch(Batch<T> body) throws KvException {
        checkUsable();
        BatchView inner = new BatchView(folder, root.copy());
        nested = true;
        T result;
        try {
            result = body.apply(inner);
        } finally {
            inner.close();
            nested = false;
        }
        root = inner.root;
        log.addAll(inner.log);
        return result;
    }

    /** Copies what a write brings: the caller's buffer is read during the call only. */
    private static byte[] copy(KvKey key, MemorySegment data) throws KvException {
        if (data.byteSize() > Integer.MAX_VALUE - 8) {
            throw new KvException.Failed(key, "a batch holds its writes in memory; " + data.byteSize()
                    + " bytes are more than one array holds", null);
        }
        return data.toArray(ValueLayout.JAVA_BYTE);
    }
}

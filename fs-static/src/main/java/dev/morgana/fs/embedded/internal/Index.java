package dev.morgana.fs.embedded.internal;

import dev.morgana.api.kv.KvKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The index of an embedded store: the list of its packs, and every key with its kind, modification time
 * and, for a value, its size, SHA-256 and place in the packs. The generator writes it at build time
 * ({@link #emit}); the store reads it once, when it opens ({@link #parse}), and never touches the packs for
 * {@code exists}, {@code list}, {@code size}, {@code digest} or {@code lastModified}.
 *
 * <p><b>Format, version 1.</b> Integers are big-endian; {@code s64} is a signed 64-bit integer that must
 * not be negative unless said otherwise.
 *
 * <pre>
 * magic        4 bytes  "MGKV" (4d 47 4b 56)
 * version      u16      1
 * flags        u16      0 (no flag is defined; any other value is refused)
 * pack count   u32      P
 * pack sizes   P × s64  the length of each pack in bytes, pack 0 first
 * entry count  u32      N, at least 1
 * N entries, each:
 *   kind       u8       1 = dictionary, 2 = value
 *   path size  u16      L
 *   path       L bytes  the key's segments in UTF-8, joined by '/', without a leading '/'; empty for the root
 *   modified   s64      milliseconds since 1970-01-01T00:00:00Z, may be negative
 *   and for a value only:
 *   size       s64      the value's length in bytes
 *   pack       u32      the pack that holds it; 0 when the size is 0
 *   offset     s64      where it starts in that pack; 0 when the size is 0
 *   sha256     32 bytes the SHA-256 of the value's bytes
 * </pre>
 *
 * <p>Nothing may follow the last entry. The first entry is the root, a dictionary. Each path is a valid
 * {@link KvKey} (so no segment is empty, {@code .}, {@code ..}, or holds NUL), and the entries are in
 * <i>canonical order</i>: sorted by their segments, compared one by one with {@link String#compareTo}, a
 * key before the keys below it. That is a depth-first walk listing each dictionary's entries by name, so
 * no key occurs twice, every key's parent comes before it, and each parent must be a dictionary. A value
 * of size 0 refers to no pack; any other lies entirely inside its pack ({@code offset + size <= pack
 * size}). Two values may share bytes (the generator stores equal contents once).
 *
 * <p>The packs are separate resources; {@link Layout} names them. This record validates everything in its
 * constructor, so that {@link #parse} and {@link #emit} cannot disagree on what is valid, and a store built
 * from a parsed index can trust every offset in it.
 *
 * <p>Not exported to modules: the format is shared with the generator (a Maven plugin, which runs on the
 * class path) and is no public API.
 *
 * @param packSizes the length of each pack, in bytes
 * @param entries every key, in canonical order, the root first
 */
public record Index(List<Long> packSizes, List<Entry> entries) {

    /** The first bytes of every index, {@code MGKV}. */
    public static final int MAGIC = 0x4d474b56;

    /** The only version this reader knows. */
    public static final int VERSION = 1;

    static final int DICTIONARY = 1;
    static final int VALUE = 2;

    private static final HexFormat HEX = HexFormat.of();

    /** What the index records about a key. */
    public sealed interface Entry {
        /**
         * Returns the key.
         *
         * @return the entry's key
         */
        KvKey key();

        /**
         * Returns the modification time.
         *
         * @return milliseconds since the epoch
         */
        long modifiedMillis();
    }

    /**
     * A dictionary.
     *
     * @param key its key
     * @param modifiedMillis when it last changed, in milliseconds since the epoch
     */
    public record Dictionary(KvKey key, long modifiedMillis) implements Entry {}

    /**
     * A value.
     *
     * @param key its key, not the root
     * @param modifiedMillis when it last changed, in milliseconds since the epoch
     * @param size its length in bytes
     * @param pack the pack holding it; 0 when {@code size} is 0
     * @param offset where in that pack it starts; 0 when {@code size} is 0
     * @param sha256 the SHA-256 of its bytes, 64 lower-case hex digits
     */
    public record Value(KvKey key, long modifiedMillis, long size, int pack, long offset, String sha256) implements Entry {
        /** Checks what does not depend on the other entries. */
        public Value {
            if (key.isRoot()) {
                throw new IllegalArgumentException("the root is a value, not a dictionary");
            }
            if (size < 0 || offset < 0 || pack < 0) {
                throw new IllegalArgumentException(key + ": negative size, offset or pack (" + size + ", " + offset
                        + ", " + pack + ")");
            }
            if (size == 0 && (pack != 0 || offset != 0)) {
                throw new IllegalArgumentException(key + ": an empty value has pack and offset 0, not " + pack
                        + " and " + offset);
            }
            if (sha256.length() != 64 || !sha256.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new IllegalArgumentException(key + ": a SHA-256 is 64 lower-case hex digits, not \"" + sha256 + "\"");
            }
        }
    }

    /**
     * Checks the rules the class documents.
     *
     * @throws IllegalArgumentException when one is broken, saying which and where
     */
    public Index {
        packSizes = List.copyOf(packSizes);
        entries = List.copyOf(entries);
        for (int i = 0; i < packSizes.size(); i++) {
            if (packSizes.get(i) < 0) {
                throw new IllegalArgumentException("pack " + i + " has a negative size: " + packSizes.get(i));
            }
        }
        if (entries.isEmpty() || !(entries.getFirst() instanceof Dictionary root) || !root.key().isRoot()) {
            throw new IllegalArgumentException("the first entry must be the root, a dictionary");
        }
        // Canonical order makes each parent precede its children, so a set of the dictionaries seen suffices.
        Set<KvKey> dictionaries = new HashSet<>();
        dictionaries.add(KvKey.ROOT);
        for (int i = 1; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            KvKey key = entry.key();
            if (compare(entries.get(i - 1).key(), key) >= 0) {
                throw new IllegalArgumentException("entry " + i + " (" + key + ") is not after " + entries.get(i - 1).key()
                        + " in canonical order");
            }
            if (key.isRoot() || !dictionaries.contains(key.parent())) {
                throw new IllegalArgumentException("entry " + i + " (" + key + ") is not inside a dictionary of the index");
            }
            switch (entry) {
                case Dictionary _ -> dictionaries.add(key);
                case Value value -> {
                    if (value.size() > 0) {
                        if (value.pack() >= packSizes.size()) {
                            throw new IllegalArgumentException("entry " + i + " (" + key + ") is in pack " + value.pack()
                                    + ", but there are " + packSizes.size());
                        }
                        long packSize = packSizes.get(value.pack());
                        if (value.offset() > packSize - value.size()) {
                            throw new IllegalArgumentException("entry " + i + " (" + key + ") ends past its pack: "
                                    + value.offset() + " + " + value.size() + " > " + packSize);
                        }
                    }
                }
            }
        }
    }

    /**
     * Canonical order: segment by segment, a key before the keys below it.
     *
     * @param a a key
     * @param b another key
     * @return negative, zero or positive as {@code a} comes before, is, or comes after {@code b}
     */
    public static int compare(KvKey a, KvKey b) {
        List<String> left = a.segments();
        List<String> right = b.segments();
        for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
            int order = left.get(i).compareTo(right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.size(), right.size());
    }

    /**
     * Reads an index.
     *
     * @param bytes the index, exactly
     * @return the index, valid
     * @throws CorruptIndexException when the bytes are not an index of this version, saying why and where
     */
    public static Index parse(MemorySegment bytes) throws CorruptIndexException {
        Reader in = new Reader(bytes);
        if (in.u32("magic") != MAGIC) {
            throw new CorruptIndexException("not an index of an embedded store: the first bytes are not \"MGKV\"");
        }
        int version = in.u16("version");
        if (version != VERSION) {
            throw new CorruptIndexException("index version " + version + ", but this reader knows version " + VERSION
                    + " only: build the application again with the plugin of the same Morgana version");
        }
        int flags = in.u16("flags");
        if (flags != 0) {
            throw new CorruptIndexException("unknown flags " + flags);
        }
        long packCount = in.u32("pack count");
        List<Long> packSizes = new ArrayList<>();
        for (long i = 0; i < packCount; i++) {
            packSizes.add(in.s64("size of pack " + i));
        }
        long entryCount = in.u32("entry count");
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < entryCount; i++) {
            entries.add(in.entry(i));
        }
        if (in.at != bytes.byteSize()) {
            throw new CorruptIndexException((bytes.byteSize() - in.at) + " bytes follow the last entry");
        }
        try {
            return new Index(packSizes, entries);
        } catch (IllegalArgumentException e) {
            throw new CorruptIndexException(e.getMessage());
        }
    }

    /** A cursor that checks the length before every read. */
    private static final class Reader {
        private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        private static final ValueLayout.OfLong S64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

        private final MemorySegment bytes;
        private long at;

        Reader(MemorySegment bytes) {
            this.bytes = bytes;
        }

        private void need(long count, String what) throws CorruptIndexException {
            if (bytes.byteSize() - at < count) {
                throw new CorruptIndexException("truncated at byte " + at + ": " + what + " needs " + count + " bytes, "
                        + (bytes.byteSize() - at) + " left");
            }
        }

        int u8(String what) throws CorruptIndexException {
            need(1, what);
            return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, at++));
        }

        int u16(String what) throws CorruptIndexException {
            need(2, what);
            int value = Short.toUnsignedInt(bytes.get(U16, at));
            at += 2;
            return value;
        }

        long u32(String what) throws CorruptIndexException {
            need(4, what);
            long value = Integer.toUnsignedLong(bytes.get(U32, at));
            at += 4;
            return value;
        }

        long s64(String what) throws CorruptIndexException {
            need(8, what);
            long value = bytes.get(S64, at);
            at += 8;
            return value;
        }

        Entry entry(long index) throws CorruptIndexException {
            String where = "entry " + index;
            long start = at;
            int kind = u8(where + ": kind");
            if (kind != DICTIONARY && kind != VALUE) {
                throw new CorruptIndexException(where + " at byte " + start + ": unknown kind " + kind);
            }
            KvKey key = path(where);
            long modified = s64(where + ": modified");
            if (kind == DICTIONARY) {
                return new Dictionary(key, modified);
            }
            long size = s64(where + ": size");
            long pack = u32(where + ": pack");
            long offset = s64(where + ": offset");
            need(32, where + ": sha256");
            String sha256 = HEX.formatHex(bytes.asSlice(at, 32).toArray(ValueLayout.JAVA_BYTE));
            at += 32;
            try {
                return new Value(key, modified, size, (int) Math.min(pack, Integer.MAX_VALUE), offset, sha256);
            } catch (IllegalArgumentException e) {
                throw new CorruptIndexException(where + ": " + e.getMessage());
            }
        }

        private KvKey path(String where) throws CorruptIndexException {
            int length = u16(where + ": path size");
            need(length, where + ": path");
            byte[] utf8 = bytes.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
            at += length;
            String path;
            try {
                path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
            } catch (CharacterCodingException e) {
                throw new CorruptIndexException(where + ": the path is not UTF-8");
            }
            if (path.isEmpty()) {
                return KvKey.ROOT;
            }
            if (path.charAt(0) == '/') {
                throw new CorruptIndexException(where + ": the path starts with '/'");
            }
            try {
                return KvKey.parse(path);
            } catch (IllegalArgumentException e) {
                throw new CorruptIndexException(where + ": " + e.getMessage());
            }
        }
    }

    /**
     * Writes the index in the format the class documents.
     *
     * @return the bytes
     */
    public byte[] emit() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) { // DataOutput is big-endian
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeShort(0);
            out.writeInt(packSizes.size());
            for (long size : packSizes) {
                out.writeLong(size);
            }
            out.writeInt(entries.size());
            for (Entry entry : entries) {
                out.writeByte(entry instanceof Dictionary ? DICTIONARY : VALUE);
                byte[] path = String.join("/", entry.key().segments()).getBytes(StandardCharsets.UTF_8);
                out.writeShort(path.length); // at most KvKey.MAX_KEY_BYTES, which fits
                out.write(path);
                out.writeLong(entry.modifiedMillis());
                if (entry instanceof Value value) {
                    out.writeLong(value.size());
                    out.writeInt(value.pack());
                    out.writeLong(value.offset());
                    out.write(HEX.parseHex(value.sha256()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a ByteArrayOutputStream does not fail", e);
        }
        return bytes.toByteArray();
    }
}

package dev.morgana.api.kv;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * KV_RO: a read-only tree of values (byte strings) and dictionaries, addressed by {@link KvKey}.
 *
 * <p>Thread safety: every method may be called from any thread, concurrently.
 *
 * <p>Buffers: a returned segment is read-only and belongs to the caller for as long as the caller keeps
 * it (it is managed by the garbage collector or the global arena, never freed under the caller). Its
 * bytes never change: it may be a slice of an immutable store's own memory (an embedded store returns
 * its contents without copying), and a writable store ({@link KvRw}) returns a snapshot that later
 * writes do not touch.
 */
public interface KvRo {

    /** What a key designates. */
    enum Kind {
        /** A byte string. */
        VALUE,
        /** A dictionary of further keys. */
        DICTIONARY
    }

    /**
     * An entry of a dictionary.
     *
     * @param name the entry's last segment
     * @param kind what it is
     */
    record Entry(String name, Kind kind) {}

    /**
     * Tells what {@code key} designates, if anything.
     *
     * @param key the key
     * @return the kind, or empty when nothing has this key
     * @throws KvException.Failed when the device failed
     */
    Optional<Kind> exists(KvKey key) throws KvException;

    /**
     * Reads a whole value.
     *
     * @param key the value's key
     * @return the value, read-only
     * @throws KvException {@link KvException.NotFound}, {@link KvException.ValueExpected} for a dictionary,
     *     {@link KvException.Failed}
     */
    MemorySegment get(KvKey key) throws KvException;

    /**
     * Reads part of a value, without reading the rest where the store can avoid it.
     *
     * @param key the value's key
     * @param offset where to start, from 0
     * @param length how many bytes at most; fewer are returned when the value ends first
     * @return the bytes from {@code offset}, read-only; empty when {@code offset} is at or past the end
     * @throws KvException as {@link #get} does
     * @throws IllegalArgumentException when {@code offset} or {@code length} is negative
     */
    MemorySegment getPartial(KvKey key, long offset, long length) throws KvException;

    /**
     * Lists a dictionary.
     *
     * @param key the dictionary's key; {@link KvKey#ROOT} for the top
     * @return its entries, sorted by name
     * @throws KvException {@link KvException.NotFound}, {@link KvException.DictionaryExpected} for a value,
     *     {@link KvException.Failed}
     */
    List<Entry> list(KvKey key) throws KvException;

    /**
     * Returns when a value or dictionary last changed.
     *
     * @param key the key
     * @return the wall-clock time of the last change
     * @throws KvException {@link KvException.NotFound}, {@link KvException.Failed}
     */
    Instant lastModified(KvKey key) throws KvException;

    /**
     * Returns a digest of the content, for ETags and caches: equal content gives an equal digest and a
     * change of content changes it. For a value it is the lower-case hex SHA-256 of its bytes; for a
     * dictionary it covers the names and digests of its entries.
     *
     * @param key the key
     * @return the digest as lower-case hex
     * @throws KvException {@link KvException.NotFound}, {@link KvException.Failed}
     */
    String digest(KvKey key) throws KvException;

    /**
     * Returns the size of a value.
     *
     * @param key the value's key
     * @return its length in bytes
     * @throws KvException {@link KvException.NotFound}, {@link KvException.ValueExpected} for a dictionary,
     *     {@link KvException.Failed}
     */
    long size(KvKey key) throws KvException;
}

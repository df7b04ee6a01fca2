package dev.morgana.api.kv;

import java.lang.foreign.MemorySegment;

/**
 * KV_RW: a {@link KvRo} that can also be written.
 *
 * <p>Every write is atomic: a reader sees the old value or the new one, never a mixture, also after a
 * crash. Writing a value creates the dictionaries above it; a key cannot be both a value and a
 * dictionary. Buffers passed in are read during the call only. A store may refuse keys it keeps for
 * itself, or that lead outside it (a link out of a host folder), as {@link KvException.NotFound}; its
 * documentation says which.
 */
public interface KvRw extends KvRo {

    /**
     * Sets a value, replacing any previous one.
     *
     * @param key the value's key, not the root
     * @param value the new bytes
     * @throws KvException {@link KvException.ValueExpected} when {@code key} is a dictionary,
     *     {@link KvException.DictionaryExpected} when a key above it is a value, {@link KvException.NoSpace},
     *     {@link KvException.Failed}
     */
    void set(KvKey key, MemorySegment value) throws KvException;

    /**
     * Overwrites part of a value, growing it if {@code offset + data} runs past its end (a gap is
     * zero-filled).
     *
     * @param key an existing value's key
     * @param offset where to start writing, from 0
     * @param data the bytes to write
     * @throws KvException {@link KvException.NotFound} and as {@link #set} does
     * @throws IllegalArgumentException when {@code offset} is negative
     */
    void setPartial(KvKey key, long offset, MemorySegment data) throws KvException;

    /**
     * Removes a value, or a dictionary with everything below it.
     *
     * @param key the key, not the root
     * @throws KvException {@link KvException.NotFound}, {@link KvException.Failed}
     * @throws IllegalArgumentException for the root
     */
    void remove(KvKey key) throws KvException;

    /**
     * Moves a value or dictionary to another key.
     *
     * @param source the key to move
     * @param destination the new key; must not exist
     * @throws KvException {@link KvException.NotFound} for {@code source}, {@link KvException.AlreadyExists}
     *     for {@code destination}, {@link KvException.DictionaryExpected} when a key above
     *     {@code destination} is a value, {@link KvException.Failed}
     * @throws IllegalArgumentException when {@code source} is the root or {@code destination} lies below it
     */
    void rename(KvKey source, KvKey destination) throws KvException;

    /**
     * Creates a zero-filled value of {@code size} bytes, reserving its space.
     *
     * @param key the new value's key
     * @param size its length in bytes
     * @throws KvException {@link KvException.AlreadyExists}, {@link KvException.DictionaryExpected} when a
     *     key above it is a value, {@link KvException.NoSpace}, {@link KvException.Failed}
     * @throws IllegalArgumentException when {@code size} is negative
     */
    void allocate(KvKey key, long size) throws KvException;

    /**
     * Runs {@code body} against a view of this store whose writes take effect together when it returns,
     * or not at all when it throws. Readers of this store see either none of the batch or all of it; a
     * store over a host file system may guarantee that only within its process and only per key across a
     * crash, and says so.
     *
     * @param <T> what the body returns
     * @param body the writes to group
     * @return what {@code body} returned
     * @throws KvException what {@code body} threw (nothing was written), or {@link KvException.Failed}
     *     when committing failed
     */
    <T> T batch(Batch<T> body) throws KvException;

    /**
     * A group of writes for {@link #batch}.
     *
     * @param <T> what the group returns
     */
    @FunctionalInterface
    interface Batch<T> {

        /**
         * Performs the writes.
         *
         * @param store the batch's view: reads see the batch's own writes
         * @return any result
         * @throws KvException to abandon the batch
         */
        T apply(KvRw store) throws KvException;
    }
}

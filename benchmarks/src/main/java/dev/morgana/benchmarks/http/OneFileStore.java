package dev.morgana.benchmarks.http;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** An in-memory KvRo holding one value, for serving a file without disk or folder in the way. */
final class OneFileStore implements KvRo {

    private final KvKey key;
    private final MemorySegment value;
    private final String digest;
    private final Instant modified = Instant.parse("2026-01-01T00:00:00Z");

    OneFileStore(String key, byte[] value) {
        this.key = KvKey.parse(key);
        this.value = MemorySegment.ofArray(value).asReadOnly();
        try {
            this.digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(KvKey asked) throws KvException {
        if (!asked.equals(key)) {
            throw new KvException.NotFound(asked);
        }
    }

    @Override
    public Optional<Kind> exists(KvKey asked) {
        return asked.equals(key) ? Optional.of(Kind.VALUE)
                : asked.equals(KvKey.ROOT) ? Optional.of(Kind.DICTIONARY) : Optional.empty();
    }

    @Override
    public MemorySegment get(KvKey asked) throws KvException {
        check(asked);
        return value;
    }

    @Override
    public MemorySegment getPartial(KvKey asked, long offset, long length) throws KvException {
        check(asked);
        long from = Math.min(offset, value.byteSize());
        return value.asSlice(from, Math.min(length, value.byteSize() - from));
    }

    @Override
    public List<Entry> list(KvKey asked) throws KvException {
        if (!asked.equals(KvKey.ROOT)) {
            throw new KvException.NotFound(asked);
        }
        return List.of(new Entry(key.toString().substring(1), Kind.VALUE));
    }

    @Override
    public Instant lastModified(KvKey asked) throws KvException {
        check(asked);
        return modified;
    }

    @Override
    public String digest(KvKey asked) throws KvException {
        check(asked);
        return digest;
    }

    @Override
    public long size(KvKey asked) throws KvException {
        check(asked);
        return value.byteSize();
    }
}

package dev.morgana.http;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A test-only read-only store in memory: values by key, folders implied by them. */
final class MemoryKv implements KvRo {

    static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    private final Map<KvKey, byte[]> values = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));

    MemoryKv put(String key, String value) {
        values.put(KvKey.parse(key), value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    @Override
    public Optional<Kind> exists(KvKey key) {
        if (values.containsKey(key)) {
            return Optional.of(Kind.VALUE);
        }
        String prefix = key.equals(KvKey.ROOT) ? "/" : key + "/";
        return values.keySet().stream().anyMatch(k -> k.toString().startsWith(prefix))
                ? Optional.of(Kind.DICTIONARY) : Optional.empty();
    }

    private byte[] value(KvKey key) throws KvException {
        byte[] value = values.get(key);
        if (value == null) {
            throw exists(key).isPresent() ? new KvException.ValueExpected(key) : new KvException.NotFound(key);
        }
        return value;
    }

    @Override
    public MemorySegment get(KvKey key) throws KvException {
        return MemorySegment.ofArray(value(key)).asReadOnly();
    }

    @Override
    public MemorySegment getPartial(KvKey key, long offset, long length) throws KvException {
        byte[] value = value(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length");
        }
        long from = Math.min(offset, value.length);
        return MemorySegment.ofArray(value).asSlice(from, Math.min(length, value.length - from)).asReadOnly();
    }

    @Override
    public List<Entry> list(KvKey key) {
        throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        value(key);
        return MODIFIED;
    }

    @Override
    public String digest(KvKey key) throws KvException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value(key)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        return value(key).length;
    }
}

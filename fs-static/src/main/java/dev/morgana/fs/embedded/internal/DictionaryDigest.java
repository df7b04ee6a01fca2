package dev.morgana.fs.embedded.internal;

import dev.morgana.api.kv.KvRo.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of a dictionary: SHA-256 over, for each entry in name order, {@code v} or {@code d} for its
 * kind, its name in UTF-8, a NUL, its digest in lower-case hex and a newline.
 *
 * <p>This is the formula of the folder store ({@code dev.morgana.unix.kv.FolderKv.DictionaryDigest}), copied
 * because a library never depends on a backend: the two must stay equal, so that a folder served from the
 * host and the same folder embedded give the same digests (and ETags). {@code EmbeddedVersusFolderTest} in
 * {@code architecture-tests} checks that they do.
 */
public final class DictionaryDigest {

    private final MessageDigest sha = sha256();

    /**
     * Adds the next entry; entries must come in name order.
     *
     * @param name the entry's name
     * @param kind what it is
     * @param digest its digest, lower-case hex
     */
    public void add(String name, Kind kind, String digest) {
        sha.update((byte) (kind == Kind.VALUE ? 'v' : 'd'));
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(digest.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
    }

    /**
     * Returns the digest of the entries added.
     *
     * @return lower-case hex
     */
    public String finish() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Returns a new SHA-256.
     *
     * @return the digest
     */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

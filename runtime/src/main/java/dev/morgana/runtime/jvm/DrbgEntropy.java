package dev.morgana.runtime.jvm;

import dev.morgana.api.Entropy;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A NIST SP 800-90A DRBG (the JDK's Hash_DRBG with SHA-256, 256-bit strength), seeded and reseeded from
 * the operating system's entropy source. {@link SecureRandom} is thread-safe.
 */
final class DrbgEntropy implements Entropy {

    private final SecureRandom drbg;

    @Inject
    public DrbgEntropy() {
        try {
            drbg = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256,
                    DrbgParameters.Capability.RESEED_ONLY, "morgana".getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK offers no DRBG with 256-bit strength", e);
        }
    }

    @Override
    public void fill(byte[] bytes) {
        drbg.nextBytes(bytes);
    }
}

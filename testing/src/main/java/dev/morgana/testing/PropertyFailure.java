package dev.morgana.testing;

import java.io.Serial;

/**
 * A {@link Property} failed for one seed. The message says the seed and how to replay it; the cause is
 * what the property threw.
 */
public final class PropertyFailure extends AssertionError {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long seed;

    PropertyFailure(String message, long seed, Throwable cause) {
        super(message, cause);
        this.seed = seed;
    }

    /**
     * Returns the seed of the failing run.
     *
     * @return the value to pass as {@code -Dmorgana.seed}
     */
    public long seed() {
        return seed;
    }
}

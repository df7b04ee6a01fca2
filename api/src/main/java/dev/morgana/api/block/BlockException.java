package dev.morgana.api.block;

import java.io.IOException;
import java.util.Objects;

/**
 * The checked error of {@link Block}. Callers branch on {@link #reason()}; a request that fails for a
 * reason other than {@link Reason#DEVICE_FAILED} wrote nothing.
 */
public class BlockException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Reason {
        /** The request runs past the last sector. */
        OUT_OF_RANGE,
        /** A buffer's size is not a whole number of sectors. */
        MISALIGNED,
        /** A write or discard to a read-only device. */
        READ_ONLY,
        /** The device is closed. */
        CLOSED,
        /** The device reported an error; what was written is unknown. */
        DEVICE_FAILED
    }

    private final Reason reason;

    /**
     * Creates an error.
     *
     * @param reason why the request failed
     * @param message what failed, for people
     */
    public BlockException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates an error caused by another.
     *
     * @param reason why the request failed
     * @param message what failed, for people
     * @param cause the underlying error
     */
    public BlockException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns why the request failed.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}

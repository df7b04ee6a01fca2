package dev.morgana.runtime;

import java.io.Serial;

/**
 * A target cannot be applied: a signature the application or a functor needs is provided by no module,
 * or the modules conflict. The message names each problem, in the target's terms, on a line of its own.
 */
public final class TargetException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.morgana.fs.embedded.internal;

/**
 * The bytes of an index are not an index of format version 1: truncated, from another version, or
 * breaking one of the rules {@link Index} documents. The message says which rule, and where.
 */
public final class CorruptIndexException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what is wrong, and at which byte or entry
     */
    public CorruptIndexException(String message) {
        super(message);
    }
}

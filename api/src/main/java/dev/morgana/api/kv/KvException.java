package dev.morgana.api.kv;

import java.io.IOException;

/**
 * The checked error of the key-value signatures. It is sealed: a caller switches over its subclasses to
 * tell "no such key" ({@link NotFound}) from "the device failed" ({@link Failed}).
 */
public abstract sealed class KvException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Transient: keys are not serializable; a deserialized error has lost its key (its message keeps it). */
    private final transient KvKey key;

    private KvException(KvKey key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /**
     * Returns the key the operation failed on.
     *
     * @return the key; {@code null} only in an error that was serialized and read back
     */
    public KvKey key() {
        return key;
    }

    /** No value or dictionary has this key. */
    public static final class NotFound extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the missing key
         */
        public NotFound(KvKey key) {
            super(key, "no such key: " + key, null);
        }
    }

    /** The key names a value, but the operation needs a dictionary (listing it, or a key below it). */
    public static final class DictionaryExpected extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the key that names a value
         */
        public DictionaryExpected(KvKey key) {
            super(key, "not a dictionary: " + key, null);
        }
    }

    /** The key names a dictionary, but the operation needs a value (reading or writing it). */
    public static final class ValueExpected extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the key that names a dictionary
         */
        public ValueExpected(KvKey key) {
            super(key, "not a value: " + key, null);
        }
    }

    /** The destination of a rename already exists, or an allocation's key is taken. */
    public static final class AlreadyExists extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the key that exists
         */
        public AlreadyExists(KvKey key) {
            super(key, "already exists: " + key, null);
        }
    }

    /** The store is full. Nothing was written. */
    public static final class NoSpace extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the key that was being written
         */
        public NoSpace(KvKey key) {
            super(key, "no space left for " + key, null);
        }
    }

    /** The store's device failed, or the store is closed; the message and cause say how. */
    public static final class Failed extends KvException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the error.
         *
         * @param key the key the operation was on
         * @param message what failed
         * @param cause the underlying error, or {@code null}
         */
        public Failed(KvKey key, String message, Throwable cause) {
            super(key, message, cause);
        }
    }
}

package dev.morgana.api.net;

/**
 * Hostile or broken bytes: a received frame, packet or segment that a parser rejected.
 *
 * <p>Unchecked and stackless, because it is raised on untrusted input at line rate and caught in exactly
 * one place per layer, where the packet is counted and dropped. It never reaches an application.
 */
public final class MalformedPacketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what is wrong with the bytes, for the drop counters and debugging
     */
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}

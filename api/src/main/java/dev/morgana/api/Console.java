package dev.morgana.api;

/**
 * CONSOLE: where a unikernel writes its log lines (standard output on a host, the Xen console in a
 * guest).
 *
 * <p>Thread-safe: lines written concurrently are never interleaved within a line.
 */
public interface Console {

    /**
     * Writes one line of log output. A line break is added; line breaks inside {@code line} are written
     * as they are.
     *
     * @param line the text to write
     */
    void log(String line);
}

package dev.morgana.api;

/**
 * The lifecycle of a device: something that must be opened before use and released afterwards (a TAP
 * device, a timer thread, an open file, a listening socket).
 *
 * <p>Implementations of signatures that hold resources also implement {@code Service}. The bootstrap
 * finds every singleton that is a {@code Service}, calls {@link #start()} in dependency order (a
 * service starts only after every service it depends on has started) and {@link #stop()} in the
 * reverse order, both on normal exit, on failure and on SIGTERM. Construction must not open anything:
 * Guice constructs objects while it checks the whole graph, before anything starts.
 *
 * <p>The bootstrap calls {@code start} and {@code stop} each at most once, never both at the same time,
 * and {@code stop} only after a successful {@code start}. They may run on different threads: on SIGTERM,
 * {@code stop} runs on the JVM's shutdown-hook thread, and a {@code start} still running then is
 * interrupted.
 */
public interface Service {

    /**
     * Opens the device. Called once, after every service this one depends on has started.
     *
     * @throws Exception when the device cannot be opened; the bootstrap then stops, in reverse order,
     *     every service it had already started and rethrows this exception; an interrupted start should
     *     throw {@link InterruptedException}
     */
    void start() throws Exception;

    /**
     * Releases the device. Called once, before any service this one depends on is stopped. Must not
     * block indefinitely; threads parked on this device should be woken with an error.
     *
     * @throws Exception when releasing failed; the bootstrap reports it and goes on stopping the others
     */
    void stop() throws Exception;
}

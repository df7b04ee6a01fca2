package dev.morgana.api;

/**
 * A unikernel's application: the one piece of code that uses the devices a target provides.
 *
 * <p>An application receives the signatures it needs through its {@code @Inject} constructor (a
 * {@link Console}, a {@code Stack}, a {@code KvRo}, …) and never names an implementation, so the same
 * class runs on every target. The bootstrap constructs it after every device has started, calls
 * {@link #run()} once on a virtual thread, and stops the devices when {@code run} returns or throws.
 */
@FunctionalInterface
public interface Application {

    /**
     * Does the application's work. Returning ends the unikernel normally; throwing ends it with a
     * failure. When the unikernel is asked to stop (SIGTERM, Ctrl-C) the thread running this method is
     * interrupted: a long-running application should return promptly once interrupted.
     *
     * @throws Exception anything the application could not handle; the bootstrap reports it and exits
     *     with a non-zero status
     */
    void run() throws Exception;
}

package dev.morgana.api;

/**
 * An event loop: a platform thread that runs a network stack's events, a device's receive loop for example, as
 * stretches of the virtual threads it carries, those started with {@link #virtualThreads()}.
 *
 * <p>A layer that starts a virtual thread because of an event, as TCP starts a handler's thread for a
 * connection it accepted, starts it with {@link #virtualThreadsHere()}: on the loop that brought the event,
 * when the event came through {@link #runEvents}. The handler then reads what its loop just received and sends
 * its answer on that same platform thread, where the JDK's scheduler would cost a wake-up of another thread
 * per message each way. The price is that of code in an event loop: a virtual thread that blocks its carrier
 * (in a native call or file I/O) holds up the loop meanwhile; waiting on locks, conditions, monitors and
 * sleeps parks it and frees the loop. For the same reason a loop's platform thread itself never waits for a
 * lock: it only waits for work, and runs whatever may block, its own receiving included, on virtual threads.
 */
public interface EventLoop {

    /**
     * Returns a new builder of virtual threads that this loop carries.
     *
     * @return the builder, for the caller alone (builders are not thread-safe)
     */
    Thread.Builder.OfVirtual virtualThreads();

    /**
     * Runs {@code events}, the code that brings this loop's events, on the calling thread (one of this loop's
     * virtual threads), so that {@link #virtualThreadsHere()} in it and in what it calls gives this loop's threads.
     *
     * @param events the receiving, until it returns
     */
    default void runEvents(Runnable events) {
        ScopedValue.where(CurrentLoop.LOOP, this).run(events);
    }

    /**
     * Returns a builder of virtual threads carried by the loop whose {@link #runEvents} the current thread is in,
     * or else by the JDK's scheduler.
     *
     * @return a new builder
     */
    static Thread.Builder.OfVirtual virtualThreadsHere() {
        return CurrentLoop.LOOP.isBound() ? CurrentLoop.LOOP.get().virtualThreads() : Thread.ofVirtual();
    }
}

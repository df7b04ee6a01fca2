package dev.morgana.api;

import java.time.Duration;

/**
 * TIME: sleeping, and running an action at a monotonic deadline.
 *
 * <p>Deadlines are in the time base of the target's {@link Clock#monotonicNanos()}; with a virtual
 * clock they fire only when the test advances time, in deadline order (ties in the order they were
 * scheduled). Implementations are thread-safe.
 */
public interface Timers {

    /**
     * Blocks the calling thread (usually a virtual thread) until {@code duration} has passed on the
     * target's clock.
     *
     * @param duration how long to wait; zero or negative returns at once
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Runs {@code action} once, as soon as possible after the monotonic time reaches {@code deadlineNanos}.
     *
     * <p>The action runs on a thread owned by the implementation and must be short and must not block:
     * a protocol stack typically posts a message to its own event loop from it. An exception thrown by
     * the action is reported and does not affect other timers.
     *
     * @param deadlineNanos when to fire, in {@link Clock#monotonicNanos()} time; a deadline in the past
     *     fires as soon as possible
     * @param action what to run
     * @return a handle that cancels the timer
     * @throws IllegalStateException when the timers have been stopped
     */
    Timer schedule(long deadlineNanos, Runnable action);

    /** A scheduled action. */
    interface Timer {

        /**
         * Cancels the action if it has not started yet.
         *
         * @return {@code true} if this call prevented the action from running; {@code false} if it had
         *     already run, was running, or was already cancelled
         */
        boolean cancel();
    }
}

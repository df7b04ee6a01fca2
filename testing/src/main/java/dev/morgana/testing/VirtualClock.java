package dev.morgana.testing;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;

/**
 * A clock whose time moves only when the test says, and the timers that run on it.
 *
 * <p>{@link #advance(Duration)} moves time forward and runs every timer that falls due, in deadline
 * order, ties in the order they were scheduled, each at its own deadline (during an action,
 * {@link #monotonicNanos()} reads that action's deadline). Actions run on the thread that advances time,
 * so a single-threaded simulation is fully deterministic. An action may schedule further timers; those
 * that fall due before the advance ends run in the same advance. An action that throws ends the advance
 * with its exception, at its deadline, so that a bug in a timer fails the test that found it; later
 * timers stay pending.
 *
 * <p>Monotonic time starts at 0; wall time starts at {@link #DEFAULT_WALL_START} (or the instant given)
 * and moves with it. Thread-safe: any thread may schedule, cancel, read the time or sleep
 * ({@link #sleep(Duration)} blocks the caller until another thread advances past its deadline). A
 * simulation is deterministic when one thread advances time; if several do, each runs the timers it
 * takes from the queue, and time only ever moves forward.
 */
public final class VirtualClock implements Clock, Timers {

    /** Where wall time starts unless told otherwise: 2000-01-01T00:00:00Z. */
    public static final Instant DEFAULT_WALL_START = Instant.parse("2000-01-01T00:00:00Z");

    private final Instant wallStart;
    private final PriorityQueue<Pending> queue = new PriorityQueue<>();
    private long now;
    private long scheduled;

    /** A timer in the queue; ordered by deadline, then by when it was scheduled. */
    private final class Pending implements Timer, Comparable<Pending> {
        final long deadline;
        final long sequence;
        final Runnable action;

        Pending(long deadline, long sequence, Runnable action) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.action = action;
        }

        @Override
        public boolean cancel() {
            synchronized (VirtualClock.this) {
                return queue.remove(this);
            }
        }

        @Override
        public int compareTo(Pending other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    /** A clock at monotonic time 0 and wall time {@link #DEFAULT_WALL_START}. */
    public VirtualClock() {
        this(DEFAULT_WALL_START);
    }

    /**
     * A clock at monotonic time 0 and the given wall time.
     *
     * @param wallStart the wall time at monotonic time 0
     */
    public VirtualClock(Instant wallStart) {
        this.wallStart = wallStart;
    }

    @Override
    public synchronized long monotonicNanos() {
        return now;
    }

    @Override
    public synchronized Instant instant() {
        return wallStart.plusNanos(now);
    }

    /**
     * Moves time forward by {@code duration}, running the timers that fall due.
     *
     * @param duration how far; zero runs the timers due now
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go backwards: " + duration);
        }
        long target;
        synchronized (this) {
            target = saturatedAdd(now, duration);
        }
        advanceTo(target);
    }

    /**
     * Moves time forward to {@code deadlineNanos}, running the timers that fall due.
     *
     * @param deadlineNanos the monotonic time to reach; at or after the current time
     * @throws IllegalArgumentException when {@code deadlineNanos} is in the past
     */
    public void advanceTo(long deadlineNanos) {
        synchronized (this) {
            if (deadlineNanos < now) {
                throw new IllegalArgumentException(
                        "time does not go backwards: now " + now + " ns, asked for " + deadlineNanos + " ns");
            }
        }
        while (true) {
            Pending next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.deadline > deadlineNanos) {
                    // Another thread may have advanced further meanwhile; time never moves back.
                    now = Math.max(now, deadlineNanos);
                    return;
                }
                queue.poll();
                now = Math.max(now, next.deadline);
            }
            next.action.run();
        }
    }

    /**
     * Moves time to the next deadline and runs the timers due then, if any timer is pending.
     *
     * @return whether a timer was pending
     */
    public boolean advanceToNextTimer() {
        long deadline;
        synchronized (this) {
            Pending next = queue.peek();
            if (next == null) {
                return false;
            }
            deadline = Math.max(now, next.deadline);
        }
        advanceTo(deadline);
        return true;
    }

    /**
     * Counts the timers that have not fired or been cancelled.
     *
     * @return how many are pending
     */
    public synchronized int pendingTimers() {
        return queue.size();
    }

    /** {@code now + duration} in nanoseconds, or {@link Long#MAX_VALUE} for durations beyond that. */
    private static long saturatedAdd(long now, Duration duration) {
        try {
            return Math.addExact(now, duration.toNanos());
        } catch (ArithmeticException tooFar) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public synchronized Timer schedule(long deadlineNanos, Runnable action) {
        Pending pending = new Pending(deadlineNanos, scheduled++, action);
        queue.add(pending);
        return pending;
    }

    /**
     * Blocks until another thread advances time past {@code duration} from now.
     *
     * @param duration how long to wait in virtual time; zero or negative returns at once
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (!duration.isPositive()) {
            return;
        }
        CountDownLatch woken = new CountDownLatch(1);
        Timer timer;
        synchronized (this) {
            timer = schedule(saturatedAdd(now, duration), woken::countDown);
        }
        try {
            woken.await();
        } finally {
            timer.cancel();
        }
    }
}

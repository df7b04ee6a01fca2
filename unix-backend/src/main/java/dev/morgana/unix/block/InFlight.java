package dev.morgana.unix.block;

import dev.morgana.api.block.BlockException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests running on one device: a range lock over sectors, and the gate that closing shuts.
 *
 * <p>{@code Block} promises that overlapping requests complete each whole. One request may be several
 * {@code pwrite} calls (one per buffer, more where the kernel moves fewer bytes), and Linux orders single
 * calls only, so a write waits for every running request over any of its sectors, and a read for every
 * running write over them. Requests over other sectors, and reads among themselves, run in parallel.
 * Waiting writers are not favoured: a stream of overlapping reads can delay a write.
 *
 * <p>Closing waits for the running requests, so that the file descriptors they use are not closed (and
 * their numbers reused by another file) under them; requests that were waiting fail as closed.
 */
final class InFlight {

    /** A running request over sectors {@code [first, first + count)}. */
    static final class Range {
        private final long first;
        private final long count;
        private final boolean exclusive;

        private Range(long first, long count, boolean exclusive) {
            this.first = first;
            this.count = count;
            this.exclusive = exclusive;
        }

        // Both ranges lie inside the device, so first + count cannot overflow.
        private boolean conflicts(Range other) {
            return (exclusive || other.exclusive) && first < other.first + other.count && other.first < first + count;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Range> running = new ArrayList<>();
    private boolean closed;

    /**
     * Waits until no running request conflicts, then registers this one. The caller must {@link #exit} it.
     *
     * @param first the first sector
     * @param count how many sectors, 0 for a request that touches none (a flush)
     * @param exclusive {@code true} for writes and discards, {@code false} for reads
     * @return the registration, for {@link #exit}
     * @throws BlockException {@link BlockException.Reason#CLOSED} once {@link #close} has begun
     */
    Range enter(long first, long count, boolean exclusive) throws BlockException {
        Range range = new Range(first, count, exclusive);
        lock.lock();
        try {
            // Uninterruptibly: the wait is bounded by the I/O of the requests ahead, and an interrupted
            // caller is dealt with where the I/O sees it.
            while (!closed && running.stream().anyMatch(range::conflicts)) {
                changed.awaitUninterruptibly();
            }
            if (closed) {
                throw new BlockException(BlockException.Reason.CLOSED, "the block device is stopped");
            }
            running.add(range);
            return range;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unregisters a request and wakes those that wait for it.
     *
     * @param range what {@link #enter} returned
     */
    void exit(Range range) {
        lock.lock();
        try {
            running.remove(range);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests and waits for the running ones to finish. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            while (!running.isEmpty()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@link #close} has begun.
     *
     * @return {@code true} once closing
     */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}

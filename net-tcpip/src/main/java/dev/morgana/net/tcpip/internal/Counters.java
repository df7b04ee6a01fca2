package dev.morgana.net.tcpip.internal;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A layer's counters, one per constant of {@code E}: incremented from any thread without a lock, read one at a
 * time or as a snapshot.
 *
 * @param <E> what the layer counts
 */
public final class Counters<E extends Enum<E>> {

    private final Class<E> type;
    private final AtomicLongArray counts;

    /**
     * Creates the counters, all zero.
     *
     * @param type the enum of what is counted
     */
    public Counters(Class<E> type) {
        this.type = type;
        this.counts = new AtomicLongArray(type.getEnumConstants().length);
    }

    /**
     * Adds one.
     *
     * @param count which
     */
    public void increment(E count) {
        counts.incrementAndGet(count.ordinal());
    }

    /**
     * Returns one counter.
     *
     * @param count which
     * @return its value now
     */
    public long get(E count) {
        return counts.get(count.ordinal());
    }

    /**
     * Returns every counter.
     *
     * @return a snapshot, in the enum's order
     */
    public Map<E, Long> snapshot() {
        Map<E, Long> snapshot = new EnumMap<>(type);
        for (E count : type.getEnumConstants()) {
            snapshot.put(count, counts.get(count.ordinal()));
        }
        return Collections.unmodifiableMap(snapshot);
    }
}

package dev.morgana.api;

import java.time.InstantSource;

/**
 * CLOCK: a monotonic clock for measuring time and a POSIX wall clock for telling it.
 *
 * <p>Protocol code measures intervals (timeouts, RTTs, lease lifetimes) with {@link #monotonicNanos()}
 * only; it never reads the wall clock for that, because the wall clock jumps. The wall clock
 * ({@link #instant()} and {@link #millis()}, inherited from {@link InstantSource}) is for what people
 * read: {@code Date} headers, {@code Last-Modified}, log lines.
 *
 * <p>Implementations are thread-safe. In tests a virtual clock stands in, so that time moves only when
 * the test says.
 */
public interface Clock extends InstantSource {

    /**
     * Nanoseconds since an arbitrary fixed origin. Never decreases. Only differences between two readings
     * of the same clock mean anything.
     *
     * @return the monotonic time in nanoseconds
     */
    long monotonicNanos();
}

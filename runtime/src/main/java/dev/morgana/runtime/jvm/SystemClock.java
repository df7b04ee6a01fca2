package dev.morgana.runtime.jvm;

import dev.morgana.api.Clock;
import jakarta.inject.Inject;
import java.time.Instant;

/** The host's clocks: {@link System#nanoTime()} for intervals, the system clock for wall time. */
final class SystemClock implements Clock {

    @Inject
    public SystemClock() {}

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }
}

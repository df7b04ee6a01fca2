package dev.morgana.http;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Test-only wall-clock time and timers, for tests against real clients that run in real time. */
final class RealTime implements Clock, Timers {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("test timers").factory());

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    public Timer schedule(long deadlineNanos, Runnable action) {
        ScheduledFuture<?> future = scheduler.schedule(action, deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}

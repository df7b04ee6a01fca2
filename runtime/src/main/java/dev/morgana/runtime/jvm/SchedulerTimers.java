package dev.morgana.runtime.jvm;

import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Timers on one daemon scheduler thread, started and stopped as a service. Deadlines are converted to
 * delays against the injected {@link Clock}, so they share its time base.
 */
final class SchedulerTimers implements Timers, Service {

    private static final System.Logger LOG = System.getLogger(SchedulerTimers.class.getName());

    private final Clock clock;
    private volatile ScheduledThreadPoolExecutor scheduler;

    @Inject
    public SchedulerTimers(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void start() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("morgana-timers").daemon().factory());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler = executor;
    }

    @Override
    public void stop() throws InterruptedException {
        ScheduledThreadPoolExecutor executor = scheduler;
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (duration.isPositive()) {
            Thread.sleep(duration);
        }
    }

    @Override
    public Timer schedule(long deadlineNanos, Runnable action) {
        ScheduledThreadPoolExecutor executor = scheduler;
        if (executor == null) {
            throw new IllegalStateException("timers are used before their service started");
        }
        // Whoever flips this first, the action or cancel(), decides: cancel() reports false once the
        // action has begun, which a future's own cancel() would not.
        AtomicBoolean claimed = new AtomicBoolean();
        Runnable guarded = () -> {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "a timer action failed", e);
            }
        };
        try {
            ScheduledFuture<?> future = executor.schedule(guarded, deadlineNanos - clock.monotonicNanos(),
                    TimeUnit.NANOSECONDS);
            return () -> {
                boolean cancelled = claimed.compareAndSet(false, true);
                if (cancelled) {
                    future.cancel(false);
                }
                return cancelled;
            };
        } catch (RejectedExecutionException stopped) {
            throw new IllegalStateException("timers have been stopped", stopped);
        }
    }
}

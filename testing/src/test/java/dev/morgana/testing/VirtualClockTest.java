package dev.morgana.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.Timers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class VirtualClockTest {

    @Test
    void timeMovesOnlyWhenTold() {
        VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(0, clock.monotonicNanos());
        clock.advance(Duration.ofMillis(1500));
        assertEquals(1_500_000_000L, clock.monotonicNanos());
        assertEquals(Instant.parse("2026-01-01T00:00:01.500Z"), clock.instant());
        assertEquals(Instant.parse("2026-01-01T00:00:01.500Z").toEpochMilli(), clock.millis());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(0));
    }

    @Test
    void timersFireInDeadlineOrderTiesInScheduleOrderEachAtItsDeadline() {
        VirtualClock clock = new VirtualClock();
        List<String> fired = new ArrayList<>();
        clock.schedule(300, () -> fired.add("c@" + clock.monotonicNanos()));
        clock.schedule(100, () -> fired.add("a@" + clock.monotonicNanos()));
        clock.schedule(300, () -> fired.add("d@" + clock.monotonicNanos()));
        clock.schedule(200, () -> fired.add("b@" + clock.monotonicNanos()));
        clock.schedule(400, () -> fired.add("late"));
        clock.advanceTo(350);
        assertEquals(List.of("a@100", "b@200", "c@300", "d@300"), fired);
        assertEquals(350, clock.monotonicNanos());
        assertEquals(1, clock.pendingTimers());
    }

    @Test
    void actionsMayScheduleTimersThatFireInTheSameAdvance() {
        VirtualClock clock = new VirtualClock();
        List<Long> fired = new ArrayList<>();
        clock.schedule(10, () -> {
            fired.add(clock.monotonicNanos());
            clock.schedule(clock.monotonicNanos() + 5, () -> fired.add(clock.monotonicNanos()));
        });
        clock.advanceTo(100);
        assertEquals(List.of(10L, 15L), fired);
    }

    @Test
    void cancelledTimersDoNotFire() {
        VirtualClock clock = new VirtualClock();
        List<String> fired = new ArrayList<>();
        Timers.Timer timer = clock.schedule(10, () -> fired.add("cancelled"));
        clock.schedule(20, () -> fired.add("kept"));
        assertTrue(timer.cancel());
        assertFalse(timer.cancel());
        clock.advance(Duration.ofNanos(100));
        assertEquals(List.of("kept"), fired);
        assertFalse(clock.advanceToNextTimer());
    }

    @Test
    void pastDeadlinesFireAtTheNextAdvanceWithoutMovingTimeBack() {
        VirtualClock clock = new VirtualClock();
        clock.advance(Duration.ofNanos(1000));
        List<Long> fired = new ArrayList<>();
        clock.schedule(5, () -> fired.add(clock.monotonicNanos()));
        assertTrue(clock.advanceToNextTimer());
        assertEquals(List.of(1000L), fired);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void sleepWaitsForAnotherThreadToAdvance() throws Exception {
        VirtualClock clock = new VirtualClock();
        Thread sleeper = Thread.ofVirtual().start(() -> {
            try {
                clock.sleep(Duration.ofSeconds(3600));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        while (clock.pendingTimers() == 0) {
            Thread.sleep(1);
        }
        clock.advance(Duration.ofSeconds(3599));
        assertTrue(sleeper.isAlive());
        clock.advance(Duration.ofSeconds(1));
        sleeper.join(Duration.ofSeconds(5));
        assertFalse(sleeper.isAlive(), "a simulated hour passes in no real time");
    }

    /** The same seed schedules the same timers and sees them fire in the same order: a simulation replays. */
    @Property(tries = 50)
    void firingOrderIsAFunctionOfTheSeed(RandomGenerator random) {
        long seed = random.nextLong();
        assertEquals(fire(seed), fire(seed));
        List<Long> deadlines = fire(seed);
        for (int i = 1; i < deadlines.size(); i++) {
            assertTrue(deadlines.get(i - 1) <= deadlines.get(i), "deadline order: " + deadlines);
        }
    }

    private static List<Long> fire(long seed) {
        RandomGenerator random = new java.util.SplittableRandom(seed);
        VirtualClock clock = new VirtualClock();
        List<Long> fired = new ArrayList<>();
        List<Timers.Timer> timers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            timers.add(clock.schedule(random.nextLong(1_000_000), () -> fired.add(clock.monotonicNanos())));
        }
        for (int i = 0; i < 20; i++) {
            timers.get(random.nextInt(timers.size())).cancel();
        }
        while (clock.advanceToNextTimer()) {
            // Fire everything.
        }
        return fired;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void sleepingForeverWaitsUntilInterruptedWithoutOverflowing() throws Exception {
        VirtualClock clock = new VirtualClock();
        clock.advance(Duration.ofSeconds(1));
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread sleeper = Thread.ofVirtual().start(() -> {
            try {
                clock.sleep(java.time.temporal.ChronoUnit.FOREVER.getDuration());
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        while (clock.pendingTimers() == 0) {
            Thread.sleep(1);
        }
        clock.advance(Duration.ofDays(365 * 100));
        assertTrue(sleeper.isAlive());
        sleeper.interrupt();
        sleeper.join();
        assertTrue(ended.get() instanceof InterruptedException, String.valueOf(ended.get()));
        assertEquals(0, clock.pendingTimers(), "an interrupted sleep cancels its timer");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anAdvanceOvertakenByAnotherThreadEndsWithoutError() throws Exception {
        VirtualClock clock = new VirtualClock();
        java.util.concurrent.CountDownLatch inAction = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch overtaken = new java.util.concurrent.CountDownLatch(1);
        clock.schedule(50, () -> {
            inAction.countDown();
            try {
                overtaken.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread slow = Thread.ofVirtual().start(() -> {
            try {
                clock.advanceTo(100);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        inAction.await();
        clock.advanceTo(200);
        overtaken.countDown();
        slow.join();
        assertEquals(null, failure.get());
        assertEquals(200, clock.monotonicNanos(), "time never moves back");
    }
}

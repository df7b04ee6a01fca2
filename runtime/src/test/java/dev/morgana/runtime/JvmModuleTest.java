package dev.morgana.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Key;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Timers;
import dev.morgana.runtime.jvm.JvmModule;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JvmModuleTest {

    @Test
    void exposesExactlyTheFourBasics() {
        List<Element> elements = Elements.getElements(new JvmModule());
        Set<Key<?>> exposed = elements.stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
        assertEquals(Set.of(Key.get(Clock.class), Key.get(Timers.class), Key.get(Entropy.class), Key.get(Console.class)),
                exposed);
    }

    static final class UsesTheBasics implements Application {
        static volatile String verdict;
        private final Clock clock;
        private final Timers timers;
        private final Entropy entropy;

        @Inject
        public UsesTheBasics(Clock clock, Timers timers, Entropy entropy, Console console) {
            this.clock = clock;
            this.timers = timers;
            this.entropy = entropy;
        }

        @Override
        public void run() throws InterruptedException {
            long before = clock.monotonicNanos();
            Instant wall = clock.instant();
            CountDownLatch fired = new CountDownLatch(1);
            long[] firedAt = new long[1];
            timers.schedule(before + Duration.ofMillis(20).toNanos(), () -> {
                firedAt[0] = clock.monotonicNanos();
                fired.countDown();
            });
            Timers.Timer cancelled = timers.schedule(before + Duration.ofSeconds(30).toNanos(), () -> {});
            boolean didFire = fired.await(5, TimeUnit.SECONDS);
            timers.sleep(Duration.ofMillis(5));
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            entropy.fill(a);
            entropy.fill(b);
            verdict = "fired " + didFire
                    + ", on time " + (firedAt[0] - before >= Duration.ofMillis(20).toNanos())
                    + ", cancelled " + cancelled.cancel()
                    + ", monotonic " + (clock.monotonicNanos() - before >= Duration.ofMillis(25).toNanos())
                    + ", wall " + (Math.abs(Duration.between(wall, Instant.now()).toSeconds()) < 60)
                    + ", random " + !java.util.Arrays.equals(a, b);
        }
    }

    @Test
    void theBasicsWorkWhenApplied() throws Exception {
        Unikernel.of("basics", UsesTheBasics.class, List.of(new JvmModule())).run();
        assertEquals("fired true, on time true, cancelled true, monotonic true, wall true, random true",
                UsesTheBasics.verdict);
    }

    @Test
    void entropyIsNotConstant() {
        Entropy entropy = com.google.inject.Guice.createInjector(new JvmModule()).getInstance(Entropy.class);
        assertNotEquals(entropy.nextLong(), entropy.nextLong());
        java.lang.foreign.MemorySegment segment = java.lang.foreign.Arena.ofAuto().allocate(64);
        entropy.fill(segment);
        assertFalse(segment.elements(java.lang.foreign.ValueLayout.JAVA_LONG)
                .allMatch(element -> element.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) == 0));
    }

    static final class CancelsARunningTimer implements Application {
        static volatile String verdict;
        private final Clock clock;
        private final Timers timers;

        @Inject
        public CancelsARunningTimer(Clock clock, Timers timers) {
            this.clock = clock;
            this.timers = timers;
        }

        @Override
        public void run() throws InterruptedException {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Timers.Timer timer = timers.schedule(clock.monotonicNanos(), () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            running.await();
            boolean cancelled = timer.cancel();
            release.countDown();
            verdict = "cancel while running returned " + cancelled;
        }
    }

    @Test
    void cancellingATimerWhoseActionIsRunningReportsFalse() throws Exception {
        Unikernel.of("cancel", CancelsARunningTimer.class, List.of(new JvmModule())).run();
        assertEquals("cancel while running returned false", CancelsARunningTimer.verdict);
    }
}

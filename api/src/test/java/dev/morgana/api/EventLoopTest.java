package dev.morgana.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    /** A loop whose threads say they are its own by their name. */
    private static final EventLoop LOOP = () -> Thread.ofVirtual().name("of the loop");

    @Test
    void insideRunEventsThreadsAreTheLoops() throws Exception {
        AtomicReference<Thread> started = new AtomicReference<>();
        LOOP.runEvents(() -> started.set(EventLoop.virtualThreadsHere().unstarted(() -> { })));
        assertEquals("of the loop", started.get().getName());
    }

    @Test
    void elsewhereThreadsAreTheJdksAndTheBindingEndsWithRunEvents() throws Exception {
        Thread outside = EventLoop.virtualThreadsHere().unstarted(() -> { });
        assertTrue(outside.isVirtual());
        assertEquals("", outside.getName());
        LOOP.runEvents(() -> { });
        assertEquals("", EventLoop.virtualThreadsHere().unstarted(() -> { }).getName());
    }

    @Test
    void anotherThreadStartedInRunEventsIsNotInsideIt() throws Exception {
        AtomicReference<String> name = new AtomicReference<>();
        LOOP.runEvents(() -> {
            Thread other = Thread.ofPlatform().start(() -> name.set(EventLoop.virtualThreadsHere().unstarted(() -> { })
                    .getName()));
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals("", name.get(), "a scoped value is not inherited by a thread started with Thread's API");
    }
}

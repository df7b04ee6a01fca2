package dev.morgana.runtime.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdoutConsoleTest {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final StdoutConsole console = new StdoutConsole(written);

    private List<String> lines() {
        synchronized (written) {
            String text = written.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }
    }

    @Test
    void beforeStartAndAfterStopALineIsWrittenAtOnce() throws InterruptedException {
        console.log("before");
        assertEquals(List.of("before"), lines());
        console.start();
        console.stop();
        console.log("after");
        assertEquals(List.of("before", "after"), lines());
    }

    @Test
    void manyThreadsLinesAllArriveWholeAndEachThreadsInOrderByStop() throws InterruptedException {
        console.start();
        int threads = 16;
        int each = 20_000; // 3 MiB in all, more than may wait: loggers park and go on
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            started.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    console.log(id + " " + i);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        console.stop();
        List<String> lines = lines();
        assertEquals(threads * each, lines.size(), "nothing lost");
        int[] next = new int[threads];
        for (String line : lines) {
            String[] parts = line.split(" ");
            int id = Integer.parseInt(parts[0]);
            assertEquals(next[id]++, Integer.parseInt(parts[1]), "thread " + id + "'s lines in order, whole");
        }
        assertTrue(StdoutConsole.LIMIT < written.size());
    }

    @Test
    void linesQueuedWhenStopIsCalledAreWrittenBeforeItReturns() throws InterruptedException {
        console.start();
        for (int i = 0; i < 1000; i++) {
            console.log("line " + i);
        }
        console.stop();
        assertEquals(1000, lines().size());
        assertEquals("line 999", lines().getLast());
    }
}

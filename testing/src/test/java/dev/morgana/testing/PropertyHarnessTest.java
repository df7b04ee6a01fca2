package dev.morgana.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The harness itself: seeds, failure reports, replay. */
class PropertyHarnessTest {

    private static final Pattern REPORT =
            Pattern.compile("failed with seed (-?\\d+) \\(run \\d+ of 40\\); replay with -Dmorgana\\.seed=\\1: .*drew (\\d+)");

    @Test
    void aFailingPropertyReportsItsSeedAndTheReplayReproducesIt() {
        Events runs = run(Map.of());
        assertEquals(40, runs.started().count(), "one run per seed");
        List<Throwable> failures = failures(runs);
        assertTrue(failures.size() >= 2 && failures.size() <= 20, "about one seed in five fails: " + failures.size());

        for (Throwable failure : failures.subList(0, 2)) {
            PropertyFailure reported = assertInstanceOf(PropertyFailure.class, failure);
            Matcher report = REPORT.matcher(reported.getMessage());
            assertTrue(report.find(), reported.getMessage());
            long seed = Long.parseLong(report.group(1));
            assertEquals(seed, reported.seed());

            Events replay = run(Map.of(PropertyExtension.SEED, Long.toString(seed)));
            List<Throwable> replayed = failures(replay);
            assertEquals(1, replayed.size(), "a replay runs exactly the one seed");
            assertTrue(replayed.getFirst().getMessage().contains("replaying seed " + seed), replayed.getFirst().getMessage());
            assertTrue(replayed.getFirst().getMessage().endsWith("drew " + report.group(2)),
                    "the replay draws what the failing run drew: " + replayed.getFirst().getMessage());
        }
    }

    @Test
    void seedsAreTheSameOnEveryRun() {
        assertEquals(messages(run(Map.of())), messages(run(Map.of())));
    }

    @Test
    void triesCanBeRaisedOrLoweredFromTheCommandLine() {
        assertEquals(7, run(Map.of(PropertyExtension.TRIES, "7")).started().count());
        assertEquals(300, run(Map.of(PropertyExtension.TRIES, "300")).started().count());
    }

    @Test
    void aRunWhoseAssumptionFailsIsSkippedNotFailed() {
        Events runs = EngineTestKit.engine("junit-jupiter").selectors(selectClass(AssumingPropertyFixture.class))
                .execute().testEvents();
        assertEquals(0, runs.failed().count());
        assertTrue(runs.aborted().count() > 5 && runs.succeeded().count() > 5,
                runs.aborted().count() + " aborted, " + runs.succeeded().count() + " passed");
    }

    private static Events run(Map<String, String> configuration) {
        return EngineTestKit.engine("junit-jupiter").configurationParameters(configuration)
                .selectors(selectClass(FailingPropertyFixture.class)).execute().testEvents();
    }

    private static List<Throwable> failures(Events events) {
        return events.failed().stream()
                .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                .toList();
    }

    private static List<String> messages(Events events) {
        return failures(events).stream().map(Throwable::getMessage).toList();
    }
}

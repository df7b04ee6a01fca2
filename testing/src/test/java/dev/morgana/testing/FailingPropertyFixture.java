package dev.morgana.testing;

import java.util.random.RandomGenerator;

/**
 * A property that fails for about one seed in five, run only by {@link PropertyHarnessTest} through the
 * JUnit test kit (its name keeps Surefire from running it directly). Its failure says what the seed drew,
 * so the harness test can check that a replay draws exactly the same.
 */
class FailingPropertyFixture {

    @Property(tries = 40)
    void failsForMultiplesOfFive(RandomGenerator random) {
        int drawn = random.nextInt(1000);
        if (drawn % 5 == 0) {
            throw new AssertionError("drew " + drawn);
        }
    }
}

package dev.morgana.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.random.RandomGenerator;

/** A property whose assumption holds for about half the seeds; run only by {@link PropertyHarnessTest}. */
class AssumingPropertyFixture {

    @Property(tries = 40)
    void holdsWhereItApplies(RandomGenerator random) {
        assumeTrue(random.nextBoolean(), "this seed does not apply");
    }
}

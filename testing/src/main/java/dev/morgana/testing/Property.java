package dev.morgana.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a seeded property: a test method that runs once per seed, taking a
 * {@link java.util.random.RandomGenerator} seeded for that run as a parameter.
 *
 * <p>Seeds are derived from the test's class and method names, so a run is the same on every machine and
 * every build. A failure names its seed; {@code -Dmorgana.seed=N} replays exactly that run (and only it,
 * for every property selected), {@code -Dmorgana.tries=N} runs every property over {@code N} seeds.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(PropertyExtension.class)
public @interface Property {

    /** The number of runs in an ordinary build, each with its own seed. */
    int DEFAULT_TRIES = 100;

    /**
     * How many seeds to run in an ordinary build; {@code -Dmorgana.tries} overrides it.
     *
     * @return the number of runs
     */
    int tries() default DEFAULT_TRIES;
}

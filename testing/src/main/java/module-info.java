/**
 * What users and Morgana's own tests property-test stacks with: a virtual clock and timers, the seeded
 * property harness for JUnit 5, and generators for the api's value types. Depends on the api and JUnit's
 * API only, so that every stack's tests can use it.
 */
module dev.morgana.testing {
    requires transitive dev.morgana.api;
    requires transitive org.junit.jupiter.api;

    exports dev.morgana.testing;

    // JUnit instantiates the property extension reflectively.
    opens dev.morgana.testing to org.junit.platform.commons;
}

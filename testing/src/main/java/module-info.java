/**
 * What users and Morgana's own tests property-test stacks with: a virtual clock and timers, the seeded
 * property harness for JUnit 5, generators for the api's value types ({@code dev.morgana.testing}), and the
 * simulated network — a switch whose ports are {@code Network} devices, fault injection and pcap recording,
 * the network namespaces real-peer tests run Linux in, and the contract every {@code Tcp} passes
 * ({@code dev.morgana.testing.net}). Depends on the api and JUnit's API only, so that every stack's tests
 * can use it.
 */
module dev.morgana.testing {
    requires transitive dev.morgana.api;
    requires transitive org.junit.jupiter.api;

    exports dev.morgana.testing;
    exports dev.morgana.testing.net;

    // JUnit instantiates the property extension, and runs the TCP contract's cases, reflectively.
    opens dev.morgana.testing to org.junit.platform.commons;
    opens dev.morgana.testing.net to org.junit.platform.commons;
}

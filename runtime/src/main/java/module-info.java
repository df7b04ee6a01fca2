/**
 * The bootstrap of a unikernel: applies a target's functors (Guice modules) in a strict injector, starts
 * devices in dependency order, runs the application and stops the devices in reverse order; and the JVM
 * basics every real target shares (clocks, timers, entropy, console).
 */
module dev.morgana.runtime {
    requires transitive dev.morgana.api;
    requires transitive com.google.guice;
    // Guice is an automatic module and cannot say that it needs Guava, an explicit module; without this
    // line Guava would not be resolved on the module path.
    requires com.google.common;
    requires jakarta.inject;

    exports dev.morgana.runtime;
    exports dev.morgana.runtime.jvm;

    // Guice constructs the package-private implementations of the JVM basics.
    opens dev.morgana.runtime.jvm to com.google.guice;
}

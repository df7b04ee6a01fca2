package dev.morgana.examples.hello;

import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.unix.UnixTargets;
import java.util.List;

/** Chooses the target and hands over to the launcher: {@code [--target jvm] [describe [--dot]]}. */
public final class Main {

    /** The targets hello runs on: it needs nothing beyond the JVM basics, and runs unchanged on unix too. */
    static final List<Target> TARGETS = List.of(
            new Target("jvm", "the JVM basics: host clocks, timers, entropy, standard output",
                    () -> List.of(new JvmModule())),
            UnixTargets.unix());

    private Main() {}

    public static void main(String[] args) {
        Launcher.main("hello", Hello.class, TARGETS, args);
    }
}

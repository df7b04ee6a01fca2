package dev.morgana.examples.hello;

import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import jakarta.inject.Inject;

/** Says hello with the time. Knows only the {@link Console} and {@link Clock} signatures. */
public final class Hello implements Application {

    private final Console console;
    private final Clock clock;

    @Inject
    public Hello(Console console, Clock clock) {
        this.console = console;
        this.clock = clock;
    }

    @Override
    public void run() {
        console.log("Hello from Morgana! The wall clock reads " + clock.instant() + ".");
    }
}

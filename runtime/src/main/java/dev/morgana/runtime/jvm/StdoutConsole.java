package dev.morgana.runtime.jvm;

import dev.morgana.api.Console;
import jakarta.inject.Inject;

/** The console of a process: standard output, whose {@code println} writes each line whole. */
final class StdoutConsole implements Console {

    @Inject
    public StdoutConsole() {}

    @Override
    public void log(String line) {
        System.out.println(line);
    }
}

package com.example.consumer;

import dev.morgana.api.Application;
import dev.morgana.api.Console;

/** A user's application, compiled against the api that the BOM's version resolved. */
public final class Greeter implements Application {

    private final Console console;

    public Greeter(Console console) {
        this.console = console;
    }

    @Override
    public void run() {
        console.log("hello from a project that imports morgana-bom");
    }
}

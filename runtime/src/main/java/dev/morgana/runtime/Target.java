package dev.morgana.runtime;

import com.google.inject.Module;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A target: a named list of functors (Guice modules) that picks one implementation of each signature an
 * application needs. Moving an application to another target changes this list and nothing else.
 *
 * @param name what {@code --target} calls it, for example {@code unix}
 * @param description one line for {@code --help}
 * @param modules makes the modules; called once, when the target is chosen
 */
public record Target(String name, String description, Supplier<List<Module>> modules) {

    /**
     * Checks the target.
     *
     * @throws IllegalArgumentException when the name is not a simple lower-case word
     */
    public Target {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(modules, "modules");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException(
                    "a target name is a lower-case word (letters, digits, '-'), got \"" + name + "\"");
        }
    }
}

package dev.morgana.runtime;

import com.google.inject.Binding;
import com.google.inject.CreationException;
import com.google.inject.Key;
import com.google.inject.spi.Dependency;
import com.google.inject.spi.Element;
import com.google.inject.spi.Message;
import com.google.inject.spi.PrivateElements;
import com.google.inject.spi.ProviderLookup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns "this target lacks a signature" into one message that names the signature and the module that
 * needs it, instead of Guice's page of internals.
 *
 * <p>Functors declare their inputs with {@code requireBinding}, which the check below reads straight from
 * the modules' elements; a dependency nobody declared is caught by Guice and translated from its error.
 */
final class MissingBindings {

    /**
     * A signature the target lacks.
     *
     * @param key what is missing
     * @param neededBy the module that needs it
     */
    record Missing(Key<?> key, String neededBy) {

        @Override
        public String toString() {
            return Labels.key(key) + " is not provided by any module, and " + neededBy + " needs it ("
                    + key.getTypeLiteral() + ")";
        }
    }

    private MissingBindings() {}

    /** The inputs that functors declare with {@code requireBinding} and that nothing in the target binds. */
    static List<Missing> undeclared(List<Element> elements, String rootOwner) {
        Set<Missing> missing = new LinkedHashSet<>();
        check(elements, Set.of(), rootOwner, missing);
        return List.copyOf(missing);
    }

    private static void check(List<Element> elements, Set<Key<?>> inherited, String owner, Set<Missing> missing) {
        Set<Key<?>> visible = new HashSet<>(inherited);
        for (Element element : elements) {
            if (element instanceof Binding<?> binding) {
                visible.add(binding.getKey());
            } else if (element instanceof PrivateElements inner) {
                visible.addAll(inner.getExposedKeys());
            }
        }
        for (Element element : elements) {
            if (element instanceof ProviderLookup<?> lookup && !visible.contains(lookup.getKey())) {
                missing.add(new Missing(lookup.getKey(), Labels.module(lookup.getSource(), owner).orElse(owner)));
            } else if (element instanceof PrivateElements inner) {
                check(inner.getElements(), visible, owner, missing);
            }
        }
    }

    /** Reads Guice's errors, keeping missing bindings structured and every other error as Guice worded it. */
    static String describe(String unikernel, CreationException failure, String rootOwner) {
        Set<Missing> missing = new LinkedHashSet<>();
        List<String> others = new ArrayList<>();
        for (Message message : failure.getErrorMessages()) {
            Optional<Missing> lack = missing(message, rootOwner);
            if (lack.isPresent()) {
                missing.add(lack.get());
            } else {
                others.add(Labels.shorten(message.getMessage()));
            }
        }
        return report(unikernel, List.copyOf(missing), others);
    }

    /** The message for a target that lacks {@code missing}, plus any other problems. */
    static String report(String unikernel, List<Missing> missing, List<String> others) {
        StringBuilder text = new StringBuilder("unikernel \"").append(unikernel).append("\" cannot start:");
        for (Missing lack : missing) {
            text.append("\n  - ").append(lack);
        }
        for (String other : others) {
            text.append("\n  - ").append(other.strip().replace("\n", "\n    "));
        }
        if (!missing.isEmpty()) {
            text.append("\nAdd to the target a module that provides ")
                    .append(missing.size() == 1 ? "it." : "each of them.");
        }
        return text.toString();
    }

    private static Optional<Missing> missing(Message message, String rootOwner) {
        String text = message.getMessage();
        if (!text.startsWith("Explicit bindings are required") && !text.startsWith("No implementation")) {
            return Optional.empty();
        }
        Key<?> key = null;
        String neededBy = null;
        for (Object source : message.getSources()) {
            if (source instanceof Dependency<?> dependency && key == null) {
                key = dependency.getKey();
            }
            if (neededBy == null) {
                neededBy = Labels.module(source, rootOwner).orElse(null);
            }
        }
        return key == null ? Optional.empty()
                : Optional.of(new Missing(key, neededBy == null ? rootOwner : neededBy));
    }
}

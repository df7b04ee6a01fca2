package dev.morgana.runtime;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.spi.Dependency;
import com.google.inject.spi.ExposedBinding;
import com.google.inject.spi.HasDependencies;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.spi.ProviderBinding;
import com.google.inject.spi.ProviderKeyBinding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bindings of a created injector as a graph, each binding pointing at the bindings it depends on,
 * across the private environments of {@code PrivateModule}s. Both the service lifecycle (which starts
 * dependencies first) and the device graph (which shows who provides what to whom) read it.
 */
final class BindingGraph {

    /** Types Guice binds by itself; they are plumbing, not devices. */
    private static final Set<String> BUILT_IN = Set.of(Injector.class.getName(), Stage.class.getName(),
            "java.util.logging.Logger");

    /**
     * A binding, where it lives and who made it.
     *
     * @param binding the binding
     * @param environment the injector that declares it (for a just-in-time binding, the one that asked)
     * @param owner the module that made it; empty for just-in-time bindings, which belong to whoever uses them
     */
    record Node(Binding<?> binding, Injector environment, Optional<String> owner) {}

    private final String application;
    private final List<Node> roots = new ArrayList<>();
    private final List<Node> all = new ArrayList<>();
    private final Map<Binding<?>, Node> nodes = new IdentityHashMap<>();
    private final Map<Binding<?>, List<Node>> dependencies = new IdentityHashMap<>();

    private BindingGraph(String application) {
        this.application = application;
    }

    /**
     * Reads the graph of {@code injector}.
     *
     * @param injector a created injector
     * @param application the label of the application, owner of the bootstrap's own bindings
     */
    static BindingGraph of(Injector injector, String application) {
        BindingGraph graph = new BindingGraph(application);
        for (Binding<?> binding : injector.getBindings().values()) {
            if (!builtIn(binding.getKey())) {
                graph.roots.add(graph.visit(binding, injector));
            }
        }
        graph.all.addAll(graph.roots);
        graph.addPrivate(graph.roots, Collections.newSetFromMap(new IdentityHashMap<>()));
        return graph;
    }

    /** The explicit bindings of the top-level environment, in the order the modules made them. */
    List<Node> roots() {
        return roots;
    }

    /** Every explicit binding, including those that private modules keep to themselves. */
    List<Node> all() {
        return all;
    }

    /** What {@code node} needs, resolved to bindings. */
    List<Node> dependencies(Node node) {
        return dependencies.getOrDefault(node.binding(), List.of());
    }

    /**
     * Bindings a private module does not expose can still be services (a DHCP client behind an exposed
     * IPv4, say): walk every private environment, reached through what it exposes. A private module that
     * exposes nothing cannot be reached, and nothing could use it either.
     */
    private void addPrivate(List<Node> found, Set<Injector> walked) {
        for (Node node : found) {
            if (node.binding() instanceof ExposedBinding<?> exposed && walked.add(exposed.getPrivateElements().getInjector())) {
                Injector inside = exposed.getPrivateElements().getInjector();
                List<Node> inner = new ArrayList<>();
                for (Binding<?> binding : inside.getBindings().values()) {
                    if (!builtIn(binding.getKey())) {
                        inner.add(visit(binding, inside));
                    }
                }
                all.addAll(inner);
                addPrivate(inner, walked);
            }
        }
    }

    private Node visit(Binding<?> binding, Injector environment) {
        Node known = nodes.get(binding);
        if (known != null) {
            return known;
        }
        Node node = new Node(binding, declaring(environment, binding), Labels.module(binding.getSource(), application));
        nodes.put(binding, node);
        Injector where = binding instanceof ExposedBinding<?> exposed
                ? exposed.getPrivateElements().getInjector() : node.environment();
        List<Node> resolved = new ArrayList<>();
        for (Binding<?> dependency : directDependencies(binding, where)) {
            resolved.add(visit(dependency, where));
        }
        dependencies.put(binding, resolved);
        return node;
    }

    /** The injector whose own bindings hold {@code binding}, searching up from where it was looked up. */
    private static Injector declaring(Injector lookedUpIn, Binding<?> binding) {
        for (Injector injector = lookedUpIn; injector != null; injector = injector.getParent()) {
            if (injector.getBindings().get(binding.getKey()) == binding) {
                return injector;
            }
        }
        return lookedUpIn;
    }

    private static List<Binding<?>> directDependencies(Binding<?> binding, Injector environment) {
        Set<Binding<?>> found = new LinkedHashSet<>();
        if (binding instanceof ExposedBinding<?> exposed) {
            found.add(environment.getBinding(exposed.getKey()));
        } else if (binding instanceof LinkedKeyBinding<?> linked) {
            existing(environment, linked.getLinkedKey()).ifPresent(found::add);
        } else if (binding instanceof ProviderKeyBinding<?> provider) {
            existing(environment, provider.getProviderKey()).ifPresent(found::add);
        } else if (binding instanceof ProviderBinding<?> provider) {
            existing(environment, provider.getProvidedKey()).ifPresent(found::add);
        } else if (binding instanceof HasDependencies hasDependencies) {
            for (Dependency<?> dependency : hasDependencies.getDependencies()) {
                if (!builtIn(dependency.getKey())) {
                    existing(environment, dependency.getKey()).ifPresent(found::add);
                }
            }
        }
        return List.copyOf(found);
    }

    private static boolean builtIn(Key<?> key) {
        return BUILT_IN.contains(key.getTypeLiteral().getRawType().getName());
    }

    private static Optional<Binding<?>> existing(Injector environment, Key<?> key) {
        return Optional.ofNullable(environment.getExistingBinding(key));
    }
}

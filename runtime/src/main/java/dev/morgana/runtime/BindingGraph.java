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
     * A binding and the module that made it.
     *
     * @param binding the binding
     * @param environment the injector its dependencies resolve in
     * @param owner the module that made it (for a just-in-time binding, the module that linked to it)
     */
    record Node(Binding<?> binding, Injector environment, String owner) {}

    private final List<Node> roots = new ArrayList<>();
    private final Map<Binding<?>, Node> nodes = new IdentityHashMap<>();
    private final Map<Binding<?>, List<Node>> dependencies = new IdentityHashMap<>();

    private final String application;

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
                graph.roots.add(graph.visit(binding, injector, application));
            }
        }
        return graph;
    }

    /** The explicit bindings of the top-level environment, in the order the modules made them. */
    List<Node> roots() {
        return roots;
    }

    /** What {@code node} needs, resolved to bindings. */
    List<Node> dependencies(Node node) {
        return dependencies.getOrDefault(node.binding(), List.of());
    }

    private Node visit(Binding<?> binding, Injector environment, String inheritedOwner) {
        Node known = nodes.get(binding);
        if (known != null) {
            return known;
        }
        Node node = new Node(binding, environment, Labels.module(binding.getSource(), application).orElse(inheritedOwner));
        nodes.put(binding, node);
        List<Node> resolved = new ArrayList<>();
        for (Binding<?> dependency : directDependencies(binding, environment)) {
            Injector where = binding instanceof ExposedBinding<?> exposed
                    ? exposed.getPrivateElements().getInjector() : environment;
            resolved.add(visit(dependency, where, node.owner()));
        }
        dependencies.put(binding, resolved);
        return node;
    }

    private static List<Binding<?>> directDependencies(Binding<?> binding, Injector environment) {
        Set<Binding<?>> found = new LinkedHashSet<>();
        if (binding instanceof ExposedBinding<?> exposed) {
            Injector inside = exposed.getPrivateElements().getInjector();
            found.add(inside.getBinding(exposed.getKey()));
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

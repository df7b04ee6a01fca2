package dev.morgana.runtime;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.spi.ExposedBinding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which module provides which signature to whom: MirageOS's {@code describe}, read from the injector.
 *
 * <p>A vertex is a module; a module applied twice (two private environments) is two vertices, told apart
 * by the signatures they provide. An edge is a signature one module needs from another.
 */
final class DeviceGraph {

    /** One vertex: a module, in the environment its bindings live in. */
    private record Vertex(String module, Injector environment) {}

    private record Edge(Vertex provider, String signature, Vertex consumer) {}

    private record Offer(Vertex provider, String signature) {}

    private final String name;
    private final Vertex application;
    private final Set<Edge> edges = new LinkedHashSet<>();
    private final Set<Offer> unused = new LinkedHashSet<>();
    private final Map<Vertex, String> labels = new LinkedHashMap<>();

    private DeviceGraph(String name, Vertex application) {
        this.name = name;
        this.application = application;
    }

    static DeviceGraph of(String name, BindingGraph graph, Injector root, String application) {
        DeviceGraph device = new DeviceGraph(name, new Vertex(application, root));
        Set<Offer> used = new LinkedHashSet<>();
        Map<Vertex, Set<BindingGraph.Node>> visited = new LinkedHashMap<>();
        for (BindingGraph.Node node : graph.roots()) {
            device.walk(graph, node, vertex(node), visited, used);
        }
        List<Offer> offers = new ArrayList<>();
        for (BindingGraph.Node node : graph.roots()) {
            Vertex vertex = vertex(node);
            if (!vertex.equals(device.application)) {
                offers.add(new Offer(vertex, Labels.key(node.binding().getKey())));
            }
        }
        offers.stream().filter(offer -> !used.contains(offer)).forEach(device.unused::add);
        device.label(offers);
        return device;
    }

    /**
     * Records what {@code node}, on behalf of {@code consumer}, needs from other modules. A just-in-time
     * binding (a concrete class no module names) is not a device of its own: what it needs, its user needs.
     */
    private void walk(BindingGraph graph, BindingGraph.Node node, Vertex consumer,
            Map<Vertex, Set<BindingGraph.Node>> visited, Set<Offer> used) {
        if (!visited.computeIfAbsent(consumer, vertex -> Collections.newSetFromMap(new IdentityHashMap<>())).add(node)) {
            return;
        }
        for (BindingGraph.Node dependency : graph.dependencies(node)) {
            if (dependency.owner().isEmpty()) {
                walk(graph, dependency, consumer, visited, used);
                continue;
            }
            Vertex provider = vertex(dependency);
            if (!provider.equals(consumer)) {
                String signature = Labels.key(dependency.binding().getKey());
                edges.add(new Edge(provider, signature, consumer));
                used.add(new Offer(provider, signature));
            }
            walk(graph, dependency, provider, visited, used);
        }
    }

    /** Bindings a private module exposes belong to its private environment, with the rest of its bindings. */
    private static Vertex vertex(BindingGraph.Node node) {
        Binding<?> binding = node.binding();
        Injector environment = binding instanceof ExposedBinding<?> exposed
                ? exposed.getPrivateElements().getInjector() : node.environment();
        return new Vertex(node.owner().orElseThrow(), environment);
    }

    /** Names vertices by module; where one module is applied twice, adds what each application provides. */
    private void label(List<Offer> offers) {
        Map<Vertex, List<String>> provides = new LinkedHashMap<>();
        provides.put(application, new ArrayList<>());
        for (Offer offer : offers) {
            provides.computeIfAbsent(offer.provider(), vertex -> new ArrayList<>()).add(offer.signature());
        }
        for (Edge edge : edges) {
            provides.computeIfAbsent(edge.provider(), vertex -> new ArrayList<>());
            provides.computeIfAbsent(edge.consumer(), vertex -> new ArrayList<>());
        }
        Map<String, Long> sameName = new LinkedHashMap<>();
        provides.keySet().forEach(vertex -> sameName.merge(vertex.module(), 1L, Long::sum));
        provides.forEach((vertex, signatures) -> labels.put(vertex,
                sameName.get(vertex.module()) > 1 && !signatures.isEmpty()
                        ? vertex.module() + " [" + String.join(", ", signatures) + "]"
                        : vertex.module()));
    }

    /** One line per signature provided: {@code Provider --Signature--> Consumer}, unused ones last. */
    String text() {
        StringBuilder out = new StringBuilder(name).append(" (application ").append(labels.get(application))
                .append(")\n");
        for (Edge edge : edges) {
            out.append("  ").append(labels.get(edge.provider())).append(" --").append(edge.signature())
                    .append("--> ").append(labels.get(edge.consumer())).append('\n');
        }
        for (Offer offer : unused) {
            out.append("  ").append(labels.get(offer.provider())).append(" --").append(offer.signature())
                    .append("--> (unused)\n");
        }
        return out.toString();
    }

    /** The same graph in Graphviz DOT; {@code dot -Tsvg} renders it. */
    String dot() {
        StringBuilder out = new StringBuilder("digraph ").append(quote(name)).append(" {\n")
                .append("  rankdir=LR;\n  node [shape=box];\n");
        for (Map.Entry<Vertex, String> vertex : labels.entrySet()) {
            out.append("  ").append(quote(vertex.getValue()));
            if (vertex.getKey().equals(application)) {
                out.append(" [shape=doubleoctagon]");
            }
            out.append(";\n");
        }
        for (Edge edge : edges) {
            out.append("  ").append(quote(labels.get(edge.provider()))).append(" -> ")
                    .append(quote(labels.get(edge.consumer()))).append(" [label=").append(quote(edge.signature()))
                    .append("];\n");
        }
        for (Offer offer : unused) {
            out.append("  ").append(quote(labels.get(offer.provider()))).append(" -> ")
                    .append(quote(offer.signature() + " (unused)")).append(" [style=dashed];\n");
            out.append("  ").append(quote(offer.signature() + " (unused)")).append(" [shape=plaintext];\n");
        }
        return out.append("}\n").toString();
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}

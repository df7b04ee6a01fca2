package dev.morgana.runtime;

import com.google.inject.Scopes;
import dev.morgana.api.Service;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Starts services in dependency order and stops the started ones in reverse, exactly once, whichever of
 * normal exit, failure or a shutdown hook gets there first.
 */
final class Lifecycle {

    private static final System.Logger LOG = System.getLogger(Lifecycle.class.getName());

    private final List<Service> order;
    private final List<Service> started = new ArrayList<>();
    private boolean stopped;

    private Lifecycle(List<Service> order) {
        this.order = order;
    }

    /** The singleton services of {@code graph}, each after every service it depends on. */
    static Lifecycle of(BindingGraph graph) {
        List<Service> order = new ArrayList<>();
        Set<Service> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<BindingGraph.Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (BindingGraph.Node root : graph.roots()) {
            collect(graph, root, visited, seen, order);
        }
        return new Lifecycle(List.copyOf(order));
    }

    /** Depth first, dependencies before dependents: a post-order is a dependency order. */
    private static void collect(BindingGraph graph, BindingGraph.Node node, Set<BindingGraph.Node> visited,
            Set<Service> seen, List<Service> order) {
        if (!visited.add(node)) {
            return;
        }
        for (BindingGraph.Node dependency : graph.dependencies(node)) {
            collect(graph, dependency, visited, seen, order);
        }
        if (Scopes.isSingleton(node.binding())
                && node.binding().getProvider().get() instanceof Service service && seen.add(service)) {
            order.add(service);
        }
    }

    /** The services in the order they start. */
    List<Service> order() {
        return order;
    }

    /**
     * Starts every service in order. When one fails, stops those already started, in reverse, and throws
     * the failure with any failures of stopping attached as suppressed.
     */
    void start() throws Exception {
        for (Service service : order) {
            synchronized (this) {
                if (stopped) {
                    throw new IllegalStateException("stopped while starting");
                }
                LOG.log(Level.DEBUG, "starting {0}", name(service));
                try {
                    service.start();
                } catch (Exception | Error e) {
                    LOG.log(Level.ERROR, "starting " + name(service) + " failed", e);
                    stop().forEach(e::addSuppressed);
                    throw e;
                }
                started.add(service);
            }
        }
    }

    /**
     * Stops every started service in reverse order, going on past failures. Idempotent and safe to call
     * from a shutdown hook while another thread is in {@link #start()}.
     *
     * @return what stopping threw, in the order it happened
     */
    synchronized List<Throwable> stop() {
        List<Throwable> failures = new ArrayList<>();
        stopped = true;
        while (!started.isEmpty()) {
            Service service = started.removeLast();
            LOG.log(Level.DEBUG, "stopping {0}", name(service));
            try {
                service.stop();
            } catch (Exception | Error e) {
                LOG.log(Level.ERROR, "stopping " + name(service) + " failed", e);
                failures.add(e);
            }
        }
        return failures;
    }

    private static String name(Service service) {
        return service.getClass().getName();
    }
}

package dev.morgana.runtime;

import com.google.inject.Scopes;
import dev.morgana.api.Service;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Starts services in dependency order, runs the application, and stops the started services in reverse,
 * exactly once, whichever of normal exit, failure or a shutdown hook gets there first.
 *
 * <p>No lock is held while a service starts or stops, so that a shutdown hook is never stuck behind a
 * slow start: it interrupts the starting thread (or the application) and waits a bounded time for it.
 */
final class Lifecycle {

    private static final System.Logger LOG = System.getLogger(Lifecycle.class.getName());

    private final List<Service> order;
    // Guarded by this:
    private final List<Service> started = new ArrayList<>();
    private Thread starting;
    private Thread application;
    private boolean stopping;
    private Thread stopper;

    private Lifecycle(List<Service> order) {
        this.order = order;
    }

    /** The singleton services of {@code graph}, each after every service it depends on. */
    static Lifecycle of(BindingGraph graph) {
        List<Service> order = new ArrayList<>();
        Set<Service> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<BindingGraph.Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (BindingGraph.Node node : graph.all()) {
            collect(graph, node, visited, seen, order);
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

    /**
     * Starts every service in order. When one fails, stops those already started, in reverse, and throws
     * the failure with any failures of stopping attached as suppressed.
     *
     * @throws IllegalStateException when a stop was requested (SIGTERM) before every service started
     */
    void start() throws Exception {
        for (Service service : order) {
            synchronized (this) {
                if (stopping) {
                    throw new IllegalStateException("stopped before every service had started");
                }
                starting = Thread.currentThread();
            }
            LOG.log(Level.DEBUG, "starting {0}", name(service));
            try {
                service.start();
            } catch (Exception | Error e) {
                LOG.log(Level.ERROR, "starting " + name(service) + " failed", e);
                finishedStarting(null);
                stop().forEach(e::addSuppressed);
                throw e;
            }
            finishedStarting(service);
        }
    }

    private synchronized void finishedStarting(Service service) {
        starting = null;
        if (service != null) {
            // Even when a stop is waiting, the service is recorded so that the stop stops it too, in order.
            started.add(service);
        }
        notifyAll();
    }

    /**
     * Records the application's thread, unless a stop has begun.
     *
     * @return whether the application may run
     */
    synchronized boolean admit(Thread applicationThread) {
        if (stopping) {
            return false;
        }
        application = applicationThread;
        return true;
    }

    /**
     * What a shutdown hook does: refuse the application if it has not begun, interrupt what is running (a
     * service starting, or the application), give it {@code grace} to return, then stop every service.
     */
    void shutdown(Duration grace) {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = application != null ? application : starting;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop();
    }

    /**
     * Stops every started service in reverse order, going on past failures. Idempotent, and returns only
     * once every service is stopped, whichever thread does the stopping: the JVM must not exit while a
     * shutdown hook's call returns early. If a service is still starting on another thread, waits for it
     * first (it has been interrupted by {@link #shutdown}).
     *
     * @return what this call's stopping threw, in the order it happened
     */
    List<Throwable> stop() {
        List<Service> toStop;
        synchronized (this) {
            stopping = true;
            while ((starting != null && starting != Thread.currentThread()) || stopper != null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of();
                }
            }
            toStop = new ArrayList<>(started.reversed());
            started.clear();
            stopper = Thread.currentThread();
        }
        try {
            return stopAll(toStop);
        } finally {
            synchronized (this) {
                stopper = null;
                notifyAll();
            }
        }
    }

    private static List<Throwable> stopAll(List<Service> toStop) {
        List<Throwable> failures = new ArrayList<>();
        for (Service service : toStop) {
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

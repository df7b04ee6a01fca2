package dev.morgana.runtime;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import dev.morgana.api.Application;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A unikernel: an application and the target (list of functors) it runs on.
 *
 * <p>{@link #run()} is functor application followed by the device lifecycle:
 * <ol>
 *   <li>a strict injector is built from the target's modules and the application class (explicit bindings
 *       only, no circular proxies, {@code @Inject} constructors); a signature that no module provides fails
 *       here, with one message naming the signature and the module that needs it;</li>
 *   <li>every singleton that is a {@link dev.morgana.api.Service} starts, each after the services it
 *       depends on; if one fails, those already started stop, in reverse;</li>
 *   <li>the application runs on a virtual thread;</li>
 *   <li>the services stop in reverse order — when the application returns, when it throws, and when the
 *       JVM is asked to exit (SIGTERM, Ctrl-C), in which case the application's thread is interrupted
 *       first and given {@link #SHUTDOWN_GRACE} to finish.</li>
 * </ol>
 *
 * <p>Instances are immutable; {@link #run()} may be called once per JVM at a time.
 */
public final class Unikernel {

    /** How long, after SIGTERM, the interrupted application may take to return before services stop. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(Unikernel.class.getName());

    static {
        // Morgana uses no Guice AOP, and Guice's bytecode generation for it reaches for sun.misc.Unsafe,
        // which JDK 25 warns about on standard error. Reflection is plenty for a graph built once at start.
        if (System.getProperty("guice_bytecode_gen_option") == null) {
            System.setProperty("guice_bytecode_gen_option", "DISABLED");
        }
    }

    private final String name;
    private final Class<? extends Application> application;
    private final List<Module> target;

    private Unikernel(String name, Class<? extends Application> application, List<Module> target) {
        this.name = name;
        this.application = application;
        this.target = target;
    }

    /**
     * Describes a unikernel; nothing is built or started yet.
     *
     * @param name the unikernel's name, for messages and the device graph
     * @param application the application class, injected through its {@code @Inject} constructor
     * @param target the functors that provide every signature the application needs
     * @return the unikernel
     */
    public static Unikernel of(String name, Class<? extends Application> application, List<? extends Module> target) {
        return new Unikernel(name, application, List.copyOf(target));
    }

    /**
     * Builds, starts, runs and stops the unikernel, returning when the application has returned and every
     * service has stopped.
     *
     * @throws TargetException when the target is incomplete or inconsistent, with a readable message
     * @throws Exception what the application or a failing service threw; failures of stopping services
     *     are attached as suppressed
     */
    public void run() throws Exception {
        Built built = build();
        Lifecycle lifecycle = Lifecycle.of(built.graph());
        Thread hook = Thread.ofPlatform().name(name + "-shutdown").unstarted(() -> lifecycle.shutdown(SHUTDOWN_GRACE));
        Runtime.getRuntime().addShutdownHook(hook);
        Throwable failure = null;
        try {
            lifecycle.start();
            runApplication(built.injector().getInstance(application), lifecycle);
        } catch (Exception | Error e) {
            failure = e;
        }
        // Stop before removing the hook, so that a SIGTERM arriving now still waits for the services.
        List<Throwable> stopFailures = lifecycle.stop();
        removeHook(hook);
        if (failure != null) {
            stopFailures.forEach(failure::addSuppressed);
            throw rethrowable(failure);
        }
        if (!stopFailures.isEmpty()) {
            IllegalStateException stopFailure = new IllegalStateException(
                    stopFailures.size() + " service(s) failed to stop; the first is the cause", stopFailures.getFirst());
            stopFailures.stream().skip(1).forEach(stopFailure::addSuppressed);
            throw stopFailure;
        }
    }

    /**
     * Returns the device graph as text: one line {@code Provider --Signature--> Consumer} per signature a
     * module provides, then the provided signatures nobody uses. Builds the injector; starts nothing.
     *
     * @return the graph
     * @throws TargetException when the target is incomplete, as {@link #run()} does
     */
    public String describe() {
        Built built = build();
        return DeviceGraph.of(name, built.graph(), built.injector(), applicationLabel()).text();
    }

    /**
     * Returns the device graph in Graphviz DOT ({@code dot -Tsvg} renders it). Builds the injector; starts
     * nothing.
     *
     * @return the graph
     * @throws TargetException when the target is incomplete, as {@link #run()} does
     */
    public String describeDot() {
        Built built = build();
        return DeviceGraph.of(name, built.graph(), built.injector(), applicationLabel()).dot();
    }

    /**
     * Returns the unikernel's name.
     *
     * @return the name given to {@link #of}
     */
    public String name() {
        return name;
    }

    private record Built(Injector injector, BindingGraph graph) {}

    private Built build() {
        List<Module> modules = new ArrayList<>(target);
        modules.add(new StrictModule(application));
        List<Element> elements = Elements.getElements(Stage.PRODUCTION, modules);
        List<MissingBindings.Missing> missing = MissingBindings.undeclared(elements, applicationLabel());
        if (!missing.isEmpty()) {
            throw new TargetException(MissingBindings.report(name, missing, List.of()), null);
        }
        try {
            Injector injector = Guice.createInjector(Stage.PRODUCTION, Elements.getModule(elements));
            return new Built(injector, BindingGraph.of(injector, applicationLabel()));
        } catch (CreationException e) {
            throw new TargetException(MissingBindings.describe(name, e, applicationLabel()), e);
        }
    }

    private String applicationLabel() {
        return Labels.shorten(application.getName());
    }

    private void runApplication(Application app, Lifecycle lifecycle) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = Thread.ofVirtual().name(name + "-application").unstarted(() -> {
            try {
                app.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        if (!lifecycle.admit(thread)) {
            throw new IllegalStateException("stopped before the application could run");
        }
        thread.start();
        thread.join();
        Throwable failure = thrown.get();
        if (failure != null) {
            LOG.log(Level.DEBUG, "application of " + name + " failed", failure);
            throw rethrowable(failure);
        }
    }

    /** Lets a caught throwable leave through {@code throws Exception} unchanged. */
    private static Exception rethrowable(Throwable failure) {
        return switch (failure) {
            case Exception e -> e;
            case Error e -> throw e;
            default -> new IllegalStateException("application threw", failure);
        };
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and the hook is running or has run: it stops the services.
        }
    }
}

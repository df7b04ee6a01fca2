package dev.morgana.unix.internal;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;

/**
 * Virtual threads whose carrier we choose: Netty's event loops on the {@code unix} target, the TAP's receive
 * loop on {@code direct}. The JDK offers no public way to choose a virtual thread's scheduler; the builder that
 * takes one is internal to {@code java.base}, so this needs {@code --add-opens java.base/java.lang=dev.morgana.unix}
 * (or {@code =ALL-UNNAMED} on the class path). Without it, or with {@code -Dmorgana.unix.carriers=jdk}, virtual
 * threads stay on the JDK's scheduler and the callers say so.
 */
public final class CustomCarriers {

    private static final String PROPERTY = "morgana.unix.carriers";
    private static final Constructor<?> BUILDER;
    private static final String NO_BUILDER;

    static {
        Constructor<?> builder = null;
        String why = null;
        try {
            builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                    .getDeclaredConstructor(Executor.class);
            builder.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            why = "this JDK has no virtual-thread builder that takes a scheduler (" + e + ")";
        } catch (RuntimeException e) { // InaccessibleObjectException, SecurityException
            String module = CustomCarriers.class.getModule().isNamed()
                    ? CustomCarriers.class.getModule().getName() : "ALL-UNNAMED";
            why = "java.lang is not open to " + module + ": add --add-opens java.base/java.lang=" + module;
        }
        BUILDER = why == null ? builder : null;
        NO_BUILDER = why;
    }

    private CustomCarriers() {}

    /**
     * Whether {@link #on} may be used: the builder is open to us and {@code -Dmorgana.unix.carriers=jdk} did not
     * ask for the JDK's scheduler.
     *
     * @return true when virtual threads can run on carriers of ours
     */
    public static boolean available() {
        return BUILDER != null && !"jdk".equals(System.getProperty(PROPERTY));
    }

    /**
     * Says why {@link #available()} is false.
     *
     * @return the reason, for the console
     */
    public static String whyNot() {
        return NO_BUILDER != null ? NO_BUILDER : "-D" + PROPERTY + "=jdk";
    }

    /**
     * Returns a builder of virtual threads that {@code scheduler} runs: it is given each stretch of a thread
     * between two parkings, and must run it, on some platform thread, exactly once.
     *
     * @param scheduler where the threads' stretches run
     * @return a new builder
     * @throws IllegalStateException when not {@link #available()}
     */
    public static Thread.Builder.OfVirtual on(Executor scheduler) {
        if (BUILDER == null) {
            throw new IllegalStateException(NO_BUILDER);
        }
        try {
            return (Thread.Builder.OfVirtual) BUILDER.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build a virtual thread on a scheduler of ours", e);
        }
    }
}

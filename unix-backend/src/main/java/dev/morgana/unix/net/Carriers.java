package dev.morgana.unix.net;

import io.netty.channel.EventLoop;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where the virtual threads of TCP handlers run.
 *
 * <p>{@link #LOOP}: on the event-loop thread of their own connection. A handler then reads what the loop
 * just received and hands its writes back without waking another thread: no crossing at all, where the
 * JDK's scheduler costs two per message (the loop wakes a carrier, the carrier wakes the loop). The JDK
 * offers no public way to choose a virtual thread's scheduler; the builder that takes one is internal to
 * {@code java.base}, so this needs {@code --add-opens java.base/java.lang=dev.morgana.unix} (or
 * {@code =ALL-UNNAMED} on the class path). The price: like code in a Netty handler, a handler that blocks
 * its carrier, in file I/O or a native call, holds up every connection of its loop meanwhile; waiting
 * on locks, conditions, monitors, sockets and sleeps parks the virtual thread and frees the loop.
 *
 * <p>{@link #JDK}: on the JDK's default scheduler, where the internal builder is not open to us, where a
 * future JDK lacks it, or where {@code -Dmorgana.unix.carriers=jdk} asks for it.
 */
enum Carriers {

    LOOP,
    JDK;

    private static final String PROPERTY = "morgana.unix.carriers";
    private static final Constructor<?> LOOP_BUILDER;
    private static final String NO_LOOP_BUILDER;

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
            String module = Carriers.class.getModule().isNamed()
                    ? Carriers.class.getModule().getName() : "ALL-UNNAMED";
            why = "java.lang is not open to " + module + ": add --add-opens java.base/java.lang=" + module;
        }
        LOOP_BUILDER = why == null ? builder : null;
        NO_LOOP_BUILDER = why;
    }

    /** Handlers on their loops where that is possible, unless {@code -Dmorgana.unix.carriers=jdk}. */
    static Carriers best() {
        if ("jdk".equals(System.getProperty(PROPERTY))) {
            return JDK;
        }
        return LOOP_BUILDER != null ? LOOP : JDK;
    }

    /** Why {@link #best()} chose {@link #JDK}. */
    static String whyNotLoop() {
        return NO_LOOP_BUILDER != null ? NO_LOOP_BUILDER : "-D" + PROPERTY + "=jdk";
    }

    /** A builder of virtual threads that run on {@code loop} (for {@link #LOOP}). */
    Thread.Builder.OfVirtual threads(EventLoop loop) {
        if (this == JDK) {
            return Thread.ofVirtual();
        }
        try {
            return (Thread.Builder.OfVirtual) LOOP_BUILDER.newInstance(onLoop(loop));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build a virtual thread on an event loop", e);
        }
    }

    /**
     * Runs a virtual thread's next stretch on {@code loop}; once the loop refuses tasks (the stack has
     * stopped), elsewhere, so that a thread woken late still finishes. (A stretch Netty accepts in the very
     * moment its loop stops may still never run; the stack is going away then.)
     */
    private static Executor onLoop(EventLoop loop) {
        return stretch -> {
            try {
                loop.execute(stretch);
            } catch (RejectedExecutionException stopped) {
                ForkJoinPool.commonPool().execute(stretch);
            }
        };
    }
}

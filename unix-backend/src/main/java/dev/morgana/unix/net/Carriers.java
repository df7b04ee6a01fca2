package dev.morgana.unix.net;

import dev.morgana.unix.internal.CustomCarriers;
import io.netty.channel.EventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where the virtual threads of TCP handlers run.
 *
 * <p>{@link #LOOP}: on the event-loop thread of their own connection. A handler then reads what the loop
 * just received and hands its writes back without waking another thread: no crossing at all, where the
 * JDK's scheduler costs two per message (the loop wakes a carrier, the carrier wakes the loop). It needs
 * {@link CustomCarriers}, and so {@code --add-opens java.base/java.lang=dev.morgana.unix}. The price: like
 * code in a Netty handler, a handler that blocks its carrier, in file I/O or a native call, holds up every
 * connection of its loop meanwhile; waiting on locks, conditions, monitors, sockets and sleeps parks the
 * virtual thread and frees the loop.
 *
 * <p>{@link #JDK}: on the JDK's default scheduler, where the internal builder is not open to us, where a
 * future JDK lacks it, or where {@code -Dmorgana.unix.carriers=jdk} asks for it.
 */
enum Carriers {

    LOOP,
    JDK;

    /** Handlers on their loops where that is possible, unless {@code -Dmorgana.unix.carriers=jdk}. */
    static Carriers best() {
        return CustomCarriers.available() ? LOOP : JDK;
    }

    /** Why {@link #best()} chose {@link #JDK}. */
    static String whyNotLoop() {
        return CustomCarriers.whyNot();
    }

    /** A builder of virtual threads that run on {@code loop} (for {@link #LOOP}). */
    Thread.Builder.OfVirtual threads(EventLoop loop) {
        if (this == JDK) {
            return Thread.ofVirtual();
        }
        return CustomCarriers.on(onLoop(loop));
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

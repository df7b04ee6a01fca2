package dev.morgana.testing.net;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A {@link Network} decorator that drops, duplicates, corrupts, truncates, delays and reorders frames, at
 * the rates of one {@link Faults} for the frames the stack writes and another for the frames it receives.
 *
 * <pre>{@code
 * Network lossy = FaultInjectingNetwork.builder(lan.port(0), clock)
 *         .seed(seed)
 *         .outgoing(Faults.builder().drop(0.2).duplicate(0.01).build())
 *         .incoming(Faults.builder().reorder(0.1, 3).build())
 *         .build();
 * }</pre>
 *
 * <h2>Determinism</h2>
 * <p>Every choice comes from a {@link SplittableRandom} seeded from the seed (one stream per direction),
 * drawn in a fixed order for each frame in the order frames come; every delay is a timer. On a
 * {@link VirtualClock} ({@link #builder(Network, VirtualClock)}) the same seed, the same frames in the same
 * order and the same advances of the clock give the same faults, byte for byte. On a real clock and timers
 * ({@link #builder(Network, Clock, Timers)}, for a real device and a real peer) the rates and the draws
 * are the same, but which frame meets which fault depends on the order frames happen to come in. A frame
 * that is neither delayed, waiting the latency, nor held back goes on at once, within the {@code write}
 * call or the inner device's delivery; a frame that is goes on from a timer, on the timers' thread.
 *
 * <h2>Memory</h2>
 * <p>A frame that passes unharmed and at once is not copied: the caller's fill writes straight into the
 * inner device's buffer, and the handler receives the inner device's segment. A harmed or postponed frame is
 * copied, and a postponed one is handed on later as a fresh segment valid only during the call. At most
 * {@link Builder#queueLimit(int)} frames per direction wait (delayed, waiting the latency or held back); a
 * frame beyond that is dropped and counted as {@link Injected#overflowed()}, as {@code tc netem}'s
 * {@code limit} (1000 packets by default) drops what overflows its queue.
 *
 * <h2>Counters</h2>
 * <p>{@link #counters()} counts what the stack above sees: frames it wrote ({@code framesOut}), frames
 * delivered to its handler, duplicates included ({@code framesIn}), and as drops everything this
 * decorator lost (injected drops, overflows, postponed frames the inner device refused) plus the inner
 * device's own drops. {@link #outgoing()} and {@link #incoming()}
 * count each fault.
 *
 * <h2>Threads</h2>
 * <p>The decorator sets the inner device's handler at the first {@link #listen}; until then the inner
 * device receives (and counts) as it would without it. Thread-safe; handlers must not block. Each direction
 * has a lock of its own, held while one of its frames goes on (into the inner device, or to the handler),
 * and nothing else is called under it: so a handler may write, and a stack that writes while it holds a
 * lock its receive path also takes (TCP does) cannot deadlock with a frame being delivered to it.
 */
public final class FaultInjectingNetwork implements Network {

    /**
     * How many frames of one direction suffered each fault.
     *
     * @param dropped frames lost on purpose
     * @param duplicated frames sent twice
     * @param corrupted frames with one byte changed
     * @param truncated frames cut short
     * @param delayed frames sent later by a random delay
     * @param reordered frames held back while later frames passed them
     * @param overflowed frames dropped because {@link Builder#queueLimit(int)} frames were already waiting
     * @param jumped frames that skipped the {@linkplain Faults#latency() latency}, overtaking those waiting it
     */
    public record Injected(long dropped, long duplicated, long corrupted, long truncated, long delayed,
            long reordered, long overflowed, long jumped) {}

    private final Network inner;
    private final Clock clock;
    private final Timers timers;
    private final int mtu;
    private final Lane out;
    private final Lane in;
    private volatile FrameHandler handler;
    private boolean listening; // guarded by in

    private FaultInjectingNetwork(Builder builder) {
        this.inner = builder.inner;
        this.clock = builder.clock;
        this.timers = builder.timers;
        this.mtu = inner.mtu();
        this.out = new Lane(builder.outgoing, new SplittableRandom(builder.seed), builder.queueLimit, true);
        this.in = new Lane(builder.incoming, new SplittableRandom(builder.seed ^ 0x9E37_79B9_7F4A_7C15L),
                builder.queueLimit, false);
    }

    /**
     * Starts building a decorator of {@code inner} whose delays run on {@code clock}.
     *
     * @param inner the device whose frames are harmed
     * @param clock the virtual clock that times delays and holds
     * @return a builder with seed 0 and no faults in either direction
     */
    public static Builder builder(Network inner, VirtualClock clock) {
        return new Builder(inner, clock, clock);
    }

    /**
     * Starts building a decorator of {@code inner} whose delays are timers on {@code timers}, in the time of
     * {@code clock}: for a real device, where the peer runs in real time.
     *
     * @param inner the device whose frames are harmed
     * @param clock the clock of {@code timers}' deadlines
     * @param timers where delays and holds are timed
     * @return a builder with seed 0 and no faults in either direction
     */
    public static Builder builder(Network inner, Clock clock, Timers timers) {
        return new Builder(inner, clock, timers);
    }

    @Override
    public MacAddress mac() {
        return inner.mac();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void write(int size, Fill fill) throws NetworkException {
        if (size < 0 || size > mtu + SimulatedSwitch.HEADER) {
            throw new IllegalArgumentException("a frame on this device has at most " + (mtu + SimulatedSwitch.HEADER)
                    + " bytes, asked for " + size);
        }
        Objects.requireNonNull(fill, "fill");
        synchronized (out) {
            Plan plan = out.plan();
            if (plan == null) {
                // Unharmed and at once: straight into the inner device's buffer.
                int[] written = new int[1];
                inner.write(size, buffer -> written[0] = fill.into(buffer));
                out.frames++;
                out.bytes += written[0];
                out.passed();
                return;
            }
            byte[] frame = Segments.fill(size, fill);
            out.frames++;
            out.bytes += frame.length;
            out.handle(plan, frame);
        }
    }

    @Override
    public void listen(FrameHandler handler) {
        synchronized (in) {
            this.handler = Objects.requireNonNull(handler, "handler");
            if (!listening) {
                listening = true;
                inner.listen(this::receive);
            }
        }
    }

    private void receive(MemorySegment segment) {
        synchronized (in) {
            Plan plan = in.plan();
            if (plan == null) {
                FrameHandler current = handler;
                in.frames++;
                in.bytes += segment.byteSize();
                current.frame(segment);
                in.passed();
                return;
            }
            in.handle(plan, segment.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Override
    public Counters counters() {
        long framesOut;
        long bytesOut;
        long lost;
        synchronized (out) {
            framesOut = out.frames;
            bytesOut = out.bytes;
            lost = out.lost;
        }
        synchronized (in) {
            return new Counters(in.frames, in.bytes, framesOut, bytesOut, lost + in.lost + inner.counters().drops());
        }
    }

    /**
     * Counts the faults done to frames the stack wrote.
     *
     * @return a snapshot
     */
    public Injected outgoing() {
        synchronized (out) {
            return out.injected();
        }
    }

    /**
     * Counts the faults done to frames the stack received.
     *
     * @return a snapshot
     */
    public Injected incoming() {
        synchronized (in) {
            return in.injected();
        }
    }

    /** What happens to one frame, beyond going on: drawn before its bytes are looked at. */
    private record Plan(boolean drop, boolean truncate, boolean corrupt, boolean duplicate, boolean delay,
            boolean lag, boolean reorder) {}

    /** A frame held back until {@code remaining} later frames have passed it or its timer fires. */
    private static final class Held {
        final byte[] frame;
        final boolean duplicate;
        int remaining;
        Timers.Timer timer;

        Held(byte[] frame, boolean duplicate, int remaining) {
            this.frame = frame;
            this.duplicate = duplicate;
            this.remaining = remaining;
        }
    }

    /** One direction: its faults, its random stream, what waits in it, what it counts. Guarded by itself. */
    private final class Lane {
        final Faults faults;
        final SplittableRandom random;
        final int queueLimit;
        final boolean outgoing;
        final List<Held> held = new ArrayList<>();
        int waiting;
        long frames;
        long bytes;
        long lost;
        long jumped;
        long dropped;
        long duplicated;
        long corrupted;
        long truncated;
        long delayed;
        long reordered;
        long overflowed;

        Lane(Faults faults, SplittableRandom random, int queueLimit, boolean outgoing) {
            this.faults = faults;
            this.random = random;
            this.queueLimit = queueLimit;
            this.outgoing = outgoing;
        }

        private boolean hit(double rate) {
            return rate > 0 && random.nextDouble() < rate;
        }

        /** Draws the next frame's fate; {@code null} when it goes on unharmed and at once. */
        Plan plan() {
            if (!faults.any()) {
                return null;
            }
            boolean drop = hit(faults.drop());
            if (drop) {
                return new Plan(true, false, false, false, false, false, false);
            }
            boolean truncate = hit(faults.truncate());
            boolean corrupt = hit(faults.corrupt());
            boolean duplicate = hit(faults.duplicate());
            boolean delay = hit(faults.delay());
            boolean lag = false;
            if (faults.latency().isPositive()) {
                lag = !hit(faults.jump());
                jumped += lag ? 0 : 1;
            }
            boolean reorder = !delay && !lag && hit(faults.reorder());
            if (!truncate && !corrupt && !duplicate && !delay && !lag && !reorder) {
                return null;
            }
            return new Plan(false, truncate, corrupt, duplicate, delay, lag, reorder);
        }

        /** A frame went on unharmed: it passes every held frame. */
        void passed() {
            release();
        }

        void handle(Plan plan, byte[] original) {
            if (plan.drop) {
                dropped++;
                lost++;
                release();
                return;
            }
            byte[] frame = original;
            if (plan.truncate && frame.length >= 2) {
                truncated++;
                frame = Arrays.copyOf(frame, 1 + random.nextInt(frame.length - 1));
            }
            if (plan.corrupt && frame.length >= 1) {
                corrupted++;
                frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
            }
            if (plan.duplicate) {
                duplicated++;
            }
            if (plan.delay || plan.lag || plan.reorder) {
                if (waiting >= queueLimit) {
                    overflowed++;
                    lost++;
                    release();
                    return;
                }
                waiting++;
                if (plan.delay || plan.lag) {
                    byte[] late = frame;
                    long nanos = plan.lag ? faults.latency().toNanos() : 0;
                    if (plan.delay) {
                        delayed++;
                        nanos += 1 + random.nextLong(faults.maxDelay().toNanos());
                    }
                    timers.schedule(clock.monotonicNanos() + nanos, () -> {
                        synchronized (Lane.this) {
                            waiting--;
                            emit(late, plan.duplicate);
                        }
                    });
                    release();
                } else {
                    reordered++;
                    Held hold = new Held(frame, plan.duplicate, 1 + random.nextInt(faults.reorderWindow()));
                    hold.timer = timers.schedule(clock.monotonicNanos() + faults.reorderHold().toNanos(), () -> {
                        synchronized (Lane.this) {
                            if (held.remove(hold)) {
                                waiting--;
                                emit(hold.frame, hold.duplicate);
                            }
                        }
                    });
                    release();
                    held.add(hold);
                }
                return;
            }
            emit(frame, plan.duplicate);
            release();
        }

        /** One more frame passed every held frame: those that waited long enough go on, oldest first. */
        private void release() {
            if (held.isEmpty()) {
                return;
            }
            List<Held> due = null;
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held hold = it.next();
                if (--hold.remaining <= 0) {
                    it.remove();
                    hold.timer.cancel();
                    waiting--;
                    if (due == null) {
                        due = new ArrayList<>();
                    }
                    due.add(hold);
                }
            }
            if (due != null) {
                for (Held hold : due) {
                    emit(hold.frame, hold.duplicate);
                }
            }
        }

        /** Sends or delivers {@code frame}, twice when duplicated. */
        private void emit(byte[] frame, boolean duplicate) {
            for (int copies = duplicate ? 2 : 1; copies > 0; copies--) {
                if (outgoing) {
                    try {
                        inner.write(frame.length, Segments.copyOf(frame));
                    } catch (NetworkException | RuntimeException refused) {
                        // A postponed frame the inner device no longer takes (closed, say) is lost.
                        lost++;
                    }
                } else {
                    FrameHandler current = handler;
                    frames++;
                    bytes += frame.length;
                    Segments.deliver(frame, current);
                }
            }
        }

        Injected injected() {
            return new Injected(dropped, duplicated, corrupted, truncated, delayed, reordered, overflowed, jumped);
        }
    }

    /** Settings of a {@link FaultInjectingNetwork}. */
    public static final class Builder {

        private final Network inner;
        private final Clock clock;
        private final Timers timers;
        private long seed;
        private Faults outgoing = Faults.NONE;
        private Faults incoming = Faults.NONE;
        private int queueLimit = 1024;

        private Builder(Network inner, Clock clock, Timers timers) {
            this.inner = Objects.requireNonNull(inner, "inner");
            this.clock = Objects.requireNonNull(clock, "clock");
            this.timers = Objects.requireNonNull(timers, "timers");
        }

        /**
         * Sets the seed of every random choice (default 0).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the faults of the frames the stack writes (default {@link Faults#NONE}).
         *
         * @param faults the rates
         * @return this builder
         */
        public Builder outgoing(Faults faults) {
            this.outgoing = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * Sets the faults of the frames the stack receives (default {@link Faults#NONE}).
         *
         * @param faults the rates
         * @return this builder
         */
        public Builder incoming(Faults faults) {
            this.incoming = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * Sets the same faults for both directions.
         *
         * @param faults the rates
         * @return this builder
         */
        public Builder both(Faults faults) {
            return outgoing(faults).incoming(faults);
        }

        /**
         * Sets how many frames per direction may wait, delayed, waiting the latency or held back (default 1024).
         *
         * @param limit at least 1
         * @return this builder
         */
        public Builder queueLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a queue limit must be positive: " + limit);
            }
            this.queueLimit = limit;
            return this;
        }

        /**
         * Builds the decorator.
         *
         * @return the decorated device
         */
        public FaultInjectingNetwork build() {
            return new FaultInjectingNetwork(this);
        }
    }
}

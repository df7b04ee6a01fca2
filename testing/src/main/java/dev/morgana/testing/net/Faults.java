package dev.morgana.testing.net;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a {@link FaultInjectingNetwork} harms the frames of one direction, and how. Each rate is the
 * probability, from 0 to 1, that one frame suffers that fault; a frame may suffer several (a corrupted
 * frame may also be truncated, duplicated and delayed), but a dropped frame suffers nothing else, and a
 * delayed frame, or one waiting the latency, is not also held back for reordering.
 *
 * <pre>{@code
 * Faults lossy = Faults.builder().drop(0.2).reorder(0.05, 3).build();
 * }</pre>
 *
 * @param drop the frame is lost
 * @param duplicate the frame is sent twice, the copy right after the original
 * @param corrupt one byte of the frame, at a uniformly chosen offset, is changed to another value
 * @param truncate the frame is cut to a uniformly chosen length from 1 to one byte less than its own
 * @param delay the frame is sent after an extra uniformly chosen delay in (0, {@code maxDelay}]; delayed
 *     frames may overtake each other and be overtaken, without bound
 * @param maxDelay the longest extra delay
 * @param reorder the frame is held back until from 1 to {@code reorderWindow} (uniformly chosen) later
 *     frames have passed it, or {@code reorderHold} has elapsed, whichever comes first; so no frame moves
 *     more than {@code reorderWindow} places from where it was sent
 * @param reorderWindow the most later frames that may pass a held frame
 * @param reorderHold the longest a frame is held back when no later frames come
 * @param latency how long every frame waits before it goes on (zero for none), as {@code tc netem delay}
 *     makes it wait; frames that wait the same latency keep their order, and an extra {@code delay} adds to it
 * @param jump the probability that a frame skips the latency and goes on at once, ahead of the frames still
 *     waiting: {@code tc netem delay LATENCY reorder JUMP}; only drawn when the latency is not zero
 */
public record Faults(double drop, double duplicate, double corrupt, double truncate, double delay,
        Duration maxDelay, double reorder, int reorderWindow, Duration reorderHold, Duration latency, double jump) {

    /** No faults at all: every frame passes unharmed and at once. */
    public static final Faults NONE = builder().build();

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when a rate is outside 0 … 1, a duration is not positive, or the
     *     window is less than 1
     */
    public Faults {
        rate("drop", drop);
        rate("duplicate", duplicate);
        rate("corrupt", corrupt);
        rate("truncate", truncate);
        rate("delay", delay);
        rate("reorder", reorder);
        rate("jump", jump);
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("a latency cannot be negative: " + latency);
        }
        Objects.requireNonNull(reorderHold, "reorderHold");
        if (!maxDelay.isPositive() || !reorderHold.isPositive()) {
            throw new IllegalArgumentException("maxDelay and reorderHold must be positive: " + maxDelay + ", "
                    + reorderHold);
        }
        if (reorderWindow < 1) {
            throw new IllegalArgumentException("a reorder window of at least one frame, got " + reorderWindow);
        }
    }

    private static void rate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("the " + name + " rate is a probability from 0 to 1, got " + rate);
        }
    }

    /**
     * Tells whether any fault can happen.
     *
     * @return whether some rate is above zero, or frames wait a latency
     */
    public boolean any() {
        return drop > 0 || duplicate > 0 || corrupt > 0 || truncate > 0 || delay > 0 || reorder > 0
                || latency.isPositive();
    }

    /**
     * Starts from no faults: every rate 0, {@code maxDelay} 10 ms, a reorder window of 3 frames held at most
     * 10 ms, no latency.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link Faults} one rate at a time. */
    public static final class Builder {

        private double drop;
        private double duplicate;
        private double corrupt;
        private double truncate;
        private double delay;
        private Duration maxDelay = Duration.ofMillis(10);
        private double reorder;
        private int reorderWindow = 3;
        private Duration reorderHold = Duration.ofMillis(10);
        private Duration latency = Duration.ZERO;
        private double jump;

        private Builder() {}

        /**
         * Sets the probability that a frame is lost.
         *
         * @param rate from 0 to 1
         * @return this builder
         */
        public Builder drop(double rate) {
            this.drop = rate;
            return this;
        }

        /**
         * Sets the probability that a frame is sent twice.
         *
         * @param rate from 0 to 1
         * @return this builder
         */
        public Builder duplicate(double rate) {
            this.duplicate = rate;
            return this;
        }

        /**
         * Sets the probability that one byte of a frame is changed.
         *
         * @param rate from 0 to 1
         * @return this builder
         */
        public Builder corrupt(double rate) {
            this.corrupt = rate;
            return this;
        }

        /**
         * Sets the probability that a frame is cut short.
         *
         * @param rate from 0 to 1
         * @return this builder
         */
        public Builder truncate(double rate) {
            this.truncate = rate;
            return this;
        }

        /**
         * Sets the probability that a frame is delayed, and the longest delay.
         *
         * @param rate from 0 to 1
         * @param maxDelay positive
         * @return this builder
         */
        public Builder delay(double rate, Duration maxDelay) {
            this.delay = rate;
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * Sets the probability that a frame is held back for reordering, and the window.
         *
         * @param rate from 0 to 1
         * @param window the most later frames that may pass it, at least 1
         * @return this builder
         */
        public Builder reorder(double rate, int window) {
            this.reorder = rate;
            this.reorderWindow = window;
            return this;
        }

        /**
         * Sets the longest a frame is held back for reordering when no later frames come (default 10 ms).
         *
         * @param hold positive
         * @return this builder
         */
        public Builder reorderHold(Duration hold) {
            this.reorderHold = hold;
            return this;
        }

        /**
         * Makes every frame wait {@code latency} before it goes on, except that with probability {@code jump}
         * one goes on at once, ahead of those waiting: what {@code tc netem delay LATENCY reorder JUMP} does
         * (with netem's default gap of 1 and no correlation).
         *
         * @param latency zero or positive
         * @param jump from 0 to 1
         * @return this builder
         */
        public Builder latency(Duration latency, double jump) {
            this.latency = latency;
            this.jump = jump;
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the faults
         * @throws IllegalArgumentException when a value is out of range
         */
        public Faults build() {
            return new Faults(drop, duplicate, corrupt, truncate, delay, maxDelay, reorder, reorderWindow,
                    reorderHold, latency, jump);
        }
    }
}

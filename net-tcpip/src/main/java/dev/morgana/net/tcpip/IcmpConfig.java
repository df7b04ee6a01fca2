package dev.morgana.net.tcpip;

import java.time.Duration;

/**
 * How often ICMP may send errors: a token bucket of {@code errorBurst} errors, refilled with one every
 * {@code errorInterval} (RFC 1812 §4.3.2.8). Errors beyond it are not sent, and counted.
 *
 * @param errorBurst the most errors sent at once after a quiet time
 * @param errorInterval the time that earns one more error
 */
public record IcmpConfig(int errorBurst, Duration errorInterval) {

    /** 50 at once and one per millisecond after that: the limit of Linux's defaults ({@code icmp_msgs_*}). */
    public static final IcmpConfig DEFAULT = new IcmpConfig(50, Duration.ofMillis(1));

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException when the burst is not positive, the interval not positive, or their
     *     product longer than about 292 years
     */
    public IcmpConfig {
        if (errorBurst < 1) {
            throw new IllegalArgumentException("errorBurst is at least 1, got " + errorBurst);
        }
        if (!errorInterval.isPositive()) {
            throw new IllegalArgumentException("errorInterval is positive, got " + errorInterval);
        }
        try {
            Math.multiplyExact(errorBurst, errorInterval.toNanos());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("errorBurst × errorInterval is too long: " + errorBurst + " × " + errorInterval);
        }
    }
}

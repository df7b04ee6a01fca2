package dev.morgana.net.tcpip.icmp;

/**
 * A token bucket on monotonic nanoseconds, sans IO: it holds at most {@code burst} tokens, gains one every
 * {@code interval}, and each allowed event takes one. ICMP limits the errors it sends with it (RFC 1812
 * §4.3.2.8; RFC 1122 §4.3.2.8's "should limit"), so that a flood of datagrams to closed ports cannot be
 * turned into a flood of answers.
 *
 * <p>The credit is kept in nanoseconds rather than in tokens, so that time between events is never lost
 * to rounding. Not thread-safe: its owner serialises it.
 */
final class TokenBucket {

    private final long interval;
    private final long capacity;
    // Invariant: 0 <= credit <= capacity; credit / interval is the number of whole tokens.
    private long credit;
    private long last;

    /**
     * A full bucket.
     *
     * @param burst the most tokens held, at least 1
     * @param interval nanoseconds per token, at least 1; {@code burst × interval} fits a {@code long}
     * @param now the current time
     */
    TokenBucket(int burst, long interval, long now) {
        this.interval = interval;
        this.capacity = Math.multiplyExact(burst, interval);
        this.credit = capacity;
        this.last = now;
    }

    /**
     * Takes a token if there is one.
     *
     * @param now the current monotonic time, never before an earlier call's
     * @return whether the event may happen
     */
    boolean tryTake(long now) {
        long elapsed = now - last;
        last = now;
        credit = elapsed >= capacity - credit ? capacity : credit + Math.max(0, elapsed);
        if (credit < interval) {
            return false;
        }
        credit -= interval;
        return true;
    }
}

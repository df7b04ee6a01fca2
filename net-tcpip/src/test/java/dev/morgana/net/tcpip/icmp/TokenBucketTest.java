package dev.morgana.net.tcpip.icmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The rate limiter, one event at a time: a table of times and whether each event may happen. */
class TokenBucketTest {

    private static void expect(TokenBucket bucket, long[][] table) {
        for (long[] row : table) {
            assertEquals(row[1] == 1, bucket.tryTake(row[0]), "at " + row[0]);
        }
    }

    @Test
    void fullBucketAllowsTheBurstThenOnePerInterval() {
        expect(new TokenBucket(3, 100, 0), new long[][] {
            {0, 1}, {0, 1}, {0, 1}, {0, 0}, {99, 0}, {100, 1}, {100, 0}, {150, 0}, {200, 1}, {399, 1}, {399, 0}});
    }

    @Test
    void aLongQuietTimeRefillsOnlyToTheBurst() {
        expect(new TokenBucket(2, 100, 0), new long[][] {
            {0, 1}, {0, 1}, {0, 0}, {1_000_000, 1}, {1_000_000, 1}, {1_000_000, 0}});
    }

    @Test
    void partialIntervalsAccumulate() {
        expect(new TokenBucket(1, 100, 0), new long[][] {
            {0, 1}, {40, 0}, {80, 0}, {100, 1}, {160, 0}, {199, 0}, {200, 1}});
    }

    @Test
    void standingStillEarnsNothingAndLateClocksDoNotOverflow() {
        expect(new TokenBucket(1, 100, 1_000), new long[][] {{1_000, 1}, {1_000, 0}, {1_050, 0}, {1_100, 1}});
        expect(new TokenBucket(1, 10, Long.MAX_VALUE - 5), new long[][] {{Long.MAX_VALUE - 5, 1}, {Long.MAX_VALUE, 0}});
    }
}

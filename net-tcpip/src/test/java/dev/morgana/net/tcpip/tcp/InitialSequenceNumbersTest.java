package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.Entropy;
import dev.morgana.api.net.Ipv4Address;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RFC 6528 initial sequence numbers: a secret per 4-tuple, advancing with a 4-µs clock. */
class InitialSequenceNumbersTest {

    static Entropy seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return random::nextBytes;
    }

    private static final Ipv4Address LOCAL = Ipv4Address.parse("192.0.2.10");
    private static final Ipv4Address REMOTE = Ipv4Address.parse("192.0.2.11");

    @Test
    void isFOfTheTupleUnderTheKeyPlusTheClock() {
        Entropy entropy = seeded(1);
        InitialSequenceNumbers isn = new InitialSequenceNumbers(entropy);
        Entropy same = seeded(1);
        SipHash f = new SipHash(same.nextLong(), same.nextLong());
        long now = 123_456_789_000L;
        int expected = (int) (now / 4_000) + (int) f.hash(LOCAL.bits(), REMOTE.bits(), 40000 << 16 | 80);
        assertEquals(expected, isn.next(LOCAL, 40000, REMOTE, 80, now));
    }

    @Test
    void theSameTupleAdvancesWithTheFourMicrosecondClock() {
        InitialSequenceNumbers isn = new InitialSequenceNumbers(seeded(2));
        long now = 5_000_000_000L;
        int first = isn.next(LOCAL, 40000, REMOTE, 80, now);
        assertEquals(first, isn.next(LOCAL, 40000, REMOTE, 80, now), "a function of its inputs");
        assertEquals(first, isn.next(LOCAL, 40000, REMOTE, 80, now + 3_999 - now % 4_000), "within one tick");
        assertEquals(first + 1, isn.next(LOCAL, 40000, REMOTE, 80, now + 4_000));
        assertEquals(first + 250_000, isn.next(LOCAL, 40000, REMOTE, 80, now + 1_000_000_000L), "250000 a second");
        // M wraps as sequence numbers do: 2³² ticks (about 4.8 hours) later it is where it was.
        assertEquals(first, isn.next(LOCAL, 40000, REMOTE, 80, now + (1L << 32) * 4_000));
        assertTrue(Seq.gt(isn.next(LOCAL, 40000, REMOTE, 80, now + 60_000_000_000L), first), "a minute later is later");
    }

    @Test
    void differentTuplesAndKeysDiffer() {
        InitialSequenceNumbers isn = new InitialSequenceNumbers(seeded(3));
        long now = 42;
        Set<Integer> seen = new HashSet<>();
        seen.add(isn.next(LOCAL, 40000, REMOTE, 80, now));
        seen.add(isn.next(LOCAL, 40001, REMOTE, 80, now));
        seen.add(isn.next(LOCAL, 40000, REMOTE, 81, now));
        seen.add(isn.next(REMOTE, 40000, LOCAL, 80, now));
        seen.add(isn.next(LOCAL, 40000, Ipv4Address.parse("192.0.2.12"), 80, now));
        seen.add(isn.next(LOCAL, 80, REMOTE, 40000, now));
        assertEquals(6, seen.size(), seen.toString());
        assertNotEquals(isn.next(LOCAL, 40000, REMOTE, 80, now),
                new InitialSequenceNumbers(seeded(4)).next(LOCAL, 40000, REMOTE, 80, now), "another key");
    }

    @Test
    void nearbyTuplesAreNotNearby() {
        // A guessable ISN would let an attacker who saw one connection's infer its neighbour's: consecutive
        // local ports must land far apart, not one tick apart.
        InitialSequenceNumbers isn = new InitialSequenceNumbers(seeded(5));
        int far = 0;
        for (int port = 40000; port < 40100; port++) {
            int step = isn.next(LOCAL, port + 1, REMOTE, 80, 0) - isn.next(LOCAL, port, REMOTE, 80, 0);
            if (Math.abs((long) step) > 1_000_000) {
                far++;
            }
        }
        assertTrue(far > 95, far + " of 100 steps far apart");
    }
}

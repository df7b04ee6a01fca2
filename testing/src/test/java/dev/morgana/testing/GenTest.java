package dev.morgana.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The generators users compose: within their bounds, and a function of the seed alone. */
class GenTest {

    @Property(tries = 200)
    void everyGeneratorStaysWithinItsBounds(RandomGenerator random) {
        int i = Gen.integers(-3, 3).next(random);
        assertTrue(i >= -3 && i <= 3, "integer " + i);
        long l = Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE - 1).next(random);
        assertTrue(l < Long.MAX_VALUE, "long " + l);
        byte[] bytes = Gen.bytes(2, 5).next(random);
        assertTrue(bytes.length >= 2 && bytes.length <= 5, "bytes " + bytes.length);
        List<Integer> list = Gen.lists(Gen.oneOf(7, 8), 0, 4).next(random);
        assertTrue(list.size() <= 4 && list.stream().allMatch(x -> x == 7 || x == 8), "list " + list);
        String text = Gen.strings("ab😀", 1, 3).next(random);
        int codePoints = text.codePointCount(0, text.length());
        assertTrue(codePoints >= 1 && codePoints <= 3 && text.codePoints().allMatch(c -> "ab😀".indexOf(c) >= 0), text);
        int either = Gen.either(Gen.integers(0, 0), Gen.integers(10, 10)).map(x -> x + 1).next(random);
        assertTrue(either == 1 || either == 11, "either " + either);
    }

    @Property(tries = 20)
    void theSameSeedDrawsTheSameValues(RandomGenerator random) {
        long seed = random.nextLong();
        Gen<List<String>> gen = Gen.lists(Gen.strings("xyz", 0, 8), 0, 10);
        assertEquals(gen.next(new SplittableRandom(seed)), gen.next(new SplittableRandom(seed)));
    }

    /** Damaged copies: the original untouched, never longer, and over a few seeds every kind of damage. */
    @org.junit.jupiter.api.Test
    void damagedCopiesLeaveTheOriginalAndDamageEveryWay() {
        byte[] valid = new byte[64];
        java.util.Arrays.fill(valid, (byte) 0x55);
        byte[] before = valid.clone();
        Gen<byte[]> damaged = Gen.damaged(valid);
        RandomGenerator random = new SplittableRandom(1);
        int same = 0;
        int cut = 0;
        int changed = 0;
        for (int i = 0; i < 400; i++) {
            byte[] bytes = damaged.next(random);
            assertTrue(bytes.length <= valid.length);
            if (bytes.length < valid.length) {
                cut++;
            } else if (java.util.Arrays.equals(bytes, valid)) {
                same++;
            } else {
                changed++;
            }
        }
        assertTrue(same > 50 && cut > 50 && changed > 100, same + " unchanged, " + cut + " cut, " + changed + " changed");
        assertTrue(java.util.Arrays.equals(before, valid), "the original is untouched");
        assertEquals(0, Gen.damaged(new byte[0]).next(random).length);
    }

    @org.junit.jupiter.api.Test
    void choosingFromNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, Gen::oneOf);
    }
}

package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/** Seeded properties of reassembly (replay a failure with -Dmorgana.seed=N). */
class ReassemblyPropertiesTest {

    static final int SOURCE = 0xC000020A;
    static final int DESTINATION = 0xC000020B;

    /** One fragment of a datagram: where it starts, whether more follow, and its bytes. */
    record Fragment(int identification, int offset, boolean more, byte[] bytes) {
        int end() {
            return offset + bytes.length;
        }

        MemorySegment feed(Reassembly reassembly, long now) {
            return reassembly.fragment(now, SOURCE, DESTINATION, 17, identification, offset, more,
                    MemorySegment.ofArray(bytes));
        }
    }

    /** A payload of 1 to 65,515 bytes (mostly a few thousand) cut at random multiples of 8. */
    static List<Fragment> cut(byte[] payload, int identification, RandomGenerator random, int most) {
        List<Fragment> fragments = new ArrayList<>();
        int offset = 0;
        while (offset < payload.length) {
            int left = payload.length - offset;
            int piece = fragments.size() == most - 1 ? left : Math.min(left, 8 * random.nextInt(1, 200));
            boolean more = offset + piece < payload.length;
            byte[] bytes = java.util.Arrays.copyOfRange(payload, offset, offset + piece);
            fragments.add(new Fragment(identification, offset, more, bytes));
            offset += piece;
        }
        if (fragments.size() == 1) {
            // A datagram in one piece is not a fragment; make it two when it can be.
            if (payload.length <= 8) {
                fragments.clear();
                fragments.add(new Fragment(identification, 0, true, java.util.Arrays.copyOf(payload, 8)));
                fragments.add(new Fragment(identification, 8, false, new byte[0]));
            } else {
                int first = 8 * ((payload.length - 1) / 8);
                fragments.clear();
                fragments.add(new Fragment(identification, 0, true, java.util.Arrays.copyOf(payload, first)));
                fragments.add(new Fragment(identification, first, false,
                        java.util.Arrays.copyOfRange(payload, first, payload.length)));
            }
        }
        return fragments;
    }

    static byte[] payload(RandomGenerator random) {
        int length = random.nextInt(10) == 0 ? random.nextInt(1, 65_516) : random.nextInt(9, 12_000);
        byte[] payload = new byte[length];
        random.nextBytes(payload);
        return payload;
    }

    /** The original as reassembly would return it: a tiny payload was padded to 8 bytes by {@link #cut}. */
    static byte[] expected(List<Fragment> fragments) {
        int total = 0;
        for (Fragment f : fragments) {
            total = Math.max(total, f.end());
        }
        byte[] whole = new byte[total];
        for (Fragment f : fragments) {
            System.arraycopy(f.bytes(), 0, whole, f.offset(), f.bytes().length);
        }
        return whole;
    }

    @Property(tries = 300)
    void anyPermutationAndDuplicationReassemblesToTheOriginal(RandomGenerator random) {
        List<Fragment> fragments = cut(payload(random), random.nextInt(0x10000), random, 64);
        byte[] original = expected(fragments);
        List<Fragment> sent = new ArrayList<>(fragments);
        for (int i = random.nextInt(0, fragments.size() + 1); i > 0; i--) {
            sent.add(fragments.get(random.nextInt(fragments.size())));
        }
        Collections.shuffle(sent, new java.util.Random(random.nextLong()));
        Reassembly reassembly = new Reassembly(1 << 20, 64, 4, 30_000_000_000L);
        BitSet seen = new BitSet();
        int completions = 0;
        for (Fragment fragment : sent) {
            seen.set(fragments.indexOf(fragment));
            MemorySegment whole = fragment.feed(reassembly, 0);
            boolean allSeen = seen.cardinality() == fragments.size();
            if (whole != null) {
                completions++;
                assertArrayEquals(original, whole.toArray(ValueLayout.JAVA_BYTE));
                seen.clear(); // a late duplicate starts the datagram afresh
            } else {
                assertTrue(!allSeen, "every fragment was given, yet nothing came out");
            }
        }
        assertTrue(completions >= 1);
        assertEquals(0, reassembly.counters().overlaps() + reassembly.counters().inconsistent());
    }

    @Property(tries = 100)
    void interleavedDatagramsAllReassemble(RandomGenerator random) {
        List<List<Fragment>> datagrams = new ArrayList<>();
        List<Fragment> all = new ArrayList<>();
        for (int id = 0; id < random.nextInt(2, 6); id++) {
            byte[] payload = new byte[random.nextInt(9, 5000)];
            random.nextBytes(payload);
            List<Fragment> fragments = cut(payload, id, random, 64);
            datagrams.add(fragments);
            all.addAll(fragments);
        }
        Collections.shuffle(all, new java.util.Random(random.nextLong()));
        Reassembly reassembly = new Reassembly(1 << 20, 64, 8, 30_000_000_000L);
        List<Integer> completed = new ArrayList<>();
        for (Fragment fragment : all) {
            MemorySegment whole = fragment.feed(reassembly, 0);
            if (whole != null) {
                assertArrayEquals(expected(datagrams.get(fragment.identification())), whole.toArray(ValueLayout.JAVA_BYTE));
                completed.add(fragment.identification());
            }
        }
        assertEquals(datagrams.size(), completed.size());
        assertEquals(0, reassembly.bytesHeld());
    }

    @Property(tries = 300)
    void anOverlappingFragmentDropsTheWholeDatagram(RandomGenerator random) {
        byte[] payload = new byte[random.nextInt(64, 8000)];
        random.nextBytes(payload);
        List<Fragment> fragments = cut(payload, 7, random, 64);
        // A forged fragment over part of a real one (not the last): another range, or the same with other bytes.
        Fragment victim = fragments.get(random.nextInt(fragments.size() - 1));
        int start = Math.max(0, victim.offset() - 8 * random.nextInt(0, 3));
        int length = victim.offset() - start + 8 * random.nextInt(1, 4);
        if (start + length >= payload.length) {
            length = victim.offset() - start + 8;
        }
        byte[] bytes = java.util.Arrays.copyOfRange(payload, start, start + length);
        if (start == victim.offset() && length == victim.bytes().length || random.nextBoolean()) {
            bytes[random.nextInt(length)] ^= 1;
        }
        Fragment forged = new Fragment(7, start, true, bytes);
        // The forged one comes after its victim, and before at least one other real fragment: were it the
        // first of the two, or after every real one, it would be the first reading or come too late.
        List<Fragment> sent = new ArrayList<>(fragments);
        Collections.shuffle(sent, new java.util.Random(random.nextLong()));
        int victimAt = sent.indexOf(victim);
        if (victimAt == sent.size() - 1) {
            Collections.swap(sent, victimAt, random.nextInt(victimAt));
            victimAt = sent.indexOf(victim);
        }
        sent.add(random.nextInt(victimAt + 1, sent.size()), forged);
        Reassembly reassembly = new Reassembly(1 << 20, 128, 4, 30_000_000_000L);
        for (Fragment fragment : sent) {
            assertNull(fragment.feed(reassembly, 0), "a datagram with an overlap never comes out");
        }
        Reassembly.Counters counters = reassembly.counters();
        assertEquals(1, counters.overlaps(), counters.toString());
        assertEquals(0, counters.reassembled());
    }

    @Property(tries = 100)
    void aDatagramOfTooManyFragmentsIsDropped(RandomGenerator random) {
        int most = random.nextInt(2, 10);
        byte[] payload = new byte[8 * (most + 1) + random.nextInt(8)];
        random.nextBytes(payload);
        List<Fragment> fragments = new ArrayList<>();
        for (int offset = 0; offset < payload.length; offset += 8) {
            int end = Math.min(payload.length, offset + 8);
            fragments.add(new Fragment(1, offset, end < payload.length,
                    java.util.Arrays.copyOfRange(payload, offset, end)));
        }
        Collections.shuffle(fragments, new java.util.Random(random.nextLong()));
        Reassembly reassembly = new Reassembly(1 << 20, most, 4, 30_000_000_000L);
        for (Fragment fragment : fragments) {
            assertNull(fragment.feed(reassembly, 0));
            assertTrue(reassembly.mostFragments() <= most);
        }
        assertTrue(reassembly.counters().tooManyFragments() >= 1);
    }

    @Property(tries = 50)
    void theBoundsHoldUnderAFloodOfRandomFragments(RandomGenerator random) {
        int maxBytes = random.nextInt(1, 200_000);
        int maxFragments = random.nextInt(2, 40);
        int maxDatagrams = random.nextInt(1, 30);
        Reassembly reassembly = new Reassembly(maxBytes, maxFragments, maxDatagrams, 1_000_000_000L);
        long now = 0;
        for (int i = 0; i < 5000; i++) {
            now += random.nextLong(0, 2_000_000L);
            int offset = 8 * random.nextInt(0, 8000);
            boolean more = random.nextBoolean();
            int length = more ? 8 * random.nextInt(1, 200) : random.nextInt(0, 1600);
            if (offset + length + 20 > 65_535) {
                continue; // Ipv4Packet refuses those before reassembly sees them
            }
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            reassembly.fragment(now, random.nextInt(4), DESTINATION, random.nextInt(3), random.nextInt(64), offset,
                    more, MemorySegment.ofArray(bytes));
            assertTrue(reassembly.bytesHeld() <= maxBytes, reassembly.toString());
            assertTrue(reassembly.datagramsInFlight() <= maxDatagrams, reassembly.toString());
            assertTrue(reassembly.mostFragments() <= maxFragments, reassembly.toString());
            assertTrue(reassembly.bytesHeld() >= 0, reassembly.toString());
        }
        reassembly.expire(now + 1_000_000_000L);
        assertEquals(0, reassembly.bytesHeld(), "everything times out");
        assertEquals(0, reassembly.datagramsInFlight());
    }
}

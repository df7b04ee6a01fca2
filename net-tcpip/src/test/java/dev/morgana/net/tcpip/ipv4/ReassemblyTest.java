package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reassembly core, one event at a time: Linux's fragments, then each way a datagram is dropped. */
class ReassemblyTest {

    static final long SECOND = 1_000_000_000L;

    /** Gives reassembly one IPv4 packet, as the layer does. */
    static MemorySegment feed(Reassembly reassembly, long now, byte[] bytes) {
        MemorySegment packet = MemorySegment.ofArray(bytes);
        Ipv4Packet.check(packet);
        return reassembly.fragment(now, Ipv4Packet.source(packet), Ipv4Packet.destination(packet),
                Ipv4Packet.protocol(packet), Ipv4Packet.identification(packet), Ipv4Packet.fragmentOffset(packet),
                (Ipv4Packet.flagsAndOffset(packet) & Ipv4Packet.MORE_FRAGMENTS) != 0, Ipv4Packet.payload(packet));
    }

    static Reassembly reassembly() {
        return new Reassembly(1 << 20, 8, 4, 30 * SECOND);
    }

    @Test
    void linuxsFragmentsReassembleInEveryOrderIntoAValidEcho() {
        int[][] orders = {{1, 2, 3}, {1, 3, 2}, {2, 1, 3}, {2, 3, 1}, {3, 1, 2}, {3, 2, 1}};
        for (int[] order : orders) {
            Reassembly reassembly = reassembly();
            assertNull(feed(reassembly, 0, Captures.packet(order[0])));
            assertNull(feed(reassembly, 0, Captures.packet(order[1])));
            MemorySegment echo = feed(reassembly, 0, Captures.packet(order[2]));
            assertNotNull(echo, java.util.Arrays.toString(order));
            assertEquals(3008, echo.byteSize(), "ping -s 3000: 8 bytes of ICMP header and 3000 of data");
            assertEquals(8, echo.get(ValueLayout.JAVA_BYTE, 0), "an echo request");
            assertEquals(0xFFFF, InternetChecksum.sum(echo, 0, echo.byteSize(), 0), "ICMP's checksum covers it all");
            assertEquals(0, reassembly.bytesHeld());
            assertEquals(0, reassembly.datagramsInFlight());
        }
    }

    @Test
    void twoDatagramsInterleavedBothComplete() {
        Reassembly reassembly = reassembly();
        for (int number : List.of(4, 1, 5, 2)) {
            assertNull(feed(reassembly, 0, Captures.packet(number)));
        }
        assertEquals(0, feed(reassembly, 0, Captures.packet(6)).get(ValueLayout.JAVA_BYTE, 0), "the echo reply");
        assertEquals(1, reassembly.datagramsInFlight());
        assertEquals(8, feed(reassembly, 0, Captures.packet(3)).get(ValueLayout.JAVA_BYTE, 0), "the echo request");
        assertEquals(2, reassembly.counters().reassembled());
        assertEquals(0, reassembly.datagramsInFlight());
    }

    @Test
    void anExactDuplicateIsIgnored() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 0, Captures.packet(2));
        feed(reassembly, 0, Captures.packet(2));
        feed(reassembly, 0, Captures.packet(1));
        assertNotNull(feed(reassembly, 0, Captures.packet(3)));
        assertEquals(1, reassembly.counters().duplicates());
    }

    @Test
    void theSameRangeWithOtherBytesIsAnOverlapThatDropsTheDatagram() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 0, Captures.packet(2));
        byte[] forged = Captures.packet(2);
        forged[100] ^= 1;
        assertNull(feed(reassembly, 0, forged));
        assertEquals(1, reassembly.counters().overlaps());
        assertEquals(0, reassembly.bytesHeld());
        feed(reassembly, 0, Captures.packet(1));
        assertNull(feed(reassembly, 0, Captures.packet(3)), "the datagram is gone; frames 1 and 3 alone do not make it");
    }

    @Test
    void aPartialOverlapDropsTheDatagram() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 0, Captures.packet(1));
        byte[] shifted = Captures.packet(2);
        shifted[7] -= 1; // offset 1472 instead of 1480: its first 8 bytes overlap the first fragment
        Ipv4HeaderTest.rechecksum(shifted, 20);
        assertNull(feed(reassembly, 0, shifted));
        assertEquals(1, reassembly.counters().overlaps());
        assertEquals(0, reassembly.datagramsInFlight());
    }

    @Test
    void twoDifferentEndsAreInconsistent() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 0, Captures.packet(3));
        byte[] shorter = Captures.packet(3);
        shorter[3] = 60; // a last fragment of 40 bytes at 2960: another end
        Ipv4HeaderTest.rechecksum(shorter, 20);
        assertNull(feed(reassembly, 0, java.util.Arrays.copyOf(shorter, 60)));
        assertEquals(1, reassembly.counters().inconsistent());
        assertEquals(0, reassembly.datagramsInFlight());
    }

    @Test
    void aFragmentPastTheEndIsInconsistent() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 0, Captures.packet(3)); // the last: the payload is 3008 bytes
        byte[] late = Captures.packet(2);
        late[7] = (byte) 0xC0; // the middle one moved to offset 1536: it would end at 3016
        Ipv4HeaderTest.rechecksum(late, 20);
        assertNull(feed(reassembly, 0, late));
        assertEquals(1, reassembly.counters().inconsistent());
        assertEquals(0, reassembly.datagramsInFlight());
    }

    @Test
    void tooManyFragmentsDropTheDatagram() {
        Reassembly reassembly = new Reassembly(1 << 20, 2, 4, 30 * SECOND);
        feed(reassembly, 0, Captures.packet(1));
        feed(reassembly, 0, Captures.packet(2));
        assertNull(feed(reassembly, 0, Captures.packet(3)));
        assertEquals(1, reassembly.counters().tooManyFragments());
        assertEquals(0, reassembly.bytesHeld());
    }

    @Test
    void theMemoryBoundEvictsTheOldestDatagram() {
        Reassembly reassembly = new Reassembly(2000, 8, 4, 30 * SECOND);
        feed(reassembly, 0, Captures.packet(1)); // request: 1480 bytes held
        feed(reassembly, 1, Captures.packet(4)); // the reply's first: 2960 > 2000, so the request goes
        assertEquals(1, reassembly.counters().evicted());
        assertEquals(1480, reassembly.bytesHeld());
        assertNull(feed(reassembly, 2, Captures.packet(5)), "the reply cannot grow past the bound either");
        assertEquals(2, reassembly.counters().evicted());
        assertEquals(0, reassembly.bytesHeld());
    }

    @Test
    void aFragmentLargerThanTheWholeBudgetIsRefused() {
        Reassembly reassembly = new Reassembly(1000, 8, 4, 30 * SECOND);
        assertNull(feed(reassembly, 0, Captures.packet(1)));
        assertEquals(1, reassembly.counters().overBudget());
        assertEquals(0, reassembly.datagramsInFlight());
    }

    @Test
    void theDatagramBoundEvictsTheOldest() {
        Reassembly reassembly = new Reassembly(1 << 20, 8, 1, 30 * SECOND);
        feed(reassembly, 0, Captures.packet(1));
        feed(reassembly, 0, Captures.packet(4));
        assertEquals(1, reassembly.datagramsInFlight());
        assertEquals(1, reassembly.counters().evicted());
        feed(reassembly, 0, Captures.packet(5));
        assertNotNull(feed(reassembly, 0, Captures.packet(6)), "the newer one completes");
    }

    @Test
    void anIncompleteDatagramTimesOut() {
        Reassembly reassembly = reassembly();
        feed(reassembly, 5 * SECOND, Captures.packet(1));
        feed(reassembly, 6 * SECOND, Captures.packet(2));
        assertEquals(35 * SECOND, reassembly.deadline(), "30 s from the first fragment");
        assertEquals(0, reassembly.expire(35 * SECOND - 1));
        assertEquals(1, reassembly.expire(35 * SECOND));
        assertEquals(Long.MAX_VALUE, reassembly.deadline());
        assertNull(feed(reassembly, 35 * SECOND, Captures.packet(3)), "the last fragment starts afresh");
        assertEquals(1, reassembly.counters().timedOut());
    }
}

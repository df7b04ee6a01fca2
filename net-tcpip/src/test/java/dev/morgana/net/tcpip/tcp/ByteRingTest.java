package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The bounded ring under both buffers: appending, reading and slicing across the end of its array. */
class ByteRingTest {

    static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static String string(MemorySegment m) {
        return new String(m.toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void appendTakesWhatFits() {
        ByteRing ring = new ByteRing(8);
        assertEquals(6, ring.append(bytes("foobar")));
        assertEquals(2, ring.append(bytes("bazhoge")));
        assertEquals(0, ring.free());
        assertEquals(0, ring.append(bytes("x")));
    }

    @Test
    void readAndSliceAcrossTheEnd() {
        ByteRing ring = new ByteRing(8);
        ring.append(bytes("foobar"));
        ring.consume(3);
        assertEquals(5, ring.append(bytes("bazho")));
        // The held bytes are "barbazho", from index 3 round to index 2: a slice stops at the array's end.
        assertEquals("barba", string(ring.slice(0, 8)));
        assertEquals("zho", string(ring.slice(5, 3)));
        byte[] out = new byte[8];
        assertEquals(8, ring.read(MemorySegment.ofArray(out)));
        assertArrayEquals("barbazho".getBytes(java.nio.charset.StandardCharsets.US_ASCII), out);
        assertEquals(0, ring.length());
    }

    @Test
    void writeAtPastTheTailThenCommit() {
        ByteRing ring = new ByteRing(8);
        ring.append(bytes("abc"));
        ring.writeAt(2, bytes("XY"), 0, 2); // out of order: two bytes after a gap of two
        ring.consume(3); // everything held is read: bytes past the tail keep their place all the same
        ring.writeAt(0, bytes("de"), 0, 2); // the gap
        ring.commit(4);
        assertEquals("deXY", string(ring.slice(0, 4)));
    }

    @Test
    void boundsAreChecked() {
        ByteRing ring = new ByteRing(4);
        ring.append(bytes("ab"));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.writeAt(1, bytes("xy"), 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.commit(3));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.consume(3));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.slice(1, 2));
    }

    @Test
    void aRingThatIsNeverWrittenHoldsNoMemory() {
        // Sixteen rings of 1 GiB, as sixteen half-open connections with the largest buffers: eager arrays would
        // need 16 GiB, past any heap these tests get.
        java.util.List<ByteRing> rings = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ByteRing ring = new ByteRing(1 << 30);
            assertEquals(0, ring.read(MemorySegment.ofArray(new byte[8])));
            assertEquals(0, ring.slice(0, 0).byteSize());
            ring.writeAt(0, bytes("x"), 0, 0);
            rings.add(ring);
        }
        assertEquals(16, rings.size());
        ByteRing used = new ByteRing(16);
        assertEquals(3, used.append(bytes("abc")));
        assertEquals("abc", new String(used.slice(0, 3).toArray(ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.US_ASCII));
    }
}

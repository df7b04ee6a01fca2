package dev.morgana.net.tcpip.tcp;

import java.lang.foreign.MemorySegment;

/**
 * A fixed-capacity ring of bytes: {@link #length()} bytes from the head, then free space, which may be
 * written at an offset past the tail before it is {@link #commit committed} (how the receive side places a
 * segment that arrived out of order). Never grows; its array is allocated at the first write. Not
 * thread-safe.
 */
final class ByteRing {

    private static final MemorySegment NONE = MemorySegment.ofArray(new byte[0]);

    private final int capacity;
    /** Allocated at the first write, so that a connection that never carries data (a SYN flood's) costs none. */
    private MemorySegment bytes = NONE;
    /** Index of the first byte held: 0 ≤ head < capacity. */
    private int head;
    /** Bytes held: 0 ≤ length ≤ capacity. */
    private int length;

    ByteRing(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    int length() {
        return length;
    }

    int free() {
        return capacity - length;
    }

    /**
     * Copies {@code n} bytes of {@code source} from {@code from} into the free space, {@code offset} bytes
     * past the tail, without committing them.
     */
    void writeAt(int offset, MemorySegment source, long from, int n) {
        if (offset < 0 || n < 0 || offset + n > free()) {
            throw new IndexOutOfBoundsException(offset + "+" + n + " past " + free() + " free bytes");
        }
        if (n == 0) {
            return;
        }
        if (bytes == NONE) {
            bytes = MemorySegment.ofArray(new byte[capacity]);
        }
        int start = index(length + offset);
        int first = Math.min(n, capacity - start);
        MemorySegment.copy(source, from, bytes, start, first);
        MemorySegment.copy(source, from + first, bytes, 0, n - first);
    }

    /** Makes the first {@code n} free bytes, written by {@link #writeAt}, part of the held bytes. */
    void commit(int n) {
        if (n < 0 || n > free()) {
            throw new IndexOutOfBoundsException(n + " past " + free() + " free bytes");
        }
        length += n;
    }

    /** Copies as many of {@code source}'s bytes as fit to the tail and returns how many. */
    int append(MemorySegment source) {
        int n = (int) Math.min(free(), source.byteSize());
        writeAt(0, source, 0, n);
        commit(n);
        return n;
    }

    /** Moves up to {@code into}'s size of held bytes into {@code into} and returns how many. */
    int read(MemorySegment into) {
        int n = (int) Math.min(length, into.byteSize());
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        MemorySegment.copy(bytes, head, into, 0, first);
        MemorySegment.copy(bytes, 0, into, first, n - first);
        consume(n);
        return n;
    }

    /** Drops the first {@code n} held bytes. */
    void consume(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException(n + " past " + length + " held bytes");
        }
        // The head moves, never resets: bytes written past the tail (out-of-order data) stay where they are.
        head = index(n);
        length -= n;
    }

    /** Drops everything. */
    void clear() {
        head = 0;
        length = 0;
    }

    /**
     * Returns held bytes from {@code offset}, at most {@code max} of them and no further than the end of the
     * array: a view, valid until the ring is next changed.
     */
    MemorySegment slice(int offset, int max) {
        if (offset < 0 || max < 0 || offset + max > length) {
            throw new IndexOutOfBoundsException(offset + "+" + max + " past " + length + " held bytes");
        }
        if (length == 0) {
            return NONE; // perhaps never allocated
        }
        int start = index(offset);
        return bytes.asSlice(start, Math.min(max, capacity - start));
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i;
    }
}

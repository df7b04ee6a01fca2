package dev.morgana.net.tcpip.ipv4;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * Reassembly of fragmented IPv4 datagrams (RFC 791 §3.2) as a state machine that does no I/O:
 * {@link #fragment} takes the time and one fragment and returns the datagram's whole payload when that
 * fragment completed it; {@link #expire} drops what waited too long; {@link #deadline} says when to call it
 * next. It reads no clock, starts no thread and is not thread-safe: one caller at a time.
 *
 * <p><b>Bounds, all hard.</b> The payload bytes held (copies of the fragments' payloads) never exceed
 * {@code maxBytes}: to make room the oldest incomplete datagrams are evicted, and a fragment larger than
 * the whole budget is refused. At most {@code maxDatagrams} datagrams are incomplete at once (the oldest is
 * evicted for a new one), each of at most {@code maxFragments} fragments (one more drops the datagram). A
 * datagram incomplete {@code timeoutNanos} after its first fragment arrived is dropped.
 *
 * <p><b>Overlaps.</b> A fragment that overlaps one already held drops the whole datagram, as RFC 5722 asks
 * of IPv6 and Linux does for IPv4 since 2018: data that two fragments disagree on is an attack on whatever
 * inspects one reading of it. A fragment that repeats one already held exactly (same offset, same bytes) is
 * a duplicate — the network may duplicate a packet — and is ignored. Inconsistent fragments (two different
 * ends, a fragment past the end, more-fragments set on one that reaches the end) drop the datagram too.
 *
 * <p>Datagrams are told apart by source, destination, protocol and identification (RFC 791).
 */
public final class Reassembly {

    private final int maxBytes;
    private final int maxFragments;
    private final int maxDatagrams;
    private final long timeoutNanos;
    /** Incomplete datagrams, oldest first, so the first has the earliest deadline. */
    private final LinkedHashMap<Key, Partial> partials = new LinkedHashMap<>();
    /** Invariant: the sum of the partials' {@code held}, at most maxBytes. */
    private int held;
    private long fragments;
    private long reassembled;
    private long duplicates;
    private long overlaps;
    private long inconsistent;
    private long tooManyFragments;
    private long evicted;
    private long timedOut;
    private long overBudget;

    /**
     * What the core has done since it was made. Every fragment is counted once in {@code fragments}; the
     * other counters count datagrams (or, for {@code duplicates} and {@code overBudget}, fragments) dropped
     * for each reason.
     *
     * @param fragments fragments given to {@link #fragment}
     * @param reassembled datagrams completed and returned
     * @param duplicates fragments that repeated one held, ignored
     * @param overlaps datagrams dropped because fragments overlapped
     * @param inconsistent datagrams dropped because fragments disagreed on the end
     * @param tooManyFragments datagrams dropped for having more than {@code maxFragments} fragments
     * @param evicted datagrams dropped to make room (bytes or datagrams in flight)
     * @param timedOut datagrams dropped when their time ran out
     * @param overBudget fragments refused because alone they exceed {@code maxBytes} (their datagram is dropped
     *     with them)
     */
    public record Counters(long fragments, long reassembled, long duplicates, long overlaps, long inconsistent,
            long tooManyFragments, long evicted, long timedOut, long overBudget) {}

    private record Key(int source, int destination, int protocol, int identification) {}

    /** One incomplete datagram: its fragments sorted by offset, never overlapping. */
    private static final class Partial {
        final long deadline;
        int[] starts;
        int[] ends;
        byte[][] pieces;
        int count;
        /** The payload's length once the last fragment came, -1 until then. */
        int total = -1;
        /** Bytes of {@link #pieces}; since they never overlap, the payload is complete when it equals total. */
        int held;

        Partial(long deadline, int capacity) {
            this.deadline = deadline;
            this.starts = new int[capacity];
            this.ends = new int[capacity];
            this.pieces = new byte[capacity][];
        }
    }

    /**
     * Creates an empty core.
     *
     * @param maxBytes the most payload bytes held over all incomplete datagrams, at least 1
     * @param maxFragments the most fragments of one datagram, at least 2
     * @param maxDatagrams the most incomplete datagrams, at least 1
     * @param timeoutNanos how long a datagram may take to complete from its first fragment, positive
     * @throws IllegalArgumentException when a bound is out of range
     */
    public Reassembly(int maxBytes, int maxFragments, int maxDatagrams, long timeoutNanos) {
        if (maxBytes < 1 || maxFragments < 2 || maxDatagrams < 1 || timeoutNanos < 1) {
            throw new IllegalArgumentException("reassembly bounds: bytes ≥ 1, fragments ≥ 2, datagrams ≥ 1, timeout > 0; got "
                    + maxBytes + ", " + maxFragments + ", " + maxDatagrams + ", " + timeoutNanos + " ns");
        }
        this.maxBytes = maxBytes;
        this.maxFragments = maxFragments;
        this.maxDatagrams = maxDatagrams;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Takes one fragment.
     *
     * @param now the monotonic time, in nanoseconds, never less than at the previous call
     * @param source the source address
     * @param destination the destination address
     * @param protocol the protocol
     * @param identification the identification
     * @param offset where the payload starts in the datagram's, in bytes, a multiple of 8
     * @param more whether more fragments follow
     * @param payload the fragment's payload (checked by {@link Ipv4Packet#problem}: a non-last one is a
     *     positive multiple of 8 bytes, and offset plus length fits 65,535); read during the call only
     * @return the whole datagram's payload in a new heap segment when this fragment completed it, otherwise
     *     {@code null}
     */
    public MemorySegment fragment(long now, int source, int destination, int protocol, int identification,
            int offset, boolean more, MemorySegment payload) {
        fragments++;
        expire(now);
        int length = Math.toIntExact(payload.byteSize());
        int end = offset + length;
        Key key = new Key(source, destination, protocol, identification);
        Partial partial = partials.get(key);
        if (partial == null) {
            if (partials.size() >= maxDatagrams) {
                evictOldest(null);
            }
            partial = new Partial(now + timeoutNanos, Math.min(maxFragments, 4));
            partials.put(key, partial);
        }
        // RFC 791: the last fragment fixes the length; every fragment must agree with it.
        if (!more) {
            if (partial.total >= 0 && partial.total != end
                    || partial.count > 0 && partial.ends[partial.count - 1] > end) {
                return drop(key, partial, Drop.INCONSISTENT);
            }
            partial.total = end;
        } else if (partial.total >= 0 && end >= partial.total) {
            return drop(key, partial, Drop.INCONSISTENT);
        }
        if (length > 0) {
            int at = insertionPoint(partial, offset);
            // The neighbours are the only pieces that can intersect [offset, end): pieces never overlap.
            if (at > 0 && partial.ends[at - 1] > offset) {
                return sameAs(partial, at - 1, offset, end, payload) ? duplicate() : drop(key, partial, Drop.OVERLAP);
            }
            if (at < partial.count && partial.starts[at] < end) {
                return sameAs(partial, at, offset, end, payload) ? duplicate() : drop(key, partial, Drop.OVERLAP);
            }
            if (partial.count == maxFragments) {
                return drop(key, partial, Drop.TOO_MANY);
            }
            if (length > maxBytes) {
                overBudget++;
                partials.remove(key);
                held -= partial.held;
                return null;
            }
            while (held + length > maxBytes) {
                if (!evictOldest(key)) {
                    // Only this datagram is left and it cannot grow: give it up.
                    return drop(key, partial, Drop.EVICTED);
                }
            }
            insert(partial, at, offset, end, payload);
            held += length;
        }
        if (partial.total >= 0 && partial.held == partial.total) {
            partials.remove(key);
            held -= partial.held;
            reassembled++;
            return assemble(partial);
        }
        return null;
    }

    private enum Drop { OVERLAP, INCONSISTENT, TOO_MANY, EVICTED }

    private MemorySegment drop(Key key, Partial partial, Drop reason) {
        partials.remove(key);
        held -= partial.held;
        switch (reason) {
            case OVERLAP -> overlaps++;
            case INCONSISTENT -> inconsistent++;
            case TOO_MANY -> tooManyFragments++;
            case EVICTED -> evicted++;
        }
        return null;
    }

    private MemorySegment duplicate() {
        duplicates++;
        return null;
    }

    /** Evicts the oldest datagram other than {@code keep}; false when there is none. */
    private boolean evictOldest(Key keep) {
        Iterator<java.util.Map.Entry<Key, Partial>> it = partials.entrySet().iterator();
        while (it.hasNext()) {
            java.util.Map.Entry<Key, Partial> oldest = it.next();
            if (!oldest.getKey().equals(keep)) {
                it.remove();
                held -= oldest.getValue().held;
                evicted++;
                return true;
            }
        }
        return false;
    }

    private static int insertionPoint(Partial partial, int offset) {
        int at = 0;
        while (at < partial.count && partial.starts[at] < offset) {
            at++;
        }
        return at;
    }

    /** Whether piece {@code i} is exactly [offset, end) with the same bytes: a duplicate. */
    private static boolean sameAs(Partial partial, int i, int offset, int end, MemorySegment payload) {
        return partial.starts[i] == offset && partial.ends[i] == end
                && MemorySegment.mismatch(MemorySegment.ofArray(partial.pieces[i]), 0, end - offset, payload, 0,
                        end - offset) == -1;
    }

    private static void insert(Partial partial, int at, int offset, int end, MemorySegment payload) {
        if (partial.count == partial.starts.length) {
            int capacity = partial.count * 2;
            partial.starts = java.util.Arrays.copyOf(partial.starts, capacity);
            partial.ends = java.util.Arrays.copyOf(partial.ends, capacity);
            partial.pieces = java.util.Arrays.copyOf(partial.pieces, capacity);
        }
        int tail = partial.count - at;
        System.arraycopy(partial.starts, at, partial.starts, at + 1, tail);
        System.arraycopy(partial.ends, at, partial.ends, at + 1, tail);
        System.arraycopy(partial.pieces, at, partial.pieces, at + 1, tail);
        partial.starts[at] = offset;
        partial.ends[at] = end;
        partial.pieces[at] = payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        partial.count++;
        partial.held += end - offset;
    }

    private static MemorySegment assemble(Partial partial) {
        byte[] whole = new byte[partial.total];
        for (int i = 0; i < partial.count; i++) {
            System.arraycopy(partial.pieces[i], 0, whole, partial.starts[i], partial.pieces[i].length);
        }
        return MemorySegment.ofArray(whole);
    }

    /**
     * Drops every datagram whose time ran out.
     *
     * @param now the monotonic time, in nanoseconds
     * @return how many were dropped
     */
    public int expire(long now) {
        int dropped = 0;
        Iterator<Partial> it = partials.values().iterator();
        while (it.hasNext()) {
            Partial oldest = it.next();
            if (oldest.deadline > now) {
                break; // the rest are younger
            }
            it.remove();
            held -= oldest.held;
            dropped++;
        }
        timedOut += dropped;
        return dropped;
    }

    /**
     * Returns when the oldest incomplete datagram times out.
     *
     * @return a monotonic time in nanoseconds, or {@link Long#MAX_VALUE} when nothing is incomplete
     */
    public long deadline() {
        Iterator<Partial> it = partials.values().iterator();
        return it.hasNext() ? it.next().deadline : Long.MAX_VALUE;
    }

    /** Drops everything held, for a layer that stops. */
    public void clear() {
        partials.clear();
        held = 0;
    }

    /**
     * Returns the payload bytes held now.
     *
     * @return at most {@code maxBytes}
     */
    public int bytesHeld() {
        return held;
    }

    /**
     * Returns the incomplete datagrams now.
     *
     * @return at most {@code maxDatagrams}
     */
    public int datagramsInFlight() {
        return partials.size();
    }

    /**
     * Returns the largest number of fragments any incomplete datagram holds now.
     *
     * @return at most {@code maxFragments}
     */
    public int mostFragments() {
        int most = 0;
        for (Partial partial : partials.values()) {
            most = Math.max(most, partial.count);
        }
        return most;
    }

    /**
     * Returns the counters.
     *
     * @return a snapshot
     */
    public Counters counters() {
        return new Counters(fragments, reassembled, duplicates, overlaps, inconsistent, tooManyFragments, evicted,
                timedOut, overBudget);
    }

    @Override
    public String toString() {
        return "Reassembly[" + partials.size() + " datagrams, " + held + " bytes, " + Objects.toString(counters()) + "]";
    }
}

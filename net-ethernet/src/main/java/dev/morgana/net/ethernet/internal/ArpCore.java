package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ARP (RFC 826, with the probe, announcement and conflict rules of RFC 5227) as a state machine that does
 * no I/O: each event ({@link #resolve}, {@link #received}, {@link #timer}, {@link #addAddress}, …) takes
 * the monotonic time {@code now} and returns the {@link Actions} the caller performs — packets to send,
 * waiters to resolve or fail, conflicts to report — and the next deadline at which to call {@link #timer}.
 * It reads no clock, starts no thread and is not thread-safe: one caller at a time.
 *
 * <p>What the core knows about an address is its {@link Entry}: {@link Own}, {@link Static},
 * {@link Reachable} (learned, until its lifetime ends), {@link Incomplete} (being asked for, with waiters)
 * or {@link Absent}. The dynamic entries are bounded by {@link ArpConfig#cacheSize()} (the least recently
 * used is evicted), the waiters by {@link ArpConfig#pendingPerAddress()} and {@link ArpConfig#pendingTotal()}
 * (a waiter past either is failed at once and counted). Entries expire lazily: an entry past its lifetime
 * is ignored and removed when next touched, and swept on every timer.
 *
 * @param <W> what a waiter is: the shell's callback, a test's token
 */
public final class ArpCore<W> {

    /** RFC 5227 §1.1 DEFEND_INTERVAL: at most one defending announcement per address in this time. */
    static final long DEFEND_INTERVAL_NANOS = 10_000_000_000L;

    private final MacAddress mac;
    private final ArpConfig config;
    private final long lifetime;
    private final long interval;
    private final Set<Ipv4Address> own = new LinkedHashSet<>();
    /** The bits of {@link #own}, for {@link #answerKnownRequest}, which must not allocate a key. */
    private int[] ownBits = new int[0];
    /** The sender of the last request answered in place, reused as the lookup key for the next from it. */
    private Ipv4Address lastSender = Ipv4Address.ANY;
    /** Dynamic entries, least recently used first (access order). Invariant: size ≤ cacheSize. */
    private final LinkedHashMap<Ipv4Address, Learned> cache = new LinkedHashMap<>(16, 0.75f, true);
    /** Addresses being asked for, in the order asked. Invariant: every query has at least one waiter. */
    private final LinkedHashMap<Ipv4Address, Query<W>> queries = new LinkedHashMap<>();
    /** When we last defended each of our addresses (RFC 5227 §2.4 (b)). */
    private final Map<Ipv4Address, Long> defended = new HashMap<>();
    /** Waiters over all queries. Invariant: ≤ pendingTotal, the sum of the queries' waiters. */
    private int waiting;
    private boolean closed;
    private long requestsSent;
    private long repliesSent;
    private long requestsReceived;
    private long repliesReceived;
    private long ignored;
    private long resolvedCount;
    private long timeouts;
    private long queueDrops;
    private long evictions;
    private long conflicts;
    private long announcements;

    /** A dynamic entry; updated in place when a packet confirms or changes it, so that refreshing allocates nothing. */
    private static final class Learned {
        MacAddress mac;
        long expires;

        Learned(MacAddress mac, long expires) {
            this.mac = mac;
            this.expires = expires;
        }
    }

    private static final class Query<W> {
        final ArrayDeque<W> waiters = new ArrayDeque<>();
        int sent;
        long deadline;
    }

    /** What the core knows about one address. */
    public sealed interface Entry {}

    /** Nothing: the next resolution asks. */
    public record Absent() implements Entry {}

    /**
     * Being asked for.
     *
     * @param sent requests sent so far
     * @param deadline when the last one times out
     * @param waiters resolutions waiting
     */
    public record Incomplete(int sent, long deadline, int waiters) implements Entry {}

    /**
     * Learned from a packet.
     *
     * @param mac the address's MAC
     * @param expires when the entry stops being used
     */
    public record Reachable(MacAddress mac, long expires) implements Entry {}

    /**
     * Configured.
     *
     * @param mac the fixed MAC
     */
    public record Static(MacAddress mac) implements Entry {}

    /** One of our own addresses. */
    public record Own() implements Entry {}

    /**
     * A packet to send.
     *
     * @param destination the Ethernet destination
     * @param message the ARP packet
     */
    public record Send(MacAddress destination, ArpMessage message) {}

    /**
     * A waiter whose address resolved.
     *
     * @param <W> the waiter type
     * @param waiter the waiter
     * @param mac the answer
     */
    public record Resolved<W>(W waiter, MacAddress mac) {}

    /**
     * A waiter whose resolution failed.
     *
     * @param <W> the waiter type
     * @param waiter the waiter
     * @param error why
     */
    public record Failed<W>(W waiter, NetworkException error) {}

    /**
     * Another host claims one of our addresses (RFC 5227 §2.4).
     *
     * @param address ours
     * @param claimant the other host's MAC
     * @param defended whether we answered with an announcement (at most once per DEFEND_INTERVAL)
     */
    public record Conflict(Ipv4Address address, MacAddress claimant, boolean defended) {}

    /**
     * What the caller does after an event, in this order: send, then complete, then report; and call
     * {@link #timer} at {@link #deadline()}.
     *
     * @param <W> the waiter type
     * @param sends packets to send
     * @param resolved waiters to tell their answer
     * @param failed waiters to tell their failure
     * @param conflicts conflicts to report
     * @param deadline the next monotonic time to call {@link #timer}, {@link Long#MAX_VALUE} for none
     */
    public record Actions<W>(List<Send> sends, List<Resolved<W>> resolved, List<Failed<W>> failed,
            List<Conflict> conflicts, long deadline) {}

    /**
     * The core's counters.
     *
     * @param requestsSent requests, announcements included
     * @param repliesSent replies, answers to probes included
     * @param requestsReceived requests received
     * @param repliesReceived replies received
     * @param ignored packets that changed nothing: from us, from a multicast MAC or address, or overriding a static entry
     * @param resolved resolutions answered, from the cache or by a packet
     * @param timeouts queries that ran out of retries
     * @param queueDrops resolutions failed because a pending queue was full
     * @param evictions dynamic entries evicted to make room
     * @param conflicts packets from another host claiming one of our addresses
     * @param announcements gratuitous ARPs sent (on adding an address, on request, in defence)
     */
    public record Counters(long requestsSent, long repliesSent, long requestsReceived, long repliesReceived, long ignored,
            long resolved, long timeouts, long queueDrops, long evictions, long conflicts, long announcements) {}

    /** Collects one event's actions; lists are made only when needed. */
    private final class Out {
        List<Send> sends = List.of();
        List<Resolved<W>> resolved = List.of();
        List<Failed<W>> failed = List.of();
        List<Conflict> conflicts = List.of();

        void send(MacAddress destination, ArpMessage message) {
            if (sends.isEmpty()) {
                sends = new ArrayList<>(2);
            }
            sends.add(new Send(destination, message));
            if (message instanceof ArpMessage.Request) {
                requestsSent++;
            } else {
                repliesSent++;
            }
        }

        void resolved(W waiter, MacAddress answer) {
            if (resolved.isEmpty()) {
                resolved = new ArrayList<>(2);
            }
            resolved.add(new Resolved<>(waiter, answer));
            resolvedCount++;
        }

        void failed(W waiter, NetworkException.Reason reason, String message) {
            if (failed.isEmpty()) {
                failed = new ArrayList<>(2);
            }
            failed.add(new Failed<>(waiter, new NetworkException(reason, message)));
        }

        void conflict(Conflict conflict) {
            if (conflicts.isEmpty()) {
                conflicts = new ArrayList<>(1);
            }
            conflicts.add(conflict);
        }

        Actions<W> done() {
            return new Actions<>(sends, resolved, failed, conflicts, deadline());
        }
    }

    /**
     * Creates the core.
     *
     * @param mac our MAC, the sender of everything we send
     * @param config bounds, timers and static entries
     */
    public ArpCore(MacAddress mac, ArpConfig config) {
        this.mac = mac;
        this.config = config;
        this.lifetime = config.entryLifetime().toNanos();
        this.interval = config.retryInterval().toNanos();
    }

    /**
     * Resolves {@code address} for {@code waiter}: at once from our addresses, the static entries or a live
     * cache entry; otherwise by joining the query for it, or starting one with a broadcast request.
     *
     * @param now the monotonic time
     * @param address the address to resolve
     * @param waiter told the outcome, exactly once, in these or later actions
     * @return what to do
     */
    public Actions<W> resolve(long now, Ipv4Address address, W waiter) {
        Out out = new Out();
        if (closed) {
            out.failed(waiter, NetworkException.Reason.CLOSED, "ARP is stopped");
            return out.done();
        }
        if (address.isBroadcast()) {
            out.resolved(waiter, MacAddress.BROADCAST);
            return out.done();
        }
        if (own.contains(address)) {
            out.resolved(waiter, mac);
            return out.done();
        }
        MacAddress fixed = config.staticEntries().get(address);
        if (fixed != null) {
            out.resolved(waiter, fixed);
            return out.done();
        }
        MacAddress learned = live(now, address);
        if (learned != null) {
            out.resolved(waiter, learned);
            return out.done();
        }
        Query<W> query = queries.get(address);
        if (waiting >= config.pendingTotal()
                || query != null && query.waiters.size() >= config.pendingPerAddress()) {
            queueDrops++;
            out.failed(waiter, NetworkException.Reason.UNREACHABLE, "ARP queue full: "
                    + (query != null && query.waiters.size() >= config.pendingPerAddress()
                            ? config.pendingPerAddress() + " resolutions already wait for " + address
                            : config.pendingTotal() + " resolutions already wait"));
            return out.done();
        }
        if (query == null) {
            // RFC 826: broadcast "who has address?"; retried from timer() until answered or out of retries.
            query = new Query<>();
            queries.put(address, query);
            ask(now, address, query, out);
        }
        query.waiters.add(waiter);
        waiting++;
        return out.done();
    }

    private void ask(long now, Ipv4Address address, Query<W> query, Out out) {
        query.sent++;
        query.deadline = now + interval;
        out.send(MacAddress.BROADCAST, ArpMessage.Request.of(mac, sourceAddress(), address));
    }

    /** The sender address of our requests: the first of ours, or 0.0.0.0 (a probe) before we have one. */
    private Ipv4Address sourceAddress() {
        return own.isEmpty() ? Ipv4Address.ANY : own.iterator().next();
    }

    /** The live cache entry's MAC, touching it (LRU); an expired entry is removed. */
    private MacAddress live(long now, Ipv4Address address) {
        Learned entry = cache.get(address);
        if (entry == null) {
            return null;
        }
        if (now - entry.expires >= 0) {
            cache.remove(address);
            return null;
        }
        return entry.mac;
    }

    /**
     * Returns the MAC of {@code address} if known now, without sending anything. Touches the entry (LRU).
     *
     * @param now the monotonic time
     * @param address the address
     * @return the MAC of one of ours, a static entry or a live learned entry
     */
    public Optional<MacAddress> lookup(long now, Ipv4Address address) {
        if (address.isBroadcast()) {
            return Optional.of(MacAddress.BROADCAST);
        }
        if (own.contains(address)) {
            return Optional.of(mac);
        }
        MacAddress fixed = config.staticEntries().get(address);
        return Optional.ofNullable(fixed != null ? fixed : live(now, address));
    }

    /**
     * Handles a received packet (RFC 826's "packet reception" algorithm, with RFC 5227's probes and conflicts).
     *
     * @param now the monotonic time
     * @param message the packet
     * @return what to do
     */
    public Actions<W> received(long now, ArpMessage message) {
        Out out = new Out();
        boolean request = message instanceof ArpMessage.Request;
        if (request) {
            requestsReceived++;
        } else {
            repliesReceived++;
        }
        MacAddress sender = message.senderMac();
        Ipv4Address senderIp = message.senderIp();
        Ipv4Address targetIp = message.targetIp();
        if (closed || sender.equals(mac) || sender.isMulticast() || sender.bits() == 0 || senderIp.isBroadcast()
                || senderIp.isMulticast()) {
            ignored++; // our own packet looped back, or a sender that cannot be a host
            return out.done();
        }
        if (own.contains(senderIp)) {
            // RFC 5227 §2.4: someone else uses one of our addresses. Defend it with one announcement, at
            // most once per DEFEND_INTERVAL (option (b)); never learn the claimant.
            conflicts++;
            Long last = defended.get(senderIp);
            boolean defend = last == null || now - last >= DEFEND_INTERVAL_NANOS;
            if (defend) {
                defended.put(senderIp, now);
                announce(senderIp, out);
            }
            out.conflict(new Conflict(senderIp, sender, defend));
            return out.done();
        }
        boolean forUs = own.contains(targetIp);
        if (senderIp.isUnspecified()) {
            // RFC 5227 §2.1.1: a probe. Answer it if it asks for one of ours, so that the prober backs off;
            // learn nothing, the sender has no address yet.
            if (request && forUs) {
                out.send(sender, new ArpMessage.Reply(mac, targetIp, sender, Ipv4Address.ANY));
            }
            return out.done();
        }
        // RFC 826: "If the pair <protocol type, sender protocol address> is already in my translation
        // table, update the sender hardware address field of the entry with the new information".
        boolean merged = false;
        MacAddress fixed = config.staticEntries().get(senderIp);
        if (fixed != null) {
            merged = true; // static entries are never overridden
            if (!fixed.equals(sender)) {
                ignored++;
            }
        } else {
            Learned entry = cache.get(senderIp); // touches it: a packet from a neighbour is a use
            if (entry != null) {
                entry.mac = sender;
                entry.expires = now + lifetime;
                merged = true;
            }
        }
        Query<W> query = fixed == null ? queries.remove(senderIp) : null;
        if (query != null) {
            // Any packet from the address answers its query: a reply, a request or an announcement.
            learn(now, senderIp, sender);
            merged = true;
            waiting -= query.waiters.size();
            for (W waiter : query.waiters) {
                out.resolved(waiter, sender);
            }
        }
        // "?Am I the target protocol address? Yes: If Merge_flag is false, add the triplet to the table.
        // If the opcode is ares_op$REQUEST, swap fields, put local addresses, send the packet."
        if (forUs) {
            if (!merged) {
                learn(now, senderIp, sender);
            }
            if (request) {
                out.send(sender, new ArpMessage.Reply(mac, targetIp, sender, senderIp));
            }
        }
        return out.done();
    }

    /**
     * The common case of {@link #received}, taken without building a message or actions: a request for one
     * of our addresses from a neighbour whose live learned entry already has the sender's MAC, with no
     * query waiting on it. The entry is refreshed (and touched) and the request must be answered; the
     * caller sends {@code Reply(our MAC, targetIp, sender, senderIp)} to the sender. For any other packet
     * this changes nothing and returns {@code null}: call {@link #received} with the parsed message.
     *
     * @param now the monotonic time
     * @param senderMac the request's sender MAC bits
     * @param senderIp the request's sender IPv4 bits
     * @param targetIp the request's target IPv4 bits
     * @return the sender's MAC, the reply's destination; {@code null} when the general path must decide
     */
    public MacAddress answerKnownRequest(long now, long senderMac, int senderIp, int targetIp) {
        if (closed || senderMac == mac.bits() || senderIp == 0 || senderIp == -1 || senderIp >>> 28 == 0xE) {
            return null;
        }
        if (!isOwn(targetIp) || isOwn(senderIp)) {
            return null;
        }
        Ipv4Address sender = lastSender.bits() == senderIp ? lastSender : new Ipv4Address(senderIp);
        if (!queries.isEmpty() && queries.containsKey(sender)
                || !config.staticEntries().isEmpty() && config.staticEntries().containsKey(sender)) {
            return null;
        }
        Learned entry = cache.get(sender); // touches it, as the general path does
        if (entry == null || entry.mac.bits() != senderMac || now - entry.expires >= 0) {
            return null;
        }
        // RFC 826: merge (refresh the entry), we are the target, it is a request: answer.
        entry.expires = now + lifetime;
        requestsReceived++;
        repliesSent++;
        lastSender = sender;
        return entry.mac;
    }

    private boolean isOwn(int address) {
        for (int bits : ownBits) {
            if (bits == address) {
                return true;
            }
        }
        return false;
    }

    /** Adds or refreshes a dynamic entry, evicting the least recently used one when the cache is full. */
    private void learn(long now, Ipv4Address address, MacAddress answer) {
        Learned entry = cache.get(address);
        if (entry != null) {
            entry.mac = answer;
            entry.expires = now + lifetime;
            return;
        }
        if (cache.size() >= config.cacheSize()) {
            Iterator<Learned> eldest = cache.values().iterator();
            eldest.next();
            eldest.remove();
            evictions++;
        }
        cache.put(address, new Learned(answer, now + lifetime));
    }

    /**
     * Handles the timer: requests whose wait ended are sent again, or their queries fail with
     * {@code TIMED_OUT} when out of retries; expired cache entries are removed.
     *
     * @param now the monotonic time, at or after the deadline asked for
     * @return what to do
     */
    public Actions<W> timer(long now) {
        Out out = new Out();
        Iterator<Map.Entry<Ipv4Address, Query<W>>> it = queries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Ipv4Address, Query<W>> entry = it.next();
            Query<W> query = entry.getValue();
            if (now - query.deadline < 0) {
                continue;
            }
            if (query.sent <= config.retries()) {
                ask(now, entry.getKey(), query, out);
            } else {
                it.remove();
                timeouts++;
                waiting -= query.waiters.size();
                String message = "no ARP answer for " + entry.getKey() + " after " + query.sent + " requests";
                for (W waiter : query.waiters) {
                    out.failed(waiter, NetworkException.Reason.TIMED_OUT, message);
                }
            }
        }
        cache.values().removeIf(learned -> now - learned.expires >= 0);
        return out.done();
    }

    /**
     * Starts answering for {@code address} and announces it (RFC 5227 §2.3). A learned entry for it is
     * dropped; waiters on it are told our MAC.
     *
     * @param now the monotonic time
     * @param address one of our addresses, not 0.0.0.0, broadcast or multicast
     * @return what to do
     * @throws IllegalArgumentException when the address cannot be a host's
     */
    public Actions<W> addAddress(long now, Ipv4Address address) {
        if (address.isUnspecified() || address.isBroadcast() || address.isMulticast()) {
            throw new IllegalArgumentException(address + " cannot be a host's address");
        }
        Out out = new Out();
        if (closed || !own.add(address)) {
            return out.done();
        }
        ownBits = own.stream().mapToInt(Ipv4Address::bits).toArray();
        cache.remove(address);
        Query<W> query = queries.remove(address);
        if (query != null) {
            waiting -= query.waiters.size();
            for (W waiter : query.waiters) {
                out.resolved(waiter, mac);
            }
        }
        announce(address, out);
        return out.done();
    }

    /**
     * Stops answering for {@code address}; an unknown address changes nothing.
     *
     * @param address the address
     */
    public void removeAddress(Ipv4Address address) {
        own.remove(address);
        ownBits = own.stream().mapToInt(Ipv4Address::bits).toArray();
        defended.remove(address);
    }

    /**
     * Sends a gratuitous ARP for one of our addresses.
     *
     * @param now the monotonic time
     * @param address one of ours
     * @return what to do
     * @throws IllegalArgumentException when the address is not ours
     */
    public Actions<W> announce(long now, Ipv4Address address) {
        if (!own.contains(address)) {
            throw new IllegalArgumentException(address + " is not one of our addresses " + own);
        }
        Out out = new Out();
        if (!closed) {
            announce(address, out);
        }
        return out.done();
    }

    private void announce(Ipv4Address address, Out out) {
        announcements++;
        out.send(MacAddress.BROADCAST, ArpMessage.Request.announcement(mac, address));
    }

    /**
     * Stops: every waiter fails with {@code CLOSED}, and so does every later resolution.
     *
     * @return what to do
     */
    public Actions<W> close() {
        Out out = new Out();
        closed = true;
        for (Map.Entry<Ipv4Address, Query<W>> entry : queries.entrySet()) {
            for (W waiter : entry.getValue().waiters) {
                out.failed(waiter, NetworkException.Reason.CLOSED, "ARP stopped while resolving " + entry.getKey());
            }
        }
        queries.clear();
        waiting = 0;
        return out.done();
    }

    /**
     * Returns the next time {@link #timer} has something to do.
     *
     * @return a monotonic time, {@link Long#MAX_VALUE} when nothing waits
     */
    public long deadline() {
        long next = Long.MAX_VALUE;
        for (Query<W> query : queries.values()) {
            next = Math.min(next, query.deadline);
        }
        return next;
    }

    /**
     * Tells what the core knows about {@code address}, without touching the LRU order.
     *
     * @param now the monotonic time
     * @param address the address
     * @return its entry
     */
    public Entry entry(long now, Ipv4Address address) {
        if (own.contains(address)) {
            return new Own();
        }
        MacAddress fixed = config.staticEntries().get(address);
        if (fixed != null) {
            return new Static(fixed);
        }
        Query<W> query = queries.get(address);
        if (query != null) {
            return new Incomplete(query.sent, query.deadline, query.waiters.size());
        }
        for (Map.Entry<Ipv4Address, Learned> entry : cache.entrySet()) { // iteration does not reorder
            if (entry.getKey().equals(address) && now - entry.getValue().expires < 0) {
                return new Reachable(entry.getValue().mac, entry.getValue().expires);
            }
        }
        return new Absent();
    }

    /**
     * Returns our addresses.
     *
     * @return an immutable snapshot, in the order added
     */
    public Set<Ipv4Address> addresses() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(own));
    }

    /**
     * Counts the dynamic entries, expired ones not yet removed included.
     *
     * @return at most {@link ArpConfig#cacheSize()}
     */
    public int cacheSize() {
        return cache.size();
    }

    /**
     * Counts the resolutions waiting.
     *
     * @return at most {@link ArpConfig#pendingTotal()}
     */
    public int pending() {
        return waiting;
    }

    /**
     * Returns the counters.
     *
     * @return a snapshot
     */
    public Counters counters() {
        return new Counters(requestsSent, repliesSent, requestsReceived, repliesReceived, ignored, resolvedCount,
                timeouts, queueDrops, evictions, conflicts, announcements);
    }
}

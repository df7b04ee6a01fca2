package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.Clock;
import dev.morgana.api.Entropy;
import dev.morgana.api.EventLoop;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.internal.Counters;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TCP over {@link Ipv4} (RFC 9293): the shell around {@link TcpConnection}s that does their I/O. It
 * demultiplexes received segments by their 4-tuple, answers SYNs to listening ports (bounded half-open
 * connections per listener), refuses segments nobody expects with a RST, runs each connection's timer on
 * {@link Timers}, passes ICMP errors to the connection they quote, and gives applications blocking
 * {@link Flow}s on virtual threads.
 *
 * <p><b>Threads.</b> Until the stack has its event loop (README), one lock serialises everything TCP does:
 * segments arrive on the device's receive thread, timers fire on the timers' thread, applications call from
 * their own; each takes the lock, drives the cores, and sends their segments through {@code Ipv4.write}
 * before releasing it. Lower layers never call back into TCP while holding a lock of theirs, so the order
 * TCP → IPv4 → ARP → Ethernet is the only one there is. Flows park on a condition of that lock. A handler's
 * virtual thread runs on the device's receive thread when that is an {@link EventLoop} (the TAP's is), so
 * that the segments in, the handler and the segments out of a request take no thread crossing.
 *
 * <p><b>Segmentation offload.</b> When IPv4 offloads TCP segmentation ({@link Ipv4#tcpSegmentationLimit()}, a
 * TAP device's), each connection may hand over segments of up to that limit less the largest TCP header
 * ({@link TcpConnection}'s send limit); one longer than the MSS goes through {@link Ipv4#writeTcpSegments} with
 * the checksum field holding the pseudo-header's partial sum, for the device to cut at the MSS and checksum. When
 * IPv4 cannot offload it (the next hop not yet resolved), it is cut here and sent segment by segment.
 *
 * <p><b>Memory.</b> Each connection's buffers are bounded by its {@link TcpConfig} (and allocated once data
 * flows); the half-open connections of each listener by {@link TcpConfig.Limits#halfOpen()}, beyond which the
 * oldest gives way, and all connections by {@link TcpConfig.Limits#connections()}, beyond which a SYN is refused. A
 * connection leaves the table when it reaches CLOSED, after TIME-WAIT; one the application closed gives up
 * waiting in FIN-WAIT-2 for the peer's FIN after {@link #ORPHANED_FIN_WAIT_2}.
 */
public final class TcpLayer implements Tcp, Service {

    private static final System.Logger LOG = System.getLogger(TcpLayer.class.getName());
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /**
     * How long a connection the application has closed waits in FIN-WAIT-2 for the peer's FIN: nothing in
     * RFC 9293 ends that state, and a peer that vanished would hold the entry forever. Linux's
     * {@code tcp_fin_timeout}, 60 s.
     */
    static final long ORPHANED_FIN_WAIT_2 = 60_000_000_000L;
    private static final Ipv4.DatagramHandler DISCARD = (source, destination, payload) -> { };
    private static final Icmp.ErrorListener IGNORE = (reporter, type, code, quoted) -> { };

    /** What the layer counts. */
    public enum Count {
        /** Segments received. */
        RECEIVED,
        /** Too short, a bad data offset or bad options, or a wrong checksum: dropped. */
        MALFORMED,
        /** Sent to a broadcast or multicast address: dropped (RFC 1122 §4.2.3.10). */
        NOT_UNICAST,
        /** For no connection and no listener: answered with a RST unless they were one. */
        REFUSED,
        /**
         * Half-open connections given up, oldest first, to make room for a newer SYN when their listener had
         * {@link TcpConfig.Limits#halfOpen()} of them (a SYN flood).
         */
        HALF_OPEN_DROPPED,
        /** Connections opened, by connect or by a SYN to a listener. */
        OPENED,
        /** Connections established from a listener and handed to its handler. */
        ACCEPTED,
        /** Segments sent: a super-segment counts once. */
        SENT,
        /**
         * Super-segments sent: longer than the MSS, handed to IPv4 whole for the device to cut into segments of
         * the MSS (TCP segmentation offload).
         */
        OFFLOADED,
        /**
         * Super-segments IPv4 could not offload (the next hop not yet resolved) and that were cut into segments
         * of the MSS here instead.
         */
        SEGMENTED,
        /** Segments IPv4 could not send (no route, the next hop unresolved): the retransmission timer retries. */
        SEND_FAILED,
        /** ICMP errors quoting a connection of ours. */
        ICMP_ERRORS,
        /** Flow handlers that threw (logged; the flow is closed gracefully all the same). */
        HANDLER_FAILED
    }

    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final Clock clock;
    private final Timers timers;
    private final TcpConfig config;
    private final TcpConfig.Limits limits;
    private final InitialSequenceNumbers sequenceNumbers;
    private final EphemeralPorts ephemeralPorts;
    private final Counters<Count> counts = new Counters<>(Count.class);

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final Map<Key, Connection> connections = new HashMap<>();
    private final Map<Integer, Listening> listeners = new HashMap<>();
    private boolean stopped;

    /**
     * Creates the layer; it receives once started.
     *
     * @param ipv4 the layer below
     * @param icmp where errors about our segments come from
     * @param clock the time the cores run on
     * @param timers where the cores' timers run
     * @param entropy the keys of initial sequence numbers and ephemeral ports
     * @param config every connection's tunables; a flow's {@link Tcp.Options} override no-delay and keep-alive
     * @param limits the layer's bounds
     */
    @Inject
    public TcpLayer(Ipv4 ipv4, Icmp icmp, Clock clock, Timers timers, Entropy entropy, TcpConfig config,
            TcpConfig.Limits limits) {
        this.ipv4 = Objects.requireNonNull(ipv4, "ipv4");
        this.icmp = Objects.requireNonNull(icmp, "icmp");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.config = Objects.requireNonNull(config, "config");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.sequenceNumbers = new InitialSequenceNumbers(entropy);
        this.ephemeralPorts = new EphemeralPorts(entropy);
    }

    @Override
    public void start() {
        ipv4.register(Ipv4.TCP, this::segment);
        icmp.onError(Ipv4.TCP, this::error);
    }

    /** Stops receiving and aborts every connection: the peers get a RST, parked flows {@link Reason#CLOSED}. */
    @Override
    public void stop() {
        ipv4.register(Ipv4.TCP, DISCARD);
        icmp.onError(Ipv4.TCP, IGNORE);
        lock.lock();
        try {
            stopped = true;
            long now = clock.monotonicNanos();
            for (Connection c : List.copyOf(connections.values())) {
                c.closed = true;
                c.core.abort(now);
                after(c);
            }
            listeners.clear();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Applications.

    @Override
    public Listener listen(Endpoint local, Options options, FlowHandler handler) throws NetworkException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        lock.lock();
        try {
            requireRunning();
            int port = local.port();
            if (port == 0) {
                port = freePort();
            } else if (listeners.containsKey(port)) {
                throw new NetworkException(Reason.ADDRESS_IN_USE, "TCP port " + port + " is already listened on");
            }
            Listening listening = new Listening(new Endpoint(local.address(), port), options, handler);
            listeners.put(port, listening);
            return listening;
        } finally {
            lock.unlock();
        }
    }

    /** A port for {@code listen(…:0)}: the first of the dynamic range no listener and no connection uses. */
    private int freePort() throws NetworkException {
        for (int port = EphemeralPorts.FIRST; port <= EphemeralPorts.LAST; port++) {
            if (!listeners.containsKey(port) && !localPortInUse(port)) {
                return port;
            }
        }
        throw new NetworkException(Reason.ADDRESS_IN_USE, "every port of the dynamic range is in use");
    }

    private boolean localPortInUse(int port) {
        for (Key key : connections.keySet()) {
            if (key.localPort == port) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Flow connect(Endpoint remote, Options options) throws NetworkException {
        Objects.requireNonNull(options, "options");
        if (remote.port() == 0) {
            throw new IllegalArgumentException("no connection goes to port 0 (RFC 6335)");
        }
        Connection c;
        lock.lock();
        try {
            requireRunning();
            Ipv4Address local = ipv4.address();
            if (local.isUnspecified()) {
                throw new NetworkException(Reason.UNREACHABLE, "this host has no address yet");
            }
            if (connections.size() >= limits.connections()) {
                throw new NetworkException(Reason.ADDRESS_IN_USE, "the stack holds " + connections.size()
                        + " connections, its limit");
            }
            OptionalInt port = ephemeralPorts.choose(local, remote.address(), remote.port(),
                    p -> listeners.containsKey(p) || connections.containsKey(new Key(local.bits(), p,
                            remote.address().bits(), remote.port())));
            if (port.isEmpty()) {
                throw new NetworkException(Reason.ADDRESS_IN_USE, "no ephemeral port is free towards " + remote);
            }
            Endpoint here = new Endpoint(local, port.getAsInt());
            long now = clock.monotonicNanos();
            int iss = sequenceNumbers.next(local, here.port(), remote.address(), remote.port(), now);
            c = new Connection(here, remote, options, null);
            connections.put(c.key, c);
            counts.increment(Count.OPENED);
            c.core = TcpConnection.connect(here, remote, iss, configFor(options), sendLimit(), now, c);
            after(c);
            long deadline = now + options.connectTimeout().toNanos();
            while (c.core.state() == TcpConnection.State.SYN_SENT && !c.closed) {
                boolean inTime;
                try {
                    inTime = c.await(deadline);
                } catch (InterruptedException e) {
                    c.closed = true;
                    c.core.abort(clock.monotonicNanos());
                    after(c);
                    Thread.currentThread().interrupt();
                    throw new NetworkException(Reason.INTERRUPTED, "interrupted while connecting to " + remote);
                }
                if (!inTime && c.core.state() == TcpConnection.State.SYN_SENT) {
                    c.closed = true;
                    c.core.abort(clock.monotonicNanos());
                    after(c);
                    throw new NetworkException(Reason.TIMED_OUT, "no answer from " + remote + " within "
                            + options.connectTimeout());
                }
            }
            if (c.core.failure().isPresent()) {
                throw failure(c, "connect to " + remote);
            }
            if (c.closed) {
                throw new NetworkException(Reason.CLOSED, "the stack stopped while connecting to " + remote);
            }
        } finally {
            lock.unlock();
        }
        return new TcpFlow(this, c);
    }

    private void requireRunning() throws NetworkException {
        if (stopped) {
            throw new NetworkException(Reason.CLOSED, "the TCP layer is stopped");
        }
    }

    /**
     * Every connection's config with the flow's options applied, and the MSS clamped by the MTU (RFC 9293
     * §3.7.1: the largest datagram IPv4 sends unfragmented, less the TCP header).
     */
    private TcpConfig configFor(Options options) {
        return config.withMaxSegmentSize(Math.min(config.maxSegmentSize(), ipv4.mtu() - TcpPacket.HEADER))
                .with(options);
    }

    /**
     * The largest payload a connection may hand over in one segment: what IPv4 offloads, less the largest TCP
     * header; 0 when it offloads nothing (the connection then sends segments of the MSS).
     */
    private int sendLimit() {
        int limit = ipv4.tcpSegmentationLimit();
        return limit <= TcpPacket.MAX_HEADER ? 0 : Math.min(limit - TcpPacket.MAX_HEADER, TcpConfig.MAX_SEGMENT_SIZE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The network.

    /**
     * Handles one TCP segment from IPv4.
     *
     * @param source the sender
     * @param destination our address, or a broadcast or multicast address
     * @param packet the IPv4 payload, read-only, valid during the call
     */
    void segment(Ipv4Address source, Ipv4Address destination, MemorySegment packet) {
        counts.increment(Count.RECEIVED);
        if (!destination.equals(ipv4.address())) {
            counts.increment(Count.NOT_UNICAST);
            return;
        }
        TcpHeader header;
        try {
            header = TcpHeader.parse(packet, ipv4.pseudoHeaderSum(source, destination, Ipv4.TCP,
                    (int) packet.byteSize()));
        } catch (MalformedPacketException e) {
            counts.increment(Count.MALFORMED);
            return;
        }
        MemorySegment payload = TcpPacket.payload(packet);
        lock.lock();
        try {
            long now = clock.monotonicNanos();
            Connection c = connections.get(new Key(destination.bits(), header.destinationPort(), source.bits(),
                    header.sourcePort()));
            if (c != null && c.core.reusableBy(header)) {
                // A new connection on the 4-tuple of one in TIME-WAIT (the peer reusing its port): the old one
                // is forgotten and the SYN answered as a listener would, as Linux does, rather than with a
                // challenge ACK that the peer answers with a RST before trying again.
                forget(c);
                c = null;
            }
            if (c != null) {
                c.core.receive(now, header, payload);
                after(c);
                return;
            }
            Listening listening = listeners.get(header.destinationPort());
            if (listening != null && (listening.local.address().isUnspecified()
                    || listening.local.address().equals(destination))) {
                listen(listening, source, destination, header, payload, now);
                return;
            }
            refuse(source, destination, header, payload);
        } finally {
            lock.unlock();
        }
    }

    /** A segment for a listening port (RFC 9293 §3.10.7.2). Called with the lock held. */
    private void listen(Listening listening, Ipv4Address source, Ipv4Address destination, TcpHeader header,
            MemorySegment payload, long now) {
        if (header.has(TcpHeader.RST)) {
            return; // first check: ignore
        }
        if (header.has(TcpHeader.ACK) || !header.has(TcpHeader.SYN)) {
            refuse(source, destination, header, payload); // second check: <SEQ=SEG.ACK><CTL=RST>; else drop-ish
            return;
        }
        if (listening.halfOpen.size() >= limits.halfOpen()) {
            // RFC 4987 §3.4: the oldest half-open connection makes room, silently (under a flood its peer is
            // spoofed), so that a genuine SYN still gets in while the queue is full: its ACK comes back long
            // before a flood cycles through the queue. Dropping the new SYN would lock everyone out until the
            // flood's SYN-ACKs ran out of retransmissions.
            Connection oldest = listening.halfOpen.removeFirst();
            oldest.handedOver = true; // nothing to hand over, nor to count again
            forget(oldest);
            counts.increment(Count.HALF_OPEN_DROPPED);
        }
        if (connections.size() >= limits.connections()) {
            refuse(source, destination, header, payload);
            return;
        }
        Endpoint local = new Endpoint(destination, header.destinationPort());
        Endpoint remote = new Endpoint(source, header.sourcePort());
        Connection c = new Connection(local, remote, listening.options, listening);
        listening.halfOpen.addLast(c);
        connections.put(c.key, c);
        counts.increment(Count.OPENED);
        int iss = sequenceNumbers.next(destination, local.port(), source, remote.port(), now);
        c.core = TcpConnection.accept(local, remote, header, iss, configFor(listening.options), sendLimit(), now, c);
        after(c);
    }

    /** Answers a segment nobody expects with a RST (RFC 9293 §3.10.7.1). Called with the lock held. */
    private void refuse(Ipv4Address source, Ipv4Address destination, TcpHeader header, MemorySegment payload) {
        counts.increment(Count.REFUSED);
        TcpConnection.refuse(header, (int) payload.byteSize(), (reset, empty) -> send(destination, source, reset, empty));
    }

    /** An ICMP error about a segment we sent: to the connection it quotes, if there is one. */
    private void error(Ipv4Address reporter, int type, int code, MemorySegment quoted) {
        int header = (quoted.get(ValueLayout.JAVA_BYTE, 0) & 0xF) * 4;
        if (quoted.byteSize() < header + 8) {
            return;
        }
        Key key = new Key(quoted.get(I32, 12), quoted.get(U16, header) & 0xFFFF, quoted.get(I32, 16),
                quoted.get(U16, header + 2) & 0xFFFF);
        int sequence = quoted.get(I32, header + 4);
        lock.lock();
        try {
            Connection c = connections.get(key);
            if (c != null) {
                counts.increment(Count.ICMP_ERRORS);
                c.core.icmpError(clock.monotonicNanos(), type, code, sequence);
                after(c);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes one segment through IPv4. Called with the lock held. */
    private void send(Ipv4Address from, Ipv4Address to, TcpHeader header, MemorySegment payload) {
        int headerLength = header.length();
        int length = headerLength + (int) payload.byteSize();
        try {
            ipv4.write(to, Ipv4.TCP, length, buffer -> {
                MemorySegment segment = buffer.asSlice(0, length);
                MemorySegment.copy(payload, 0, segment, headerLength, payload.byteSize());
                return header.emit(segment, ipv4.pseudoHeaderSum(from, to, Ipv4.TCP, length));
            });
            counts.increment(Count.SENT);
        } catch (NetworkException e) {
            counts.increment(Count.SEND_FAILED);
            LOG.log(Level.DEBUG, () -> "a TCP segment to " + to + " was not sent: " + e.getMessage());
        }
    }

    /**
     * Writes a segment longer than the MSS through {@link Ipv4#writeTcpSegments}, for the device to cut into
     * segments of {@code mss} bytes and checksum: the checksum field holds the pseudo-header's partial sum. When
     * IPv4 cannot offload it (the next hop not yet in ARP's cache), cuts it here and sends each segment on its
     * own, as a device would: FIN and PSH on the last only. Called with the lock held.
     */
    private void sendSegments(Ipv4Address from, Ipv4Address to, TcpHeader header, MemorySegment payload, int mss) {
        int headerLength = header.length();
        int length = headerLength + (int) payload.byteSize();
        try {
            ipv4.writeTcpSegments(to, length, mss, buffer -> {
                MemorySegment segment = buffer.asSlice(0, length);
                MemorySegment.copy(payload, 0, segment, headerLength, payload.byteSize());
                return header.emitPartial(segment, ipv4.pseudoHeaderSum(from, to, Ipv4.TCP, length));
            });
            counts.increment(Count.SENT);
            counts.increment(Count.OFFLOADED);
            return;
        } catch (NetworkException e) {
            if (e.reason() != Reason.UNREACHABLE) {
                counts.increment(Count.SEND_FAILED);
                LOG.log(Level.DEBUG, () -> "a TCP super-segment to " + to + " was not sent: " + e.getMessage());
                return;
            }
        }
        counts.increment(Count.SEGMENTED);
        long size = payload.byteSize();
        for (long offset = 0; offset < size; offset += mss) {
            long piece = Math.min(mss, size - offset);
            boolean last = offset + piece == size;
            int flags = last ? header.flags() : header.flags() & ~(TcpHeader.FIN | TcpHeader.PSH);
            TcpHeader segment = new TcpHeader(header.sourcePort(), header.destinationPort(),
                    header.sequence() + (int) offset, header.acknowledgment(), flags, header.window(),
                    header.urgentPointer(), header.options());
            send(from, to, segment, payload.asSlice(offset, piece));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // After every event.

    /**
     * Does what a core's new state asks of the shell: wakes the flow's threads, keeps one timer at the core's
     * deadline, hands a newly established connection to its listener's handler, and forgets a closed one.
     * Called with the lock held, after every call into a core.
     */
    private void after(Connection c) {
        c.changed.signalAll();
        TcpConnection.State state = c.core.state();
        if (c.inputShut && c.core.readable() > 0) {
            c.core.read(clock.monotonicNanos(), c.discard());
        }
        if (c.listening != null && !c.handedOver && state != TcpConnection.State.SYN_RECEIVED) {
            c.listening.halfOpen.remove(c);
            c.handedOver = true;
            if (state != TcpConnection.State.CLOSED && !c.listening.closed) {
                handOver(c);
            }
        }
        if (state == TcpConnection.State.CLOSED) {
            forget(c);
            return;
        }
        if (c.closed && state == TcpConnection.State.FIN_WAIT_2 && c.orphanedAt == TcpConnection.NONE) {
            c.orphanedAt = clock.monotonicNanos() + ORPHANED_FIN_WAIT_2;
        }
        // One timer per connection, moved only earlier: a later deadline (the retransmission timer restarted by
        // every ACK, the delayed ACK sent early) keeps the timer set, which then fires early, ticks the core for
        // nothing due and is set again. So a stream of segments costs a timer per RTO, not one or two per segment.
        long deadline = Math.min(c.core.deadline(), c.orphanedAt);
        if (deadline < c.timerDeadline) {
            if (c.timer != null) {
                c.timer.cancel();
            }
            c.timerDeadline = deadline;
            c.timer = timers.schedule(deadline, () -> tick(c, deadline));
        }
    }

    /** Takes a connection out of the table and stops its timer. Called with the lock held. */
    private void forget(Connection c) {
        if (connections.remove(c.key, c) && c.timer != null) {
            c.timer.cancel();
            c.timer = null;
        }
    }

    private void tick(Connection c, long deadline) {
        lock.lock();
        try {
            if (c.timerDeadline != deadline || connections.get(c.key) != c) {
                return; // replaced or forgotten while this one was on its way
            }
            c.timer = null;
            c.timerDeadline = TcpConnection.NONE;
            long now = clock.monotonicNanos();
            if (now >= c.orphanedAt && c.core.state() == TcpConnection.State.FIN_WAIT_2) {
                c.core.abort(now); // the peer never closed its side: let go (a RST tells it, if it is still there)
            } else {
                c.core.tick(now);
            }
            after(c);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the listener's handler on a virtual thread of its own: carried by the device's event loop when the
     * segment that established the connection came on one ({@link EventLoop#virtualThreadsHere()}). Called with
     * the lock held.
     */
    private void handOver(Connection c) {
        counts.increment(Count.ACCEPTED);
        TcpFlow flow = new TcpFlow(this, c);
        FlowHandler handler = c.listening.handler;
        EventLoop.virtualThreadsHere().name("tcp " + c.local.port() + " ← " + c.remote).start(() -> {
            try {
                handler.handle(flow);
            } catch (Exception e) {
                counts.increment(Count.HANDLER_FAILED);
                LOG.log(Level.WARNING, () -> "the TCP handler of port " + c.local.port() + " failed on a flow from "
                        + c.remote, e);
            } finally {
                // Closed gracefully even when the handler failed, as on the unix target: what it wrote arrives.
                flow.close();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // What flows call, with the lock.

    ReentrantLock lock() {
        return lock;
    }

    long now() {
        return clock.monotonicNanos();
    }

    /** Reports a core's new state. Called with the lock held. */
    void changed(Connection c) {
        after(c);
    }

    /** The exception a failed connection's flow throws. */
    static NetworkException failure(Connection c, String doing) {
        TcpConnection.Failure failure = c.core.failure().orElseThrow();
        Reason reason = switch (failure) {
            case RESET -> Reason.CONNECTION_RESET;
            case REFUSED -> Reason.CONNECTION_REFUSED;
            case TIMED_OUT -> Reason.TIMED_OUT;
            case UNREACHABLE -> Reason.UNREACHABLE;
        };
        return new NetworkException(reason, doing + ": " + switch (failure) {
            case RESET -> "the peer reset the connection";
            case REFUSED -> "the peer refused the connection";
            case TIMED_OUT -> "the peer stopped answering";
            case UNREACHABLE -> "ICMP says the peer cannot be reached";
        });
    }

    /**
     * Returns one counter.
     *
     * @param count which
     * @return its value now
     */
    public long count(Count count) {
        return counts.get(count);
    }

    /**
     * Returns every counter.
     *
     * @return a snapshot, in the order of {@link Count}
     */
    public Map<Count, Long> counters() {
        return counts.snapshot();
    }

    /**
     * Returns the connections in the table, for tests and diagnostics.
     *
     * @return each connection's local and remote endpoint and state, one string each
     */
    public List<String> connections() {
        lock.lock();
        try {
            List<String> all = new ArrayList<>();
            for (Connection c : connections.values()) {
                all.add(c.local + " " + c.remote + " " + c.core.state());
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The tables' entries.

    /** A connection's 4-tuple, addresses as their bits. */
    private record Key(int localAddress, int localPort, int remoteAddress, int remotePort) {}

    /** A listening port. Its fields are guarded by the layer's lock. */
    private final class Listening implements Listener {
        final Endpoint local;
        final Options options;
        final FlowHandler handler;
        /** Its connections in SYN-RECEIVED, oldest first; at most {@link TcpConfig.Limits#halfOpen()}. */
        final ArrayDeque<Connection> halfOpen = new ArrayDeque<>();
        boolean closed;

        Listening(Endpoint local, Options options, FlowHandler handler) {
            this.local = local;
            this.options = options;
            this.handler = handler;
        }

        @Override
        public Endpoint local() {
            return local;
        }

        /** Stops accepting, and aborts the connections still half-open (Linux resets its SYN queue too). */
        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                listeners.remove(local.port(), this);
                long now = clock.monotonicNanos();
                for (Connection c : List.copyOf(connections.values())) {
                    if (c.listening == this && !c.handedOver) {
                        c.core.abort(now);
                        after(c);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** One connection: its core and what the shell keeps beside it. Guarded by the layer's lock. */
    final class Connection implements TcpConnection.Output {
        final Key key;
        final Endpoint local;
        final Endpoint remote;
        final Options options;
        /** The listener that accepted it; null for a connection this host opened. */
        final Listening listening;
        /** Signalled after every event: the flow's threads recheck what they wait for. */
        final Condition changed = lock.newCondition();
        TcpConnection core;
        Timers.Timer timer;
        long timerDeadline = TcpConnection.NONE;
        boolean handedOver;
        /** The application closed its flow, or the stack stopped: every later call fails with CLOSED. */
        boolean closed;
        boolean inputShut;
        boolean outputShut;
        /** When a connection the application closed gives up waiting in FIN-WAIT-2; NONE until it waits there. */
        long orphanedAt = TcpConnection.NONE;
        private MemorySegment discard;

        Connection(Endpoint local, Endpoint remote, Options options, Listening listening) {
            this.key = new Key(local.address().bits(), local.port(), remote.address().bits(), remote.port());
            this.local = local;
            this.remote = remote;
            this.options = options;
            this.listening = listening;
        }

        @Override
        public void send(TcpHeader header, MemorySegment payload) {
            // The core is null only while connect or accept makes it, which sends a SYN without data.
            if (payload.byteSize() > 0 && payload.byteSize() > core.sendMss()) {
                sendSegments(local.address(), remote.address(), header, payload, core.sendMss());
            } else {
                TcpLayer.this.send(local.address(), remote.address(), header, payload);
            }
        }

        /** Where data read after {@code shutdownInput} goes. */
        MemorySegment discard() {
            if (discard == null) {
                discard = MemorySegment.ofArray(new byte[8192]);
            }
            return discard;
        }

        /**
         * Parks until something changes or the stack's clock reaches {@code deadline}; a timer on the stack's
         * timers wakes it then, so that timeouts run on the same clock as the protocol (a virtual one in tests).
         *
         * @param deadline in {@link Clock#monotonicNanos()} time; {@link TcpConnection#NONE} for none
         * @return false when the deadline has passed
         */
        boolean await(long deadline) throws InterruptedException {
            if (deadline == TcpConnection.NONE) {
                changed.await();
                return true;
            }
            if (clock.monotonicNanos() >= deadline) {
                return false;
            }
            Timers.Timer wake = timers.schedule(deadline, this::wake);
            try {
                changed.await();
            } finally {
                wake.cancel();
            }
            return clock.monotonicNanos() < deadline;
        }

        private void wake() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The deadline of a wait of {@code timeout} from now, on the stack's clock; {@link TcpConnection#NONE} for none. */
    long deadline(Optional<Duration> timeout) {
        return timeout.map(t -> clock.monotonicNanos() + t.toNanos()).orElse(TcpConnection.NONE);
    }
}

package dev.morgana.net.tcpip.ipv4;

import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.tcpip.Ipv4Config;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * IPv4 (RFC 791, with the host requirements of RFC 1122 §3.2 and §3.3) over {@link Ethernet}, with
 * {@link Arp} for the next hop.
 *
 * <p><b>Receive.</b> Every datagram is checked ({@link Ipv4Packet#problem}: length, version, header length,
 * total length against the frame, with trailing Ethernet padding left out, checksum, fragment bounds) and kept
 * only when it is for us: our address, the limited broadcast, our network's directed broadcast, or the
 * all-hosts group 224.0.0.1; while unconfigured (0.0.0.0, waiting for DHCP), any address. Datagrams from a
 * source no host can have (broadcast, multicast, loopback) are dropped (RFC 1122 §3.2.1.3), and so are
 * unicast datagrams that came in a link-layer broadcast (§3.3.6). Options are skipped. Fragments go to
 * {@link Reassembly}, whose bounds are the configured {@link Ipv4Config.Limits}; a whole datagram goes to the
 * handler registered for its protocol as a slice of the frame. Every drop is counted by reason.
 *
 * <p><b>Send.</b> The limited and directed broadcasts go to the Ethernet broadcast, multicast to its RFC 1112
 * group MAC, the on-link network to the destination's MAC and everything else to the gateway's, both from
 * {@link Arp}. A datagram that fits the MTU and whose next hop is in ARP's cache is written in place, with no
 * copy: the payload's fill writes into Ethernet's buffer. A larger one is fragmented (unless the caller asked
 * for DF, which fails with {@code MESSAGE_TOO_LARGE}); one whose next hop must still be resolved is copied and
 * waits, up to {@code waitingForArp} datagrams, for the resolution, which sends or drops them all. Every
 * datagram gets its own identification.
 *
 * <p><b>Threads.</b> As {@code ArpLayer}, until the stack has its event loop: the receive path runs on the
 * device's receive thread and takes the lock only for fragments; writes may come from any thread; the
 * reassembly core, the datagrams waiting on ARP and the reassembly timer are guarded by one lock, and handlers
 * and sends run with it released. Counters of the receive path are plain fields written by the receive thread
 * only (a reader elsewhere sees a recent value), the others atomic or guarded.
 *
 * <p><b>Allocation.</b> A whole datagram for our address from a recent source, to a registered protocol,
 * allocates nothing here but the payload slice: addresses are handed out as instances the layer holds.
 */
public final class Ipv4Layer implements Ipv4, Ipv4Addressing, Service {

    private static final System.Logger LOG = System.getLogger(Ipv4Layer.class.getName());
    private static final Ipv4Address ALL_HOSTS = Ipv4Address.of(224, 0, 0, 1);
    private static final int SOURCES = 64;
    private static final int MAX_PAYLOAD = Ipv4Packet.MAX_LENGTH - Ipv4Packet.HEADER;
    private static final DatagramHandler[] NO_HANDLERS = new DatagramHandler[256];

    private final Ethernet ethernet;
    private final Arp arp;
    private final Clock clock;
    private final Timers timers;
    private final int ttl;
    private final Ipv4Config.Limits limits;
    private final AtomicInteger identification;
    private volatile Addressing addressing;
    private volatile DatagramHandler[] handlers = NO_HANDLERS;
    private final Ipv4Address[] sources = new Ipv4Address[SOURCES]; // receive thread only

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final Reassembly reassembly;
    private Timers.Timer expiry;
    private final Map<Ipv4Address, ArrayDeque<byte[][]>> waiting = new HashMap<>();
    private int waitingCount;
    private boolean started;
    private boolean stopped;
    private long arpFailed;
    private long arpQueueFull;

    // Written by the receive thread only.
    private long received;
    private long delivered;
    private final long[] malformed = new long[6];
    private long notForUs;
    private long linkBroadcast;
    private long badSource;
    private long noHandler;
    private long fragments;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong fragmentsSent = new AtomicLong();
    private final AtomicLong noRoute = new AtomicLong();
    private final AtomicLong tooLarge = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();

    /** One addressing, replaced whole, so that both paths read it without the lock. */
    private record Addressing(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway,
            Ipv4Address directedBroadcast) {

        static Addressing of(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway) {
            Ipv4Address directed = !address.isUnspecified() && network.length() < 31 ? network.broadcast() : null;
            return new Addressing(address, network, gateway, directed);
        }

        boolean configured() {
            return !address.isUnspecified();
        }
    }

    /**
     * The layer's counters. Each received packet is counted in {@code received} and then in exactly one of:
     * {@code delivered} (whole datagrams), one of the five malformed counters, {@code notForUs},
     * {@code linkBroadcast}, {@code badSource}, {@code noHandler} or {@code fragments} (whose fate the
     * reassembly counters tell).
     *
     * @param received packets Ethernet handed up
     * @param delivered whole datagrams handed to a handler, reassembled ones included
     * @param truncated packets shorter than their header or total length
     * @param badVersion packets whose version is not 4
     * @param badLength packets with an IHL below 5 or a total length below the header's
     * @param badChecksum packets whose header checksum does not add up
     * @param badFragment fragments beyond 65,535 bytes, or non-final ones not a multiple of 8 bytes
     * @param notForUs datagrams for another address
     * @param linkBroadcast unicast datagrams that came in a link-layer broadcast or multicast frame
     * @param badSource datagrams from a broadcast, multicast or loopback source
     * @param noHandler datagrams (or fragments) of a protocol nobody registered for
     * @param fragments fragments taken to reassembly
     * @param reassembly what reassembly did with them
     * @param sent datagrams that {@code write} took: handed to Ethernet (in one packet or several), queued on
     *     ARP, or dropped as {@code arpQueueFull}
     * @param fragmentsSent packets written that were fragments
     * @param noRoute writes refused: no route, loopback, or no address yet
     * @param tooLarge writes refused: larger than the MTU with DF set
     * @param queued datagrams that had to wait for ARP
     * @param arpQueueFull datagrams dropped because too many waited for ARP already
     * @param arpFailed datagrams dropped because their next hop did not resolve (or the layer stopped)
     * @param sendFailures packets Ethernet refused
     * @param waiting datagrams waiting for ARP now
     * @param reassemblyBytes payload bytes held by reassembly now
     * @param reassemblyDatagrams incomplete datagrams now
     */
    public record Counters(long received, long delivered, long truncated, long badVersion, long badLength,
            long badChecksum, long badFragment, long notForUs, long linkBroadcast, long badSource, long noHandler,
            long fragments, Reassembly.Counters reassembly, long sent, long fragmentsSent, long noRoute, long tooLarge,
            long queued, long arpQueueFull, long arpFailed, long sendFailures, int waiting, int reassemblyBytes,
            int reassemblyDatagrams) {}

    /**
     * Creates the layer; it receives once started.
     *
     * @param ethernet the link
     * @param arp resolves next hops
     * @param clock where reassembly's time comes from
     * @param timers where reassembly's timeout is scheduled
     * @param config addressing, TTL and bounds
     */
    @Inject
    public Ipv4Layer(Ethernet ethernet, Arp arp, Clock clock, Timers timers, Ipv4Config config) {
        this.ethernet = ethernet;
        this.arp = arp;
        this.clock = clock;
        this.timers = timers;
        this.ttl = config.ttl();
        this.limits = config.limits();
        this.addressing = Addressing.of(config.address(), config.network(), config.gateway());
        this.reassembly = new Reassembly(limits.reassemblyBytes(), limits.fragmentsPerDatagram(),
                limits.datagramsInFlight(), limits.reassemblyTimeout().toNanos());
        // RFC 6864 asks only that an identification not repeat within a datagram's lifetime for the same
        // source, destination and protocol; a counter does that. It starts where the clock says so that a
        // restarted host does not begin where its last life did.
        long mixed = clock.monotonicNanos() * 0x9E3779B97F4A7C15L;
        this.identification = new AtomicInteger((int) (mixed >>> 48));
    }

    @Override
    public void start() {
        Addressing current;
        lock.lock();
        try {
            started = true;
            current = addressing;
        } finally {
            lock.unlock();
        }
        ethernet.register(Ethernet.IPV4, this::payload);
        if (current.configured()) {
            arp.addAddress(current.address());
        }
    }

    @Override
    public void stop() {
        ethernet.register(Ethernet.IPV4, (source, destination, payload) -> {});
        Addressing current;
        lock.lock();
        try {
            stopped = true;
            if (expiry != null) {
                expiry.cancel();
                expiry = null;
            }
            reassembly.clear();
            for (ArrayDeque<byte[][]> datagrams : waiting.values()) {
                arpFailed += datagrams.size();
            }
            waiting.clear();
            waitingCount = 0;
            current = addressing;
        } finally {
            lock.unlock();
        }
        if (current.configured()) {
            arp.removeAddress(current.address());
        }
    }

    @Override
    public Ipv4Address address() {
        return addressing.address();
    }

    @Override
    public Ipv4Prefix network() {
        return addressing.network();
    }

    @Override
    public int mtu() {
        return ethernet.mtu() - Ipv4Packet.HEADER;
    }

    @Override
    public synchronized void register(int protocol, DatagramHandler handler) {
        checkProtocol(protocol);
        DatagramHandler[] next = handlers.clone();
        next[protocol] = Objects.requireNonNull(handler, "handler");
        handlers = next;
    }

    private static void checkProtocol(int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("a protocol number is 0–255, got " + protocol);
        }
    }

    // ---------------------------------------------------------------- addressing (the DHCP hook)

    @Override
    public void assign(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway) {
        Ipv4Config.checkAddressing(address, network, gateway);
        readdress(Addressing.of(address, network, gateway));
    }

    @Override
    public void unassign() {
        readdress(Addressing.of(Ipv4Address.ANY, new Ipv4Prefix(Ipv4Address.ANY, 0), Optional.empty()));
    }

    private void readdress(Addressing next) {
        Addressing previous;
        boolean live;
        lock.lock();
        try {
            previous = addressing;
            addressing = next;
            live = started && !stopped;
        } finally {
            lock.unlock();
        }
        if (!live || previous.address().equals(next.address())) {
            return;
        }
        if (previous.configured()) {
            arp.removeAddress(previous.address());
        }
        if (next.configured()) {
            arp.addAddress(next.address());
        }
    }

    // ---------------------------------------------------------------- receive

    /**
     * Handles one IPv4 packet from Ethernet.
     *
     * @param sourceMac the frame's source
     * @param destinationMac the frame's destination: ours, broadcast or a group
     * @param packet the Ethernet payload, perhaps padded
     */
    void payload(MacAddress sourceMac, MacAddress destinationMac, MemorySegment packet) {
        // Kept small, the rare cases in methods of their own: this method must stay under C2's inlining limit
        // (325 bytes of bytecode) so that it inlines into Ethernet's dispatch, where the frame's slice is made;
        // otherwise that slice escapes and every datagram costs 40 bytes (see RESULTS.md).
        received++;
        int problem = Ipv4Packet.problem(packet);
        if (problem != Ipv4Packet.OK) {
            malformed[problem]++;
            return;
        }
        Addressing current = addressing;
        Ipv4Address destination = accepted(current, Ipv4Packet.destination(packet));
        if (destination == null) {
            notForUs++;
            return;
        }
        int sourceBits = Ipv4Packet.source(packet);
        if (refused(current, destinationMac, destination, sourceBits)) {
            return;
        }
        DatagramHandler handler = handlers[Ipv4Packet.protocol(packet)];
        if (handler == null) {
            noHandler++;
            return;
        }
        MemorySegment payload = Ipv4Packet.isFragment(packet) ? reassembled(packet, sourceBits)
                : Ipv4Packet.payload(packet);
        if (payload != null) {
            delivered++;
            handler.datagram(source(sourceBits), destination, payload);
        }
    }

    /**
     * Counts and refuses a unicast datagram that came in a link-layer broadcast (RFC 1122 §3.3.6: such a
     * frame must carry an IP broadcast or multicast) and one from a source no host can have (§3.2.1.3).
     */
    private boolean refused(Addressing current, MacAddress destinationMac, Ipv4Address destination, int sourceBits) {
        if (destinationMac.isMulticast() && destination == current.address() && current.configured()) {
            linkBroadcast++;
            return true;
        }
        if (sourceBits == -1 || sourceBits >>> 28 == 0xE || sourceBits >>> 24 == 127
                || current.directedBroadcast() != null && sourceBits == current.directedBroadcast().bits()) {
            badSource++;
            return true;
        }
        return false;
    }

    /** Hands a fragment to reassembly; the whole payload, read-only, once it completes a datagram. */
    private MemorySegment reassembled(MemorySegment packet, int sourceBits) {
        fragments++;
        MemorySegment payload;
        lock.lock();
        try {
            if (stopped) {
                return null;
            }
            payload = reassembly.fragment(clock.monotonicNanos(), sourceBits, Ipv4Packet.destination(packet),
                    Ipv4Packet.protocol(packet), Ipv4Packet.identification(packet), Ipv4Packet.fragmentOffset(packet),
                    (Ipv4Packet.flagsAndOffset(packet) & Ipv4Packet.MORE_FRAGMENTS) != 0, Ipv4Packet.payload(packet));
            scheduleExpiry();
        } finally {
            lock.unlock();
        }
        return payload == null ? null : payload.asReadOnly();
    }

    /** The destination as an instance we hold when it is for us; {@code null} otherwise. */
    private static Ipv4Address accepted(Addressing current, int bits) {
        if (bits == current.address().bits() && current.configured()) {
            return current.address();
        }
        if (bits == -1) {
            return Ipv4Address.BROADCAST;
        }
        if (current.directedBroadcast() != null && bits == current.directedBroadcast().bits()) {
            return current.directedBroadcast();
        }
        if (bits == ALL_HOSTS.bits()) {
            return ALL_HOSTS;
        }
        if (!current.configured() && bits >>> 28 != 0xE) {
            // RFC 2131 §4.1: an offer may be unicast to the address offered, before we have it.
            return new Ipv4Address(bits);
        }
        return null;
    }

    private Ipv4Address source(int bits) {
        int slot = (bits ^ bits >>> 7 ^ bits >>> 17) & (SOURCES - 1);
        Ipv4Address cached = sources[slot];
        if (cached == null || cached.bits() != bits) {
            cached = new Ipv4Address(bits);
            sources[slot] = cached;
        }
        return cached;
    }

    /** Keeps one timer at reassembly's earliest deadline. Called with the lock held. */
    private void scheduleExpiry() {
        long deadline = reassembly.deadline();
        if (expiry == null && deadline != Long.MAX_VALUE && !stopped) {
            expiry = timers.schedule(deadline, this::expire);
        }
    }

    private void expire() {
        lock.lock();
        try {
            expiry = null;
            if (stopped) {
                return;
            }
            reassembly.expire(clock.monotonicNanos());
            scheduleExpiry();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- send

    @Override
    public void write(Ipv4Address destination, int protocol, int size, Fill fill) throws NetworkException {
        write(destination, protocol, size, fill, false);
    }

    /**
     * Sends one datagram as {@link #write(Ipv4Address, int, int, Fill)} does, optionally with DF set: for TCP
     * in this module, which will want path MTU discovery (RFC 1191).
     *
     * @param destination where to send it
     * @param protocol the protocol number, 0–255
     * @param size the largest payload {@code fill} may write, at most 65,515
     * @param fill writes the payload and returns its actual length
     * @param dontFragment whether to set DF; a payload larger than {@link #mtu()} then fails
     * @throws NetworkException {@code UNREACHABLE} (no route, or the next hop did not resolve at once),
     *     {@code MESSAGE_TOO_LARGE} (DF and larger than the MTU), {@code CLOSED}, and as Ethernet does
     */
    public void write(Ipv4Address destination, int protocol, int size, Fill fill, boolean dontFragment)
            throws NetworkException {
        checkProtocol(protocol);
        if (size < 0 || size > MAX_PAYLOAD) {
            throw new IllegalArgumentException("an IPv4 payload is 0–65515 bytes, got " + size);
        }
        Objects.requireNonNull(fill, "fill");
        Addressing current = addressing;
        MacAddress mac = linkDestination(current, destination);
        Ipv4Address nextHop = mac == null ? nextHop(current, destination) : null;
        if (mac == null) {
            mac = arp.lookup(nextHop).orElse(null);
        }
        int room = ethernet.mtu() - Ipv4Packet.HEADER;
        int id = identification.getAndIncrement() & 0xFFFF;
        int source = current.address().bits();
        int flags = dontFragment ? Ipv4Packet.DONT_FRAGMENT : 0;
        if (mac != null && size <= room) {
            // The common case: no copy, the caller's fill writes into Ethernet's buffer behind our header.
            ethernet.write(mac, Ethernet.IPV4, Ipv4Packet.HEADER + size, buffer -> {
                int written = fill.into(buffer.asSlice(Ipv4Packet.HEADER, size));
                checkWritten(written, size);
                Ipv4Packet.putHeader(buffer, 0, Ipv4Packet.HEADER + written, id, flags, ttl, protocol, source,
                        destination.bits());
                return Ipv4Packet.HEADER + written;
            });
            sent.incrementAndGet();
            return;
        }
        byte[] payload = new byte[size];
        int length = fill.into(MemorySegment.ofArray(payload));
        checkWritten(length, size);
        if (length > room && dontFragment) {
            tooLarge.incrementAndGet();
            throw new NetworkException(NetworkException.Reason.MESSAGE_TOO_LARGE, "a payload of " + length
                    + " bytes exceeds the MTU's " + room + " and DF is set");
        }
        byte[][] packets = packets(payload, length, room, id, flags, protocol, source, destination.bits());
        sent.incrementAndGet();
        if (mac != null) {
            send(mac, packets);
        } else {
            await(nextHop, packets);
        }
    }

    /** The link's limit less our header; 0 when the link does not segment TCP. */
    @Override
    public int tcpSegmentationLimit() {
        int limit = ethernet.tcpSegmentationLimit();
        return limit <= Ipv4Packet.HEADER ? 0 : Math.min(limit, Ipv4Packet.MAX_LENGTH) - Ipv4Packet.HEADER;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only to a unicast destination whose next hop is in ARP's cache; otherwise {@code UNREACHABLE} at once,
     * with nothing queued, and the caller falls back on {@link #write}, which asks ARP and waits. The datagram
     * gets one identification: the device numbers the segments' from it.
     */
    @Override
    public void writeTcpSegments(Ipv4Address destination, int size, int segmentSize, Fill fill)
            throws NetworkException {
        int limit = tcpSegmentationLimit();
        if (limit == 0) {
            throw new UnsupportedOperationException("the link below does not segment TCP");
        }
        if (size < 0 || size > limit || segmentSize <= 0) {
            throw new IllegalArgumentException("a TCP super-segment is 0–" + limit + " bytes in segments of a positive "
                    + "size, got " + size + " in segments of " + segmentSize);
        }
        Objects.requireNonNull(fill, "fill");
        Addressing current = addressing;
        if (linkDestination(current, destination) != null) {
            throw new IllegalArgumentException("TCP goes to unicast addresses only, not " + destination);
        }
        Ipv4Address nextHop = nextHop(current, destination);
        MacAddress mac = arp.lookup(nextHop).orElse(null);
        if (mac == null) {
            throw new NetworkException(NetworkException.Reason.UNREACHABLE, "the next hop " + nextHop
                    + " is not resolved yet: no offload before it is");
        }
        int id = identification.getAndIncrement() & 0xFFFF;
        int source = current.address().bits();
        ethernet.writeTcpSegments(mac, Ipv4Packet.HEADER + size, segmentSize, buffer -> {
            int written = fill.into(buffer.asSlice(Ipv4Packet.HEADER, size));
            checkWritten(written, size);
            Ipv4Packet.putHeader(buffer, 0, Ipv4Packet.HEADER + written, id, Ipv4Packet.DONT_FRAGMENT, ttl, Ipv4.TCP,
                    source, destination.bits());
            return Ipv4Packet.HEADER + written;
        });
        sent.incrementAndGet();
    }

    private static void checkWritten(int written, int size) {
        if (written < 0 || written > size) {
            throw new IllegalStateException("the fill wrote " + written + " bytes into room for " + size);
        }
    }

    /** The MAC of a destination that needs no ARP (broadcast, multicast); {@code null} for a unicast one. */
    private static MacAddress linkDestination(Addressing current, Ipv4Address destination) {
        if (destination.isBroadcast()
                || current.directedBroadcast() != null && destination.equals(current.directedBroadcast())) {
            return MacAddress.BROADCAST;
        }
        if (destination.isMulticast()) {
            return new MacAddress(0x01_00_5E_00_00_00L | destination.bits() & 0x7F_FFFF); // RFC 1112 §6.4
        }
        return null;
    }

    /** The on-link destination itself or the gateway; UNREACHABLE when neither will do. */
    private Ipv4Address nextHop(Addressing current, Ipv4Address destination) throws NetworkException {
        String why;
        if (destination.isLoopback() || destination.isUnspecified()) {
            why = destination + " is never sent on a link (RFC 1122 §3.2.1.3)";
        } else if (!current.configured()) {
            why = "no address yet: only broadcasts can be sent";
        } else if (destination.equals(current.address())) {
            why = "sending to our own address is not supported";
        } else if (current.network().contains(destination)) {
            return destination;
        } else if (current.gateway().isPresent()) {
            return current.gateway().get();
        } else {
            why = "no route to " + destination + ": not in " + current.network() + " and no gateway";
        }
        noRoute.incrementAndGet();
        throw new NetworkException(NetworkException.Reason.UNREACHABLE, why);
    }

    /** The packets of one datagram: itself, or its fragments (RFC 791 §3.2, "An Example Fragmentation Procedure"). */
    private byte[][] packets(byte[] payload, int length, int room, int id, int flags, int protocol, int source,
            int destination) {
        int step = length <= room ? length : room & ~7;
        int count = length == 0 ? 1 : (length + step - 1) / step;
        byte[][] packets = new byte[count][];
        for (int i = 0, offset = 0; i < count; i++, offset += step) {
            int piece = Math.min(step, length - offset);
            boolean more = i < count - 1;
            byte[] packet = new byte[Ipv4Packet.HEADER + piece];
            MemorySegment segment = MemorySegment.ofArray(packet);
            Ipv4Packet.putHeader(segment, 0, packet.length, id,
                    flags | (more ? Ipv4Packet.MORE_FRAGMENTS : 0) | offset / 8, ttl, protocol, source, destination);
            System.arraycopy(payload, offset, packet, Ipv4Packet.HEADER, piece);
            packets[i] = packet;
        }
        return packets;
    }

    private void send(MacAddress mac, byte[][] packets) throws NetworkException {
        for (byte[] packet : packets) {
            ethernet.write(mac, Ethernet.IPV4, packet.length, Fill.copyOf(MemorySegment.ofArray(packet)));
        }
        if (packets.length > 1) {
            fragmentsSent.addAndGet(packets.length);
        }
    }

    /** Queues a datagram on its next hop's resolution, asking ARP if nobody has yet. */
    private void await(Ipv4Address nextHop, byte[][] packets) throws NetworkException {
        boolean ask;
        lock.lock();
        try {
            if (stopped) {
                throw new NetworkException(NetworkException.Reason.CLOSED, "IPv4 has stopped");
            }
            if (waitingCount >= limits.waitingForArp()) {
                arpQueueFull++;
                return; // dropped, as a full ARP queue drops in Linux: the sender learns of it from its peer
            }
            ArrayDeque<byte[][]> queue = waiting.get(nextHop);
            ask = queue == null;
            if (ask) {
                queue = new ArrayDeque<>();
                waiting.put(nextHop, queue);
            }
            queue.add(packets);
            waitingCount++;
        } finally {
            lock.unlock();
        }
        queued.incrementAndGet();
        if (ask) {
            Resolution resolution = new Resolution(nextHop);
            arp.resolve(nextHop, resolution);
            resolution.returned = true;
            if (resolution.refusedAtOnce != null) {
                throw new NetworkException(NetworkException.Reason.UNREACHABLE, "the next hop " + nextHop
                        + " did not resolve: " + resolution.refusedAtOnce.getMessage(), resolution.refusedAtOnce);
            }
        }
    }

    /** Sends or drops the datagrams waiting on one next hop. */
    private final class Resolution implements Arp.Resolution {
        private final Ipv4Address nextHop;
        private final Thread asker = Thread.currentThread();
        private volatile boolean returned;
        NetworkException refusedAtOnce;

        Resolution(Ipv4Address nextHop) {
            this.nextHop = nextHop;
        }

        private List<byte[][]> take() {
            lock.lock();
            try {
                ArrayDeque<byte[][]> queue = waiting.remove(nextHop);
                if (queue == null) {
                    return List.of();
                }
                waitingCount -= queue.size();
                return new ArrayList<>(queue);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void resolved(MacAddress mac) {
            returned = true;
            for (byte[][] packets : take()) {
                try {
                    send(mac, packets);
                } catch (NetworkException e) {
                    sendFailures.incrementAndGet();
                    LOG.log(Level.DEBUG, () -> "IPv4 could not send to " + nextHop + ": " + e.getMessage());
                }
            }
        }

        @Override
        public void failed(NetworkException error) {
            List<byte[][]> dropped = take();
            lock.lock();
            try {
                arpFailed += dropped.size();
            } finally {
                lock.unlock();
            }
            if (!returned && Thread.currentThread() == asker) {
                refusedAtOnce = error; // inside arp.resolve: the writer hears of it
            }
            returned = true;
            LOG.log(Level.DEBUG, () -> "IPv4 dropped " + dropped.size() + " datagrams for " + nextHop + ": "
                    + error.getMessage());
        }
    }

    /**
     * Returns the counters. Read from another thread than the receive thread, the receive counters may lag a
     * few packets behind.
     *
     * @return a snapshot
     */
    public Counters counters() {
        lock.lock();
        try {
            return new Counters(received, delivered, malformed[Ipv4Packet.TRUNCATED], malformed[Ipv4Packet.BAD_VERSION],
                    malformed[Ipv4Packet.BAD_LENGTH], malformed[Ipv4Packet.BAD_CHECKSUM],
                    malformed[Ipv4Packet.BAD_FRAGMENT], notForUs, linkBroadcast, badSource, noHandler, fragments,
                    reassembly.counters(), sent.get(), fragmentsSent.get(), noRoute.get(), tooLarge.get(),
                    queued.get(), arpQueueFull, arpFailed, sendFailures.get(), waitingCount, reassembly.bytesHeld(),
                    reassembly.datagramsInFlight());
        } finally {
            lock.unlock();
        }
    }
}

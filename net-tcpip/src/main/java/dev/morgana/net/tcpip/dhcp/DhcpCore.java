package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A DHCP client (RFC 2131 §4.4, figure 5) as a state machine that does no I/O: each event ({@link #start},
 * {@link #received}, {@link #timer}, {@link #conflict}, {@link #stop}) takes the monotonic time {@code now}
 * in nanoseconds and returns the {@link Actions} the caller performs — messages to send from UDP port 68 to
 * port 67, lease events to apply to IPv4 — and the next deadline at which to call {@link #timer}. It reads no
 * clock and starts no thread; its randomness (transaction identifiers, the ±1 s of every backoff, the start
 * delay) comes from the generator it is given, so a seeded generator makes it deterministic. Not
 * thread-safe: one caller at a time.
 *
 * <p>The states are those of RFC 2131 figure 5, each a record carrying what it needs: {@link Idle} (before
 * {@link #start}, after {@link #stop}), {@link Init}, {@link Selecting}, {@link Requesting},
 * {@link Rebooting} (INIT-REBOOT sends its request at once, so it has no state of its own), {@link Bound},
 * {@link Renewing} and {@link Rebinding}. The client takes the first acceptable OFFER (RFC 2131 §4.4.1 lets
 * it), and asks servers to broadcast their replies until it is bound, because IPv4 has no address to
 * receive a unicast reply on before then.
 */
public final class DhcpCore {

    static final long SECOND = 1_000_000_000L;
    /** RFC 2131 §4.1: the first retransmission after 4 s, doubling… */
    static final long FIRST_BACKOFF = 4 * SECOND;
    /** … up to 64 s. */
    static final long MAX_BACKOFF = 64 * SECOND;
    /** … each randomised by a uniform ±1 s. */
    static final long JITTER = SECOND;
    /** RFC 2131 §4.4.5: at least 60 s between retransmissions in RENEWING and REBINDING. */
    static final long MIN_RENEWAL_RETRANSMIT = 60 * SECOND;
    /**
     * REQUESTs sent in REQUESTING or REBOOTING before the client gives up and restarts from INIT (RFC 2131
     * §3.1 step 5 and §3.2 step 5 leave the count open): 4 + 8 + 16 + 32 s, about a minute, as for a DISCOVER
     * that is never answered.
     */
    static final int REQUEST_ATTEMPTS = 4;
    /** RFC 2131 §4.4.1: the desynchronising wait before the first DISCOVER is random in 1–10 s. */
    static final long MIN_START_DELAY = SECOND;
    /** See {@link #MIN_START_DELAY}. */
    static final long MAX_START_DELAY = 10 * SECOND;
    /** RFC 2131 §3.1 step 5: after a DECLINE, wait at least 10 s before restarting. */
    static final long DECLINE_WAIT = 10 * SECOND;
    /** The options a client asks for: what {@link DhcpLease} holds. */
    static final List<Integer> PARAMETERS = List.of(DhcpOption.SUBNET_MASK, DhcpOption.ROUTER,
            DhcpOption.DNS_SERVER, DhcpOption.INTERFACE_MTU, DhcpOption.LEASE_TIME, DhcpOption.RENEWAL_TIME,
            DhcpOption.REBINDING_TIME);

    private final MacAddress mac;
    private final DhcpOption.ClientIdentifier clientId;
    private final DhcpOption.MaxMessageSize maxMessageSize;
    private final RandomGenerator random;
    private State state = new Idle();
    private long ignored;

    /** Where the client is in RFC 2131 figure 5. */
    public sealed interface State {}

    /** Not started, or stopped. */
    public record Idle() implements State {}

    /**
     * INIT: waiting to send the first DISCOVER.
     *
     * @param discoverAt when to send it
     */
    public record Init(long discoverAt) implements State {}

    /**
     * SELECTING: a DISCOVER is out, waiting for an OFFER.
     *
     * @param xid the exchange's transaction identifier
     * @param started when the first DISCOVER was sent
     * @param sent DISCOVERs sent
     * @param retransmitAt when to send the next
     */
    public record Selecting(int xid, long started, int sent, long retransmitAt) implements State {}

    /**
     * REQUESTING: a REQUEST for an offer is out, waiting for the ACK.
     *
     * @param xid the offer's transaction identifier, the DISCOVER's
     * @param started when the first DISCOVER was sent
     * @param address the address offered
     * @param server the offering server's identifier
     * @param requested when the first REQUEST was sent: the lease counts from then
     * @param sent REQUESTs sent
     * @param retransmitAt when to send the next, or give up
     */
    public record Requesting(int xid, long started, Ipv4Address address, Ipv4Address server, long requested, int sent,
            long retransmitAt) implements State {}

    /**
     * REBOOTING: a REQUEST to confirm a previous address is out (RFC 2131 §3.2, INIT-REBOOT).
     *
     * @param xid the exchange's transaction identifier
     * @param address the address asked for
     * @param requested when the first REQUEST was sent
     * @param sent REQUESTs sent
     * @param retransmitAt when to send the next, or give up
     */
    public record Rebooting(int xid, Ipv4Address address, long requested, int sent, long retransmitAt)
            implements State {}

    /**
     * BOUND: the lease is in use.
     *
     * @param lease the lease
     */
    public record Bound(DhcpLease lease) implements State {}

    /**
     * RENEWING: past T1, asking the lease's server by unicast to extend it.
     *
     * @param lease the lease, still in use
     * @param xid the exchange's transaction identifier
     * @param started when the first renewal REQUEST was sent: a renewed lease counts from then
     * @param retransmitAt when to send the next
     */
    public record Renewing(DhcpLease lease, int xid, long started, long retransmitAt) implements State {}

    /**
     * REBINDING: past T2, asking any server by broadcast to extend the lease.
     *
     * @param lease the lease, still in use
     * @param xid the exchange's transaction identifier
     * @param started when the first rebinding REQUEST was sent
     * @param retransmitAt when to send the next
     */
    public record Rebinding(DhcpLease lease, int xid, long started, long retransmitAt) implements State {}

    /**
     * A message to send from UDP port 68 to port 67.
     *
     * @param message the message
     * @param source the IPv4 source: 0.0.0.0 until bound, then the lease's address
     * @param destination 255.255.255.255, or the server's address when renewing or releasing
     */
    public record Transmit(DhcpMessage message, Ipv4Address source, Ipv4Address destination) {}

    /** What happened to the lease: the caller configures IPv4 accordingly. */
    public sealed interface LeaseEvent {

        /**
         * Returns the lease concerned.
         *
         * @return the new lease, or the one given up
         */
        DhcpLease lease();
    }

    /**
     * A new lease, for an address that was not in use: configure IPv4 with it (after an ARP probe, if the
     * caller makes one: a conflict is reported with {@link #conflict}).
     *
     * @param lease the lease
     */
    public record Acquired(DhcpLease lease) implements LeaseEvent {}

    /**
     * The lease was extended; the address is the same, the other options may have changed.
     *
     * @param lease the new lease
     */
    public record Renewed(DhcpLease lease) implements LeaseEvent {}

    /**
     * The address must no longer be used: remove it from IPv4.
     *
     * @param lease the lease given up
     * @param reason why
     */
    public record Lost(DhcpLease lease, Reason reason) implements LeaseEvent {}

    /** Why a lease was lost. */
    public enum Reason {
        /** A server refused to extend it (RFC 2131 §4.4.5). */
        NAK,
        /** It expired with no answer from any server (RFC 2131 §4.4.5). */
        EXPIRED,
        /** The caller found the address in use; a DECLINE was sent (RFC 2131 §4.4.1). */
        DECLINED,
        /** The client stopped; a RELEASE was sent (RFC 2131 §4.4.6). */
        RELEASED
    }

    /**
     * What the caller does after an event: apply the lease events and send the messages, each from the
     * {@link Transmit#source} it names — so the events first (a DISCOVER after an expiry, or a DECLINE, leaves
     * from 0.0.0.0), except that a RELEASE leaves from the address before its {@link Reason#RELEASED} loss
     * removes it; and call {@link #timer} at the deadline.
     *
     * @param transmits messages to send
     * @param events lease events
     * @param deadline the next monotonic time to call {@link #timer}, {@link Long#MAX_VALUE} for none
     */
    public record Actions(List<Transmit> transmits, List<LeaseEvent> events, long deadline) {}

    /** Collects one event's actions. */
    private final class Out {
        final List<Transmit> transmits = new ArrayList<>(1);
        final List<LeaseEvent> events = new ArrayList<>(1);

        void send(DhcpMessage message, Ipv4Address source, Ipv4Address destination) {
            transmits.add(new Transmit(message, source, destination));
        }

        Actions done() {
            return new Actions(List.copyOf(transmits), List.copyOf(events), deadline());
        }
    }

    /**
     * Creates the client, in {@link Idle}.
     *
     * @param mac the interface's MAC: {@code chaddr}, and the client identifier (type 1 and the MAC)
     * @param maxMessageSize the longest DHCP message, IP and UDP headers included, the caller can receive
     *     (option 57); at least 576
     * @param random the source of transaction identifiers and jitter
     * @throws IllegalArgumentException when {@code maxMessageSize} is below 576 or above 65535
     */
    public DhcpCore(MacAddress mac, int maxMessageSize, RandomGenerator random) {
        this.mac = mac;
        this.clientId = DhcpOption.ClientIdentifier.ofMac(mac);
        this.maxMessageSize = new DhcpOption.MaxMessageSize(maxMessageSize);
        this.random = random;
    }

    /**
     * Starts from INIT: the first DISCOVER goes after a random 1–10 s (RFC 2131 §4.4.1).
     *
     * @param now the monotonic time
     * @return what to do
     * @throws IllegalStateException unless {@link Idle}
     */
    public Actions start(long now) {
        requireIdle();
        Out out = new Out();
        state = new Init(now + random.nextLong(MIN_START_DELAY, MAX_START_DELAY + 1));
        return out.done();
    }

    /**
     * Starts from INIT-REBOOT (RFC 2131 §3.2): asks at once, by broadcast, to keep an address the client
     * had before. An ACK gives the lease; a NAK, or no answer after the retransmissions, falls back to INIT.
     *
     * @param now the monotonic time
     * @param previous the address the client had
     * @return what to do
     * @throws IllegalStateException unless {@link Idle}
     */
    public Actions start(long now, Ipv4Address previous) {
        requireIdle();
        Out out = new Out();
        Rebooting rebooting = new Rebooting(random.nextInt(), previous, now, 1, now + backoff(1));
        state = rebooting;
        out.send(request(rebooting.xid(), 0, Ipv4Address.ANY, previous, null), Ipv4Address.ANY,
                Ipv4Address.BROADCAST);
        return out.done();
    }

    private void requireIdle() {
        if (!(state instanceof Idle)) {
            throw new IllegalStateException("the DHCP client is already started: " + state);
        }
    }

    /**
     * Handles a message received on UDP port 68. Overdue timers are handled first, so that a lease past its
     * expiry is never extended. Messages that are not replies to the current exchange (another {@code xid}
     * or {@code chaddr}, a type the state does not expect, an offer or ACK that cannot be used) are ignored
     * and counted.
     *
     * @param now the monotonic time
     * @param message a parsed message
     * @return what to do
     */
    public Actions received(long now, DhcpMessage message) {
        Out out = new Out();
        if (due(now)) {
            fire(now, out);
        }
        if (message.op() != DhcpPacket.BOOTREPLY || !message.clientMac().equals(mac)) {
            ignored++;
            return out.done();
        }
        boolean used = switch (state) {
            // RFC 2131 §4.4.1: the first acceptable OFFER is taken; the REQUEST, broadcast so that the other
            // servers see their offers declined, names its server and the offered address, with the OFFER's xid.
            case Selecting s when message.xid() == s.xid() && message.type() == Type.OFFER -> {
                Optional<Ipv4Address> server = message.serverIdentifier();
                if (server.isEmpty() || !usable(message.yourAddress())) {
                    yield false;
                }
                Requesting requesting = new Requesting(s.xid(), s.started(), message.yourAddress(), server.get(), now,
                        1, now + backoff(1));
                state = requesting;
                out.send(request(s.xid(), secs(now, s.started()), Ipv4Address.ANY, requesting.address(),
                        requesting.server()), Ipv4Address.ANY, Ipv4Address.BROADCAST);
                yield true;
            }
            // RFC 2131 §4.4.1: ACK → BOUND, the lease counting from the first REQUEST; NAK → INIT.
            case Requesting r when message.xid() == r.xid() -> switch (message.type()) {
                case ACK -> acquire(now, message, r.address(), r.requested(), r.server(), out);
                case NAK -> {
                    if (!message.serverIdentifier().orElse(r.server()).equals(r.server())) {
                        yield false; // another server's NAK is not about our request
                    }
                    restart(now);
                    yield true;
                }
                default -> false;
            };
            // RFC 2131 §3.2: the same for INIT-REBOOT's REQUEST, whichever server answers.
            case Rebooting r when message.xid() == r.xid() -> switch (message.type()) {
                case ACK -> acquire(now, message, r.address(), r.requested(), Ipv4Address.ANY, out);
                case NAK -> {
                    restart(now);
                    yield true;
                }
                default -> false;
            };
            // RFC 2131 §4.4.5: an ACK extends the lease (counted from the first REQUEST of this renewal); a NAK
            // ends it at once.
            case Renewing r when message.xid() == r.xid() -> extend(now, message, r.lease(), r.started(), out);
            case Rebinding r when message.xid() == r.xid() -> extend(now, message, r.lease(), r.started(), out);
            default -> false;
        };
        if (!used) {
            ignored++;
        }
        return out.done();
    }

    private boolean acquire(long now, DhcpMessage ack, Ipv4Address address, long requested, Ipv4Address server,
            Out out) {
        if (!ack.yourAddress().equals(address) || ack.option(DhcpOption.LeaseTime.class).isEmpty()
                || server.isUnspecified() && ack.serverIdentifier().isEmpty()) {
            return false; // RFC 2131 §4.3.1: an ACK carries the lease time and the server identifier
        }
        DhcpLease lease = DhcpLease.of(ack, requested, server);
        if (over(now, lease)) {
            return false;
        }
        state = new Bound(lease);
        out.events.add(new Acquired(lease));
        return true;
    }

    private boolean extend(long now, DhcpMessage message, DhcpLease lease, long started, Out out) {
        switch (message.type()) {
            case ACK -> {
                if (!message.yourAddress().equals(lease.address())
                        || message.option(DhcpOption.LeaseTime.class).isEmpty()) {
                    return false;
                }
                DhcpLease renewed = DhcpLease.of(message, started, lease.server());
                if (over(now, renewed)) {
                    return false;
                }
                state = new Bound(renewed);
                out.events.add(new Renewed(renewed));
                return true;
            }
            case NAK -> {
                out.events.add(new Lost(lease, Reason.NAK));
                restart(now);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Handles the timer: retransmissions, giving up a REQUEST, T1, T2 and the lease's expiry, whichever are
     * due. A late call does everything that became due meanwhile.
     *
     * @param now the monotonic time
     * @return what to do
     */
    public Actions timer(long now) {
        Out out = new Out();
        fire(now, out);
        return out.done();
    }

    /**
     * Runs every transition due at {@code now}. Bounded: each moves the deadline past {@code now} or to a
     * state whose deadline comes at once (INIT after an expiry), and no chain is longer than two.
     */
    private void fire(long now, Out out) {
        for (int step = 0; step < 8 && due(now); step++) {
            switch (state) {
                case Idle i -> {
                    return;
                }
                // RFC 2131 §4.4.1: INIT → SELECTING with a broadcast DISCOVER.
                case Init i -> {
                    Selecting selecting = new Selecting(random.nextInt(), now, 1, now + backoff(1));
                    state = selecting;
                    out.send(discover(selecting.xid(), 0), Ipv4Address.ANY, Ipv4Address.BROADCAST);
                }
                // RFC 2131 §4.1: retransmit after 4, 8, 16… up to 64 s, each ±1 s, for as long as it takes.
                case Selecting s -> {
                    state = new Selecting(s.xid(), s.started(), s.sent() + 1, now + backoff(s.sent() + 1));
                    out.send(discover(s.xid(), secs(now, s.started())), Ipv4Address.ANY, Ipv4Address.BROADCAST);
                }
                // RFC 2131 §3.1 step 5: without an ACK or NAK after the retransmissions, back to INIT.
                case Requesting r -> {
                    if (r.sent() >= REQUEST_ATTEMPTS) {
                        state = new Init(now);
                    } else {
                        state = new Requesting(r.xid(), r.started(), r.address(), r.server(), r.requested(), r.sent() + 1,
                                now + backoff(r.sent() + 1));
                        out.send(request(r.xid(), secs(now, r.started()), Ipv4Address.ANY, r.address(), r.server()),
                                Ipv4Address.ANY, Ipv4Address.BROADCAST);
                    }
                }
                // RFC 2131 §3.2 step 5: the same for INIT-REBOOT.
                case Rebooting r -> {
                    if (r.sent() >= REQUEST_ATTEMPTS) {
                        state = new Init(now);
                    } else {
                        state = new Rebooting(r.xid(), r.address(), r.requested(), r.sent() + 1, now + backoff(r.sent() + 1));
                        out.send(request(r.xid(), secs(now, r.requested()), Ipv4Address.ANY, r.address(), null),
                                Ipv4Address.ANY, Ipv4Address.BROADCAST);
                    }
                }
                case Bound b -> leaseTimers(now, b.lease(), out);
                // RFC 2131 §4.4.5: at T2 rebind; otherwise retransmit after half the time left to T2, at least 60 s.
                case Renewing r -> {
                    if (!leaseTimers(now, r.lease(), out)) {
                        state = new Renewing(r.lease(), r.xid(), r.started(), retransmitAt(now, r.lease().rebindAt()));
                        out.send(renewal(r.xid(), secs(now, r.started()), r.lease()), r.lease().address(),
                                r.lease().server());
                    }
                }
                // RFC 2131 §4.4.5: the same with the time left to the lease's expiry.
                case Rebinding r -> {
                    if (!leaseTimers(now, r.lease(), out)) {
                        state = new Rebinding(r.lease(), r.xid(), r.started(), retransmitAt(now, r.lease().expiresAt()));
                        out.send(renewal(r.xid(), secs(now, r.started()), r.lease()), r.lease().address(),
                                Ipv4Address.BROADCAST);
                    }
                }
            }
        }
    }

    /**
     * Moves a held lease to the phase {@code now} is in, when that is a later phase than the state's: expiry
     * → INIT (RFC 2131 §4.4.5: "the client moves to INIT state, MUST immediately stop any other network
     * processing"), T2 → REBINDING, T1 → RENEWING. Returns whether it moved.
     */
    private boolean leaseTimers(long now, DhcpLease lease, Out out) {
        if (lease.infinite()) {
            return false;
        }
        if (now - lease.expiresAt() >= 0) {
            out.events.add(new Lost(lease, Reason.EXPIRED));
            state = new Init(now);
            return true;
        }
        if (now - lease.rebindAt() >= 0 && !(state instanceof Rebinding)) {
            Rebinding rebinding = new Rebinding(lease, random.nextInt(), now, retransmitAt(now, lease.expiresAt()));
            state = rebinding;
            out.send(renewal(rebinding.xid(), 0, lease), lease.address(), Ipv4Address.BROADCAST);
            return true;
        }
        if (now - lease.renewAt() >= 0 && state instanceof Bound) {
            Renewing renewing = new Renewing(lease, random.nextInt(), now, retransmitAt(now, lease.rebindAt()));
            state = renewing;
            out.send(renewal(renewing.xid(), 0, lease), lease.address(), lease.server());
            return true;
        }
        return false;
    }

    /**
     * Tells whether a lease just granted has already ended: a lease time shorter than the reply took to come
     * (0 s, or a reply to a REQUEST sent long ago). Such an ACK is ignored, so that the client never holds an
     * expired lease, not even until the next timer.
     */
    private static boolean over(long now, DhcpLease lease) {
        return !lease.infinite() && now - lease.expiresAt() >= 0;
    }

    /** RFC 2131 §4.4.5: half the time left to {@code end}, at least 60 s, and never past {@code end}. */
    private static long retransmitAt(long now, long end) {
        long next = now + Math.max((end - now) / 2, MIN_RENEWAL_RETRANSMIT);
        return next - end >= 0 ? end : next;
    }

    /**
     * Reports that the lease's address is in use by another host (an ARP probe or announcement answered):
     * RFC 2131 §4.4.1 — the client broadcasts a DECLINE, gives the lease up and restarts from INIT after 10 s.
     *
     * @param now the monotonic time
     * @param address the address in conflict; nothing happens unless it is the lease's
     * @return what to do
     */
    public Actions conflict(long now, Ipv4Address address) {
        Out out = new Out();
        Optional<DhcpLease> held = lease();
        if (held.isEmpty() || !held.get().address().equals(address)) {
            return out.done();
        }
        DhcpLease lease = held.get();
        out.send(message(Type.DECLINE, random.nextInt(), 0, 0, Ipv4Address.ANY,
                List.of(new DhcpOption.ServerIdentifier(lease.server()), new DhcpOption.RequestedAddress(address),
                        clientId)), Ipv4Address.ANY, Ipv4Address.BROADCAST);
        out.events.add(new Lost(lease, Reason.DECLINED));
        state = new Init(now + DECLINE_WAIT);
        return out.done();
    }

    /**
     * Stops: a lease held is released to its server (RFC 2131 §4.4.6) and lost; nothing more is sent.
     *
     * @param now the monotonic time
     * @return what to do
     */
    public Actions stop(long now) {
        Out out = new Out();
        Optional<DhcpLease> held = lease();
        if (held.isPresent() && (held.get().infinite() || now - held.get().expiresAt() < 0)) {
            DhcpLease lease = held.get();
            out.send(message(Type.RELEASE, random.nextInt(), 0, 0, lease.address(),
                    List.of(new DhcpOption.ServerIdentifier(lease.server()), clientId)), lease.address(), lease.server());
            out.events.add(new Lost(lease, Reason.RELEASED));
        } else if (held.isPresent()) {
            out.events.add(new Lost(held.get(), Reason.EXPIRED));
        }
        state = new Idle();
        return out.done();
    }

    private void restart(long now) {
        // RFC 2131 §3.1 step 5 says only "restarts"; waiting the start delay again keeps a server that
        // offers and then refuses from driving the client round the loop at network speed.
        state = new Init(now + random.nextLong(MIN_START_DELAY, MAX_START_DELAY + 1));
    }

    /** The n-th retransmission wait (from 1): 4·2ⁿ⁻¹ s, at most 64 s, ±1 s (RFC 2131 §4.1). */
    private long backoff(int sent) {
        long base = sent >= 5 ? MAX_BACKOFF : FIRST_BACKOFF << (sent - 1);
        return base + random.nextLong(-JITTER, JITTER + 1);
    }

    private static int secs(long now, long started) {
        return (int) Math.min(0xFFFF, Math.max(0, (now - started) / SECOND));
    }

    private static boolean usable(Ipv4Address address) {
        return !address.isUnspecified() && !address.isBroadcast() && !address.isMulticast() && !address.isLoopback();
    }

    private DhcpMessage discover(int xid, int secs) {
        return message(Type.DISCOVER, xid, secs, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY,
                List.of(new DhcpOption.ParameterRequestList(PARAMETERS), maxMessageSize, clientId));
    }

    /** A REQUEST before the client has an address (RFC 2131 table 5): requested address, server when selecting. */
    private DhcpMessage request(int xid, int secs, Ipv4Address clientAddress, Ipv4Address requested, Ipv4Address server) {
        List<DhcpOption> options = new ArrayList<>(5);
        if (server != null) {
            options.add(new DhcpOption.ServerIdentifier(server));
        }
        options.add(new DhcpOption.RequestedAddress(requested));
        options.add(new DhcpOption.ParameterRequestList(PARAMETERS));
        options.add(maxMessageSize);
        options.add(clientId);
        return message(Type.REQUEST, xid, secs, DhcpPacket.FLAG_BROADCAST, clientAddress, options);
    }

    /** A REQUEST in RENEWING or REBINDING (RFC 2131 table 5): ciaddr set, no server or requested address. */
    private DhcpMessage renewal(int xid, int secs, DhcpLease lease) {
        return message(Type.REQUEST, xid, secs, 0, lease.address(),
                List.of(new DhcpOption.ParameterRequestList(PARAMETERS), maxMessageSize, clientId));
    }

    private DhcpMessage message(Type type, int xid, int secs, int flags, Ipv4Address clientAddress,
            List<DhcpOption> options) {
        return new DhcpMessage(DhcpPacket.BOOTREQUEST, type, xid, secs, flags, clientAddress, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, mac, options);
    }

    /**
     * Returns the next time {@link #timer} has something to do.
     *
     * @return a monotonic time, {@link Long#MAX_VALUE} when nothing waits (idle, or bound for ever)
     */
    public long deadline() {
        return switch (state) {
            case Idle i -> Long.MAX_VALUE;
            case Init i -> i.discoverAt();
            case Selecting s -> s.retransmitAt();
            case Requesting r -> r.retransmitAt();
            case Rebooting r -> r.retransmitAt();
            case Bound b -> b.lease().renewAt();
            case Renewing r -> earlier(r.retransmitAt(), r.lease().rebindAt());
            case Rebinding r -> earlier(r.retransmitAt(), r.lease().expiresAt());
        };
    }

    /** Whether the deadline has come; {@link Long#MAX_VALUE} never comes, whatever {@code now} is. */
    private boolean due(long now) {
        long deadline = deadline();
        return deadline != Long.MAX_VALUE && now - deadline >= 0;
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /**
     * Returns the state.
     *
     * @return where the client is
     */
    public State state() {
        return state;
    }

    /**
     * Returns the lease in use.
     *
     * @return the lease when {@link Bound}, {@link Renewing} or {@link Rebinding}
     */
    public Optional<DhcpLease> lease() {
        return switch (state) {
            case Bound b -> Optional.of(b.lease());
            case Renewing r -> Optional.of(r.lease());
            case Rebinding r -> Optional.of(r.lease());
            default -> Optional.empty();
        };
    }

    /**
     * Counts the messages ignored: not replies to the current exchange, or not usable.
     *
     * @return the count since creation
     */
    public long ignored() {
        return ignored;
    }
}

package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Acquired;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Actions;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Bound;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Idle;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Init;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Lost;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Reason;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Rebinding;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Rebooting;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Renewed;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Renewing;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Requesting;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Selecting;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Transmit;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ClientIdentifier;
import dev.morgana.net.tcpip.dhcp.DhcpOption.LeaseTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.MaxMessageSize;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ParameterRequestList;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RebindingTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RenewalTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RequestedAddress;
import dev.morgana.net.tcpip.dhcp.DhcpOption.Routers;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ServerIdentifier;
import dev.morgana.net.tcpip.dhcp.DhcpOption.SubnetMask;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DHCP client core, one test per state and event, named {@code <state><Event>}: the state is the
 * client's {@link DhcpCore.State} before the event. The randomness is fixed: transaction identifiers count
 * up from 100, every ±1 s jitter is 0 and every 1–10 s start delay is 5.5 s, so every time below is exact.
 */
class DhcpCoreTest {

    static final MacAddress US = MacAddress.parse("02:00:00:00:00:0b");
    static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:0c");
    static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    static final Ipv4Address OTHER_SERVER = Ipv4Address.parse("192.0.2.2");
    static final Ipv4Address OFFERED = Ipv4Address.parse("192.0.2.54");
    static final long S = DhcpCore.SECOND;
    static final long START_DELAY = 5_500_000_000L;
    static final long LEASE = 3600;
    static final List<DhcpOption> ASKED = List.of(new ParameterRequestList(DhcpCore.PARAMETERS),
            new MaxMessageSize(1500), ClientIdentifier.ofMac(US));

    /** Identifiers 100, 101…; ranges answered by their middle (jitter 0, start delay 5.5 s). */
    static final class Fixed implements RandomGenerator {
        int next = 100;

        @Override
        public long nextLong() {
            return next++;
        }

        @Override
        public int nextInt() {
            return next++;
        }

        @Override
        public long nextLong(long origin, long bound) {
            return origin + (bound - origin) / 2;
        }
    }

    private DhcpCore core;
    private long now;

    @BeforeEach
    void setUp() {
        core = new DhcpCore(US, 1500, new Fixed());
        now = 1_000 * S;
    }

    // Templates: what the server sends.

    static DhcpMessage reply(Type type, int xid, MacAddress to, Ipv4Address yiaddr, List<DhcpOption> options) {
        return new DhcpMessage(DhcpPacket.BOOTREPLY, type, xid, 0, 0, Ipv4Address.ANY, yiaddr, Ipv4Address.ANY,
                Ipv4Address.ANY, to, options);
    }

    static DhcpMessage offer(int xid, Ipv4Address server) {
        return reply(Type.OFFER, xid, US, OFFERED, List.of(new ServerIdentifier(server), new LeaseTime(LEASE)));
    }

    static DhcpMessage ack(int xid, long seconds, DhcpOption... more) {
        List<DhcpOption> options = new ArrayList<>(List.of(new ServerIdentifier(SERVER), new LeaseTime(seconds)));
        options.addAll(List.of(more));
        return reply(Type.ACK, xid, US, OFFERED, options);
    }

    static DhcpMessage nak(int xid, Ipv4Address server) {
        return reply(Type.NAK, xid, US, Ipv4Address.ANY, List.of(new ServerIdentifier(server)));
    }

    // What the client sends.

    static DhcpMessage ours(Type type, int xid, int secs, int flags, Ipv4Address ciaddr, List<DhcpOption> options) {
        return new DhcpMessage(DhcpPacket.BOOTREQUEST, type, xid, secs, flags, ciaddr, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, US, options);
    }

    static Transmit broadcast(DhcpMessage message) {
        return new Transmit(message, Ipv4Address.ANY, Ipv4Address.BROADCAST);
    }

    static Transmit discover(int xid, int secs) {
        return broadcast(ours(Type.DISCOVER, xid, secs, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY, ASKED));
    }

    static Transmit selectingRequest(int xid, int secs) {
        List<DhcpOption> options = new ArrayList<>(List.of(new ServerIdentifier(SERVER), new RequestedAddress(OFFERED)));
        options.addAll(ASKED);
        return broadcast(ours(Type.REQUEST, xid, secs, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY, options));
    }

    static DhcpMessage renewal(int xid, int secs) {
        return ours(Type.REQUEST, xid, secs, 0, OFFERED, ASKED);
    }

    // Ways to a state.

    /** SELECTING, the DISCOVER (xid 100) sent at {@code now}. */
    private void selecting() {
        core.start(now);
        now += START_DELAY;
        core.timer(now);
    }

    /** REQUESTING, the REQUEST for the offer sent at {@code now}. */
    private void requesting() {
        selecting();
        core.received(now, offer(100, SERVER));
    }

    /** BOUND with a lease of {@link #LEASE} seconds granted at {@code now}. */
    private DhcpLease bound(DhcpOption... more) {
        requesting();
        core.received(now, ack(100, LEASE, more));
        return core.lease().orElseThrow();
    }

    /** RENEWING, the first renewal REQUEST (xid 101) sent at {@code now}, T1. */
    private DhcpLease renewing() {
        DhcpLease lease = bound();
        now = lease.renewAt();
        core.timer(now);
        return lease;
    }

    /** REBINDING, the first rebinding REQUEST (xid 102) sent at {@code now}, T2. */
    private DhcpLease rebinding() {
        DhcpLease lease = renewing();
        now = lease.rebindAt();
        core.timer(now);
        return lease;
    }

    private static void assertSends(Actions actions, Transmit... expected) {
        assertEquals(List.of(expected), actions.transmits());
    }

    // Idle

    @Test
    void idleStart() {
        Actions actions = core.start(now);
        assertSends(actions);
        assertEquals(new Init(now + START_DELAY), core.state());
        assertEquals(now + START_DELAY, actions.deadline());
    }

    @Test
    void idleStartWithAddress() {
        // RFC 2131 §3.2, INIT-REBOOT: a broadcast REQUEST with the address and no server identifier, at once.
        Actions actions = core.start(now, OFFERED);
        List<DhcpOption> options = new ArrayList<>(List.of(new RequestedAddress(OFFERED)));
        options.addAll(ASKED);
        assertSends(actions, broadcast(ours(Type.REQUEST, 100, 0, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY, options)));
        assertEquals(new Rebooting(100, OFFERED, now, 1, now + 4 * S), core.state());
    }

    @Test
    void idleTimer() {
        assertEquals(Long.MAX_VALUE, core.deadline());
        assertSends(core.timer(now));
        assertEquals(new Idle(), core.state());
    }

    @Test
    void idleReceived() {
        assertSends(core.received(now, offer(100, SERVER)));
        assertEquals(1, core.ignored());
    }

    @Test
    void idleStop() {
        Actions actions = core.stop(now);
        assertSends(actions);
        assertEquals(List.of(), actions.events());
    }

    // Init

    @Test
    void initTimer() {
        core.start(now);
        assertSends(core.timer(now + START_DELAY - 1), new Transmit[0]);
        now += START_DELAY;
        Actions actions = core.timer(now);
        assertSends(actions, discover(100, 0));
        assertEquals(new Selecting(100, now, 1, now + 4 * S), core.state());
    }

    @Test
    void initStart() {
        core.start(now);
        assertThrows(IllegalStateException.class, () -> core.start(now));
    }

    // Selecting

    @Test
    void selectingTimer() {
        // RFC 2131 §4.1: 4, 8, 16, 32, 64, 64… s (the jitter is 0 here), the same xid, secs counting up.
        selecting();
        long started = now;
        long[] waits = {4, 8, 16, 32, 64, 64, 64};
        for (long wait : waits) {
            assertEquals(now + wait * S, core.deadline());
            now += wait * S;
            assertSends(core.timer(now), discover(100, (int) ((now - started) / S)));
        }
    }

    @Test
    void selectingOffer() {
        selecting();
        now += 2 * S;
        Actions actions = core.received(now, offer(100, SERVER));
        assertSends(actions, selectingRequest(100, 2));
        assertEquals(new Requesting(100, now - 2 * S, OFFERED, SERVER, now, 1, now + 4 * S), core.state());
    }

    @Test
    void selectingOfferForAnotherExchange() {
        selecting();
        assertSends(core.received(now, offer(99, SERVER)));
        assertSends(core.received(now, reply(Type.OFFER, 100, OTHER, OFFERED, List.of(new ServerIdentifier(SERVER)))));
        assertInstanceOf(Selecting.class, core.state());
        assertEquals(2, core.ignored());
    }

    @Test
    void selectingUnusableOffer() {
        selecting();
        assertSends(core.received(now, reply(Type.OFFER, 100, US, OFFERED, List.of(new LeaseTime(LEASE)))));
        assertSends(core.received(now, reply(Type.OFFER, 100, US, Ipv4Address.BROADCAST,
                List.of(new ServerIdentifier(SERVER)))));
        assertSends(core.received(now, reply(Type.OFFER, 100, US, Ipv4Address.ANY, List.of(new ServerIdentifier(SERVER)))));
        assertInstanceOf(Selecting.class, core.state());
        assertEquals(3, core.ignored());
    }

    @Test
    void selectingAck() {
        selecting();
        assertSends(core.received(now, ack(100, LEASE)));
        assertInstanceOf(Selecting.class, core.state(), "an ACK before any REQUEST answers nothing");
    }

    @Test
    void selectingStop() {
        selecting();
        Actions actions = core.stop(now);
        assertSends(actions);
        assertEquals(new Idle(), core.state());
    }

    // Requesting

    @Test
    void requestingAck() {
        requesting();
        long requested = now;
        now += S / 10;
        Actions actions = core.received(now, ack(100, LEASE, new RenewalTime(1000), new RebindingTime(2000),
                new SubnetMask(Ipv4Address.parse("255.255.255.0")), new Routers(List.of(SERVER)),
                new DhcpOption.InterfaceMtu(1400)));
        // RFC 2131 §4.4.1: the lease counts from when the REQUEST was sent, not from the ACK.
        DhcpLease lease = new DhcpLease(OFFERED, Ipv4Prefix.parse("192.0.2.0/24"), List.of(SERVER), List.of(),
                OptionalInt.of(1400), SERVER, LEASE, requested, requested + 1000 * S, requested + 2000 * S,
                requested + LEASE * S);
        assertEquals(List.of(new Acquired(lease)), actions.events());
        assertSends(actions);
        assertEquals(new Bound(lease), core.state());
        assertEquals(lease.renewAt(), actions.deadline());
    }

    @Test
    void requestingAckWithoutTimes() {
        // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease; no subnet mask: the class's (C, /24).
        requesting();
        core.received(now, ack(100, LEASE));
        DhcpLease lease = core.lease().orElseThrow();
        assertEquals(now + LEASE * S / 2, lease.renewAt());
        assertEquals(now + LEASE * S / 8 * 7, lease.rebindAt());
        assertEquals(Ipv4Prefix.parse("192.0.2.0/24"), lease.prefix());
    }

    @Test
    void requestingAckWithTimesOutOfOrder() {
        requesting();
        core.received(now, ack(100, LEASE, new RenewalTime(3200), new RebindingTime(LEASE + 1)));
        DhcpLease lease = core.lease().orElseThrow();
        assertEquals(now + LEASE * S / 8 * 7, lease.rebindAt(), "T2 past the lease: the default");
        assertEquals(now + LEASE * S / 2, lease.renewAt(), "T1 past the default T2 (3150 s): the default");
    }

    @Test
    void requestingAckForAnotherAddressOrWithoutLeaseTime() {
        requesting();
        assertSends(core.received(now, reply(Type.ACK, 100, US, OTHER_SERVER,
                List.of(new ServerIdentifier(SERVER), new LeaseTime(LEASE)))));
        assertSends(core.received(now, reply(Type.ACK, 100, US, OFFERED, List.of(new ServerIdentifier(SERVER)))));
        assertInstanceOf(Requesting.class, core.state());
        assertEquals(2, core.ignored());
    }

    @Test
    void requestingAckOfALeaseAlreadyOver() {
        // A lease of 0 s, or one that ended before the ACK came, is never held, not even until the next timer.
        requesting();
        assertSends(core.received(now, ack(100, 0)));
        now += 3 * S;
        assertSends(core.received(now, ack(100, 2)));
        assertInstanceOf(Requesting.class, core.state());
        assertEquals(2, core.ignored());
        assertSends(core.received(now, ack(100, 4)));
        assertInstanceOf(Bound.class, core.state());
    }

    @Test
    void renewingAckOfALeaseAlreadyOver() {
        renewing();
        assertSends(core.received(now, ack(101, 0)));
        assertInstanceOf(Renewing.class, core.state());
    }

    @Test
    void requestingNak() {
        requesting();
        Actions actions = core.received(now, nak(100, SERVER));
        assertEquals(List.of(), actions.events(), "no lease was held");
        assertEquals(new Init(now + START_DELAY), core.state());
    }

    @Test
    void requestingNakFromAnotherServer() {
        requesting();
        core.received(now, nak(100, OTHER_SERVER));
        assertInstanceOf(Requesting.class, core.state());
    }

    @Test
    void requestingTimer() {
        // Retransmitted after 4, 8 and 16 s; 32 s after the fourth, back to INIT, and a new DISCOVER at once.
        requesting();
        long started = now;
        for (long wait : new long[] {4, 8, 16}) {
            now += wait * S;
            assertSends(core.timer(now), selectingRequest(100, (int) ((now - started) / S)));
        }
        now += 32 * S;
        Actions actions = core.timer(now);
        assertSends(actions, discover(101, 0));
        assertEquals(new Selecting(101, now, 1, now + 4 * S), core.state());
    }

    // Rebooting

    @Test
    void rebootingAck() {
        core.start(now, OFFERED);
        Actions actions = core.received(now + S, ack(100, LEASE));
        assertEquals(now, core.lease().orElseThrow().granted());
        assertInstanceOf(Acquired.class, actions.events().getFirst());
    }

    @Test
    void rebootingNak() {
        core.start(now, OFFERED);
        core.received(now, nak(100, OTHER_SERVER));
        assertEquals(new Init(now + START_DELAY), core.state());
    }

    @Test
    void rebootingTimer() {
        core.start(now, OFFERED);
        for (long wait : new long[] {4, 8, 16}) {
            now += wait * S;
            assertEquals(1, core.timer(now).transmits().size());
        }
        now += 32 * S;
        assertSends(core.timer(now), discover(101, 0));
    }

    // Bound

    @Test
    void boundTimer() {
        // RFC 2131 §4.4.5: at T1, RENEWING: a REQUEST unicast to the server, from the address, with ciaddr set
        // and neither server identifier nor requested address; a new xid.
        DhcpLease lease = bound();
        assertSends(core.timer(lease.renewAt() - 1));
        now = lease.renewAt();
        Actions actions = core.timer(now);
        assertSends(actions, new Transmit(renewal(101, 0), OFFERED, SERVER));
        // the next: after half of the 1350 s to T2
        assertEquals(new Renewing(lease, 101, now, now + LEASE * S * 3 / 16), core.state());
        assertEquals(List.of(), actions.events());
    }

    @Test
    void boundLateTimer() {
        // A timer called late does what became due: past T2, straight to REBINDING; past expiry, to INIT.
        DhcpLease lease = bound();
        now = lease.rebindAt() + S;
        assertSends(core.timer(now), new Transmit(renewal(101, 0), OFFERED, Ipv4Address.BROADCAST));
        assertInstanceOf(Rebinding.class, core.state());
        setUp();
        lease = bound();
        now = lease.expiresAt();
        Actions actions = core.timer(now);
        assertEquals(List.of(new Lost(lease, Reason.EXPIRED)), actions.events());
        assertSends(actions, discover(101, 0));
    }

    @Test
    void boundConflict() {
        // RFC 2131 §4.4.1: the address is in use: DECLINE (broadcast, server and address named), INIT after 10 s.
        DhcpLease lease = bound();
        Actions actions = core.conflict(now, OFFERED);
        assertSends(actions, broadcast(ours(Type.DECLINE, 101, 0, 0, Ipv4Address.ANY, List.of(
                new ServerIdentifier(SERVER), new RequestedAddress(OFFERED), ClientIdentifier.ofMac(US)))));
        assertEquals(List.of(new Lost(lease, Reason.DECLINED)), actions.events());
        assertEquals(new Init(now + 10 * S), core.state());
    }

    @Test
    void boundConflictForAnotherAddress() {
        bound();
        Actions actions = core.conflict(now, OTHER_SERVER);
        assertSends(actions);
        assertInstanceOf(Bound.class, core.state());
    }

    @Test
    void boundStop() {
        // RFC 2131 §4.4.6: RELEASE unicast to the server, from the address; then the address goes.
        DhcpLease lease = bound();
        Actions actions = core.stop(now);
        assertSends(actions, new Transmit(ours(Type.RELEASE, 101, 0, 0, OFFERED,
                List.of(new ServerIdentifier(SERVER), ClientIdentifier.ofMac(US))), OFFERED, SERVER));
        assertEquals(List.of(new Lost(lease, Reason.RELEASED)), actions.events());
        assertEquals(new Idle(), core.state());
    }

    @Test
    void boundInfiniteLease() {
        requesting();
        core.received(now, ack(100, DhcpOption.INFINITE));
        assertTrue(core.lease().orElseThrow().infinite());
        assertEquals(Long.MAX_VALUE, core.deadline());
        assertSends(core.timer(Long.MAX_VALUE - 1));
        assertSends(core.timer(Long.MIN_VALUE));
        assertInstanceOf(Bound.class, core.state());
    }

    @Test
    void boundAck() {
        bound();
        assertSends(core.received(now, ack(100, LEASE)));
        assertInstanceOf(Bound.class, core.state());
        assertEquals(1, core.ignored());
    }

    // Renewing

    @Test
    void renewingTimer() {
        // RFC 2131 §4.4.5: retransmit after half the time left to T2, at least 60 s; at T2, REBINDING.
        DhcpLease lease = renewing();
        long started = now;
        int sent = 1;
        while (core.state() instanceof Renewing renewing) {
            long wait = renewing.retransmitAt() - now;
            long left = lease.rebindAt() - now;
            assertEquals(Math.min(left, Math.max(left / 2, 60 * S)), wait);
            now = core.deadline();
            Actions actions = core.timer(now);
            if (core.state() instanceof Renewing) {
                assertSends(actions, new Transmit(renewal(101, (int) ((now - started) / S)), OFFERED, SERVER));
                sent++;
            } else {
                assertEquals(lease.rebindAt(), now);
                assertSends(actions, new Transmit(renewal(102, 0), OFFERED, Ipv4Address.BROADCAST));
            }
        }
        assertInstanceOf(Rebinding.class, core.state());
        assertEquals(6, sent, "1350 s from T1 to T2: again after 675, 337, 168, 84 and 60 s, then T2 24 s later");
    }

    @Test
    void renewingAck() {
        renewing();
        long started = now;
        now += 30 * S;
        Actions actions = core.received(now, ack(101, 7200));
        DhcpLease renewed = core.lease().orElseThrow();
        assertEquals(List.of(new Renewed(renewed)), actions.events());
        assertEquals(started, renewed.granted(), "counted from the first renewal REQUEST");
        assertEquals(started + 7200 * S, renewed.expiresAt());
        assertEquals(new Bound(renewed), core.state());
    }

    @Test
    void renewingAckOfTheOldExchange() {
        renewing();
        assertSends(core.received(now, ack(100, LEASE)));
        assertInstanceOf(Renewing.class, core.state());
    }

    @Test
    void renewingNak() {
        DhcpLease lease = renewing();
        Actions actions = core.received(now, nak(101, SERVER));
        assertEquals(List.of(new Lost(lease, Reason.NAK)), actions.events());
        assertEquals(new Init(now + START_DELAY), core.state());
    }

    @Test
    void renewingStop() {
        DhcpLease lease = renewing();
        Actions actions = core.stop(now);
        assertEquals(List.of(new Lost(lease, Reason.RELEASED)), actions.events());
        assertEquals(Type.RELEASE, actions.transmits().getFirst().message().type());
    }

    // Rebinding

    @Test
    void rebindingTimer() {
        // RFC 2131 §4.4.5: retransmit after half the time left to expiry, at least 60 s; at expiry, INIT.
        DhcpLease lease = rebinding();
        while (core.state() instanceof Rebinding rebinding) {
            long left = lease.expiresAt() - now;
            assertEquals(Math.min(left, Math.max(left / 2, 60 * S)), rebinding.retransmitAt() - now);
            now = core.deadline();
            Actions actions = core.timer(now);
            if (core.state() instanceof Rebinding) {
                assertEquals(Ipv4Address.BROADCAST, actions.transmits().getFirst().destination());
                assertEquals(102, actions.transmits().getFirst().message().xid());
            } else {
                assertEquals(lease.expiresAt(), now);
                assertEquals(List.of(new Lost(lease, Reason.EXPIRED)), actions.events());
                assertSends(actions, discover(103, 0));
            }
        }
        assertInstanceOf(Selecting.class, core.state());
    }

    @Test
    void rebindingAck() {
        rebinding();
        Actions actions = core.received(now + S, reply(Type.ACK, 102, US, OFFERED,
                List.of(new ServerIdentifier(OTHER_SERVER), new LeaseTime(LEASE))));
        DhcpLease renewed = core.lease().orElseThrow();
        assertEquals(List.of(new Renewed(renewed)), actions.events());
        assertEquals(OTHER_SERVER, renewed.server(), "renewals now go to the server that answered");
    }

    @Test
    void rebindingAckAfterExpiry() {
        // An ACK that arrives after the lease expired (its timer not yet run) cannot revive it.
        DhcpLease lease = rebinding();
        now = lease.expiresAt() + S;
        Actions actions = core.received(now, ack(102, LEASE));
        assertEquals(List.of(new Lost(lease, Reason.EXPIRED)), actions.events());
        assertInstanceOf(Selecting.class, core.state());
        assertFalse(core.lease().isPresent());
    }

    @Test
    void rebindingNak() {
        DhcpLease lease = rebinding();
        Actions actions = core.received(now, nak(102, OTHER_SERVER));
        assertEquals(List.of(new Lost(lease, Reason.NAK)), actions.events());
        assertInstanceOf(Init.class, core.state());
    }
}

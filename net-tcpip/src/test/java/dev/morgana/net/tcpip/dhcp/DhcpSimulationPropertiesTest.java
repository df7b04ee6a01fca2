package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Actions;
import dev.morgana.net.tcpip.dhcp.DhcpCore.LeaseEvent;
import dev.morgana.net.tcpip.dhcp.DhcpCore.Transmit;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * The DHCP client against a small DHCP server written here, over a channel that loses, duplicates, delays
 * and so reorders messages (every message goes through emit and parse), on virtual time, for three simulated
 * days. The server ({@link DhcpTestServer}) goes silent for spans up to two lease times and now and then
 * forgets its bindings (a wiped lease database: it refuses renewals with a NAK). For the last two days and a
 * bit it behaves. Checked
 * throughout: the client never holds a lease past its expiry, and never one that outlives the server's;
 * it renews exactly at T1 (unicast to the server), rebinds exactly at T2 (broadcast), and its
 * retransmissions keep RFC 2131's intervals (§4.1: 4, 8, 16… up to 64 s, each ±1 s; §4.4.5: half the time
 * left, at least 60 s). At the end it is BOUND with the lease the server holds for it. Replay a seed with
 * -Dmorgana.seed=N.
 */
class DhcpSimulationPropertiesTest {

    static final long S = DhcpCore.SECOND;
    static final long DAY = 86_400 * S;
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:0b");

    /** A message in flight: to the server or to the client, as bytes. */
    record Delivery(long at, long order, boolean toServer, byte[] bytes) {}

    /** What the client sent in its current exchange (one xid), to check the intervals. */
    static final class Exchange {
        int xid;
        final List<Long> times = new ArrayList<>();
        /** The REQUESTs that follow an OFFER, with the DISCOVER's xid: their count starts again. */
        boolean requesting;
        /** The renewal's T2 or the rebinding's expiry. */
        long end;
    }

    @Property(tries = 40)
    void clientKeepsTheServersLeaseOverDaysOfALossyNetwork(RandomGenerator random) {
        long leaseSeconds = new long[] {120, 600, 3600, 4 * 3600}[random.nextInt(4)];
        DhcpTestServer server = new DhcpTestServer(leaseSeconds, random.nextBoolean());
        double loss = random.nextDouble(0, 0.3);
        double duplication = random.nextDouble(0, 0.1);
        long maxDelay = random.nextLong(1, 2 * S);
        long start = random.nextLong(); // anywhere on the clock, wrapping included
        long calmFrom = start + DAY; // no more outages or forgetting from here
        long end = start + 3 * DAY;
        List<long[]> outages = new ArrayList<>();
        for (long at = start + random.nextLong(0, 4 * 3600 * S); at - calmFrom < 0;
                at += random.nextLong(1, 8 * 3600 * S)) {
            long length = random.nextLong(1, 2 * leaseSeconds * S);
            outages.add(new long[] {at, at + length});
            at += length;
        }
        DhcpCore core = new DhcpCore(CLIENT, 1500, random);
        PriorityQueue<Delivery> network = new PriorityQueue<>(
                (a, b) -> a.at() != b.at() ? Long.compare(a.at() - start, b.at() - start) : Long.compare(a.order(), b.order()));
        long[] order = {0};
        Exchange exchange = new Exchange();
        long now = start;
        int steps = 0;
        int renewals = 0;
        int rebinds = 0;

        Actions actions = core.start(now);
        while (true) {
            // The client's sends: checked, then through the lossy channel.
            Optional<DhcpLease> before = leaseBefore(core, actions);
            for (Transmit transmit : actions.transmits()) {
                DhcpMessage message = transmit.message();
                if (message.type() == Type.RELEASE || message.type() == Type.DECLINE) {
                    throw new AssertionError("nothing in this simulation stops the client or reports a conflict");
                }
                if (exchange.times.isEmpty() || message.xid() != exchange.xid) {
                    exchange = new Exchange();
                    exchange.xid = message.xid();
                    server.granted.remove(message.xid()); // an earlier exchange's, if the 32 bits ever repeat
                }
                checkTransmit(now, transmit, before, exchange);
                if (message.type() == Type.REQUEST && !message.clientAddress().isUnspecified()
                        && exchange.times.size() == 1) {
                    if (transmit.destination().isBroadcast()) {
                        rebinds++;
                    } else {
                        renewals++;
                    }
                }
                send(network, order, now, true, bytes(message), random, loss, duplication, maxDelay);
            }
            for (LeaseEvent event : actions.events()) {
                if (event instanceof DhcpCore.Acquired || event instanceof DhcpCore.Renewed) {
                    // The ACK answered the current exchange; the lease counts from its first REQUEST.
                    assertEquals(exchange.times.getFirst(), event.lease().granted());
                    Long serverExpiry = server.granted.get(exchange.xid);
                    assertNotNull(serverExpiry, "a lease the server never granted: " + event);
                    assertTrue(event.lease().expiresAt() - serverExpiry <= 0,
                            "the client's lease outlives the server's: " + event);
                }
            }
            // Never an expired lease, and never a deadline past the expiry.
            final long time = now;
            core.lease().ifPresent(lease -> {
                assertTrue(time - lease.expiresAt() < 0, "holds a lease expired at " + lease.expiresAt());
                assertTrue(core.deadline() - lease.expiresAt() <= 0, "sleeps past the expiry");
            });
            if (steps++ > 2_000_000) {
                throw new AssertionError("the simulation does not end");
            }
            long next = core.deadline();
            Delivery delivery = network.peek();
            boolean deliver = delivery != null && (next == Long.MAX_VALUE || delivery.at() - next < 0);
            long at = deliver ? delivery.at() : next;
            boolean settled = now - end >= 0 && core.state() instanceof DhcpCore.Bound;
            if (settled) {
                break;
            }
            assertTrue(at - (end + 2 * leaseSeconds * S) < 0, "not bound again in two lease times after the end");
            now = at;
            if (!deliver) {
                actions = core.timer(now);
                continue;
            }
            network.poll();
            DhcpMessage message = DhcpMessage.parse(MemorySegment.ofArray(delivery.bytes()).asReadOnly());
            if (!delivery.toServer()) {
                actions = core.received(now, message);
                continue;
            }
            actions = new Actions(List.of(), List.of(), core.deadline());
            if (silent(now, outages)) {
                continue;
            }
            if (now - calmFrom < 0 && random.nextInt(2000) == 0) {
                server.bindings.clear(); // the lease database wiped
            }
            final long received = now;
            server.answer(now, message).ifPresent(reply -> send(network, order, received, false, bytes(reply), random, loss,
                    duplication, maxDelay));
        }
        DhcpLease lease = core.lease().orElseThrow();
        assertInstanceOf(DhcpCore.Bound.class, core.state());
        DhcpTestServer.Binding binding = server.bindings.get(CLIENT);
        assertNotNull(binding, "the server holds no lease for the client");
        assertEquals(binding.address(), lease.address());
        assertTrue(lease.expiresAt() - binding.expires() <= 0);
        assertTrue(lease.expiresAt() - now > 0);
        // Two calm days of leases of at most four hours: renewed at T1 many times.
        assertTrue(renewals >= 2 * DAY / (leaseSeconds * S), renewals + " renewals, " + rebinds + " rebinds");
    }

    /** The lease the client held before these actions: the one a renewal or release is about. */
    private static Optional<DhcpLease> leaseBefore(DhcpCore core, Actions actions) {
        for (LeaseEvent event : actions.events()) {
            if (event instanceof DhcpCore.Lost lost) {
                return Optional.of(lost.lease());
            }
        }
        return core.lease();
    }

    /**
     * RFC 2131's timing of each exchange: DISCOVERs and the REQUESTs that follow their OFFER share an xid,
     * renewals and rebindings have their own.
     */
    private static void checkTransmit(long now, Transmit transmit, Optional<DhcpLease> lease, Exchange exchange) {
        DhcpMessage message = transmit.message();
        boolean renewal = message.type() == Type.REQUEST && !message.clientAddress().isUnspecified();
        if (renewal) {
            DhcpLease held = lease.orElseThrow(() -> new AssertionError("a renewal without a lease"));
            assertEquals(held.address(), message.clientAddress());
            assertTrue(now - held.expiresAt() < 0, "a renewal from an expired lease");
            assertEquals(held.address(), transmit.source());
            boolean rebinding = transmit.destination().isBroadcast();
            if (!rebinding) {
                assertEquals(held.server(), transmit.destination(), "renewals go to the lease's server");
            }
            if (exchange.times.isEmpty()) {
                // RFC 2131 §4.4.5: RENEWING at T1, REBINDING at T2, exactly when the timer asked.
                assertEquals(rebinding ? held.rebindAt() : held.renewAt(), now);
                exchange.end = rebinding ? held.expiresAt() : held.rebindAt();
            } else {
                long previous = exchange.times.getLast();
                long wait = now - previous;
                // RFC 2131 §4.4.5: half the time left, at least 60 s (the timer runs exactly when asked here).
                assertEquals(Math.max((exchange.end - previous) / 2, 60 * S), wait, "renewal retransmitted after " + wait);
            }
        } else {
            assertTrue(transmit.source().isUnspecified() && transmit.destination().isBroadcast());
            int k = exchange.times.size();
            // The DISCOVERs and their REQUESTs restart the count: a REQUEST's first send follows an OFFER.
            if (message.type() == Type.REQUEST && !exchange.requesting) {
                exchange.requesting = true;
                exchange.times.clear();
                k = 0;
            }
            if (k > 0) {
                long wait = now - exchange.times.getLast();
                long base = (k >= 5 ? 64 : 4L << (k - 1)) * S;
                assertTrue(wait >= base - S && wait <= base + S, "retransmission " + k + " after " + wait + " ns");
            }
        }
        exchange.times.add(now);
    }

    private static boolean silent(long now, List<long[]> outages) {
        for (long[] outage : outages) {
            if (now - outage[0] >= 0 && now - outage[1] < 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(DhcpMessage message) {
        byte[] bytes = new byte[message.length()];
        message.emit(MemorySegment.ofArray(bytes));
        return bytes;
    }

    private static void send(PriorityQueue<Delivery> network, long[] order, long now, boolean toServer, byte[] bytes,
            RandomGenerator random, double loss, double duplication, long maxDelay) {
        int copies = random.nextDouble() < duplication ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            if (random.nextDouble() >= loss) {
                network.add(new Delivery(now + random.nextLong(0, maxDelay), order[0]++, toServer, bytes));
            }
        }
    }
}

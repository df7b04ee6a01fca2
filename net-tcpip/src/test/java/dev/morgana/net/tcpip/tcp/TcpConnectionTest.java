package dev.morgana.net.tcpip.tcp;

import static dev.morgana.net.tcpip.tcp.TcpHeader.ACK;
import static dev.morgana.net.tcpip.tcp.TcpHeader.FIN;
import static dev.morgana.net.tcpip.tcp.TcpHeader.PSH;
import static dev.morgana.net.tcpip.tcp.TcpHeader.RST;
import static dev.morgana.net.tcpip.tcp.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.tcp.TcpConnection.Failure;
import dev.morgana.net.tcpip.tcp.TcpConnection.State;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The connection's state machine, one test per state and event, named {@code <state><Event>}: the state is
 * the connection's before the event. Segments from the peer are built from one template ({@link #seg}); the
 * configuration acknowledges at once and sends small segments at once unless a test says otherwise, so that
 * every segment the connection sends is the direct answer to the event.
 */
class TcpConnectionTest {

    static final Endpoint LOCAL = Endpoint.parse("192.0.2.1:80");
    static final Endpoint REMOTE = Endpoint.parse("192.0.2.2:40000");
    static final int ISS = 1000;
    static final int IRS = 5000;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final long T0 = 7 * S;
    static final TcpConfig CONFIG = TcpConfig.DEFAULTS.withExtensions(false, false)
            .withAcking(Duration.ZERO, true).withMaxSegmentSize(1000);

    /** A segment the connection sent, its payload copied. */
    record Sent(TcpHeader header, byte[] payload) {
        int flags() {
            return header.flags();
        }

        int seq() {
            return header.sequence();
        }

        int ack() {
            return header.acknowledgment();
        }
    }

    /** Records what the connection sends. */
    static final class Wire implements TcpConnection.Output {
        final List<Sent> sent = new ArrayList<>();

        @Override
        public void send(TcpHeader header, MemorySegment payload) {
            sent.add(new Sent(header, payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        }

        /** Returns what was sent since the last call, and forgets it. */
        List<Sent> take() {
            List<Sent> out = List.copyOf(sent);
            sent.clear();
            return out;
        }

        /** Returns the one segment sent since the last call. */
        Sent one() {
            List<Sent> out = take();
            assertEquals(1, out.size(), () -> "expected one segment, got " + out);
            return out.getFirst();
        }

        void none() {
            List<Sent> out = take();
            assertEquals(List.of(), out, "expected nothing sent");
        }
    }

    final Wire wire = new Wire();

    /** The template: a segment from the peer with {@code flags}, SEQ and ACK, a 64 KiB − 1 window and no options. */
    static TcpHeader seg(int flags, int seq, int ack) {
        return new TcpHeader(REMOTE.port(), LOCAL.port(), seq, ack, flags, 0xFFFF, 0, TcpOptions.NONE);
    }

    static TcpHeader withWindow(TcpHeader h, int window) {
        return new TcpHeader(h.sourcePort(), h.destinationPort(), h.sequence(), h.acknowledgment(), h.flags(),
                window, h.urgentPointer(), h.options());
    }

    static TcpHeader withOptions(TcpHeader h, TcpOptions options) {
        return new TcpHeader(h.sourcePort(), h.destinationPort(), h.sequence(), h.acknowledgment(), h.flags(),
                h.window(), h.urgentPointer(), options);
    }

    static MemorySegment bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return MemorySegment.ofArray(b);
    }

    static final MemorySegment NOTHING = MemorySegment.ofArray(new byte[0]);

    static TcpOptions mss(int mss) {
        return new TcpOptions(mss, TcpOptions.ABSENT, false, false, 0, 0, List.of());
    }

    static void assertSegment(Sent s, int flags, int seq, int ack) {
        assertEquals(flags, s.flags(), () -> "flags of " + s);
        assertEquals(seq, s.seq(), () -> "SEQ of " + s);
        if ((flags & ACK) != 0) {
            assertEquals(ack, s.ack(), () -> "ACK of " + s);
        }
    }

    byte[] readAll(TcpConnection c) {
        byte[] b = new byte[c.readable()];
        assertEquals(b.length, Math.max(c.read(T0, MemorySegment.ofArray(b)), 0));
        return b;
    }

    /** Passive open, through SYN-RECEIVED, to ESTABLISHED: ISS and IRS consumed, nothing left on the wire. */
    TcpConnection established(TcpConfig config) {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), mss(1000)), ISS, config,
                T0, wire);
        wire.one();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), NOTHING);
        wire.none();
        assertEquals(State.ESTABLISHED, c.state());
        return c;
    }

    TcpConnection established() {
        return established(CONFIG);
    }

    // ---- LISTEN (the caller's) and CLOSED ----

    @Test
    void listenSyn() {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), mss(1460)), ISS, CONFIG,
                T0, wire);
        Sent synAck = wire.one();
        assertSegment(synAck, SYN | ACK, ISS, IRS + 1);
        assertEquals(1000, synAck.header().options().maxSegmentSize());
        assertEquals(State.SYN_RECEIVED, c.state());
        assertEquals(T0 + S, c.deadline(), "the SYN-ACK is retransmitted after the initial RTO");
    }

    @Test
    void listenAck() {
        TcpConnection.refuse(seg(ACK, IRS, 777), 0, wire);
        assertSegment(wire.one(), RST, 777, 0);
    }

    @Test
    void listenRst() {
        TcpConnection.refuse(seg(RST, IRS, 0), 0, wire);
        wire.none();
    }

    @Test
    void closedSegmentWithoutAck() {
        TcpConnection.refuse(seg(FIN, IRS, 0), 10, wire);
        Sent rst = wire.one();
        assertSegment(rst, RST | ACK, 0, IRS + 11);
        assertEquals(REMOTE.port(), rst.header().destinationPort());
    }

    @Test
    void listenSynAckIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> TcpConnection.accept(LOCAL, REMOTE, seg(SYN | ACK, IRS, 1), ISS, CONFIG, T0, wire));
    }

    // ---- SYN-SENT ----

    TcpConnection synSent(TcpConfig config) {
        TcpConnection c = TcpConnection.connect(LOCAL, REMOTE, ISS, config, T0, wire);
        Sent syn = wire.one();
        assertSegment(syn, SYN, ISS, 0);
        assertEquals(config.maxSegmentSize(), syn.header().options().maxSegmentSize());
        assertEquals(State.SYN_SENT, c.state());
        return c;
    }

    @Test
    void synSentSynAck() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0 + 10 * MS, withOptions(seg(SYN | ACK, IRS, ISS + 1), mss(1460)), NOTHING);
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        assertEquals(State.ESTABLISHED, c.state());
        assertEquals(TcpConnection.NONE, c.deadline());
    }

    @Test
    void synSentSynAckWithData() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(SYN | ACK | FIN, IRS, ISS + 1), bytes(5, 1));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 7);
        assertEquals(State.CLOSE_WAIT, c.state());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, readAll(c));
        assertEquals(-1, c.read(T0, MemorySegment.ofArray(new byte[1])));
    }

    @Test
    void synSentSyn() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(SYN, IRS, 0), NOTHING);
        assertEquals(State.SYN_RECEIVED, c.state());
        assertSegment(wire.one(), SYN | ACK, ISS, IRS + 1);
        // RFC 9293 figure 8: the peer's SYN-ACK is not acceptable here (its SYN is old) and is answered with
        // an ACK; the peer's ACK of that kind completes the open.
        c.receive(T0, seg(SYN | ACK, IRS, ISS + 1), NOTHING);
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), NOTHING);
        assertEquals(State.ESTABLISHED, c.state());
    }

    @Test
    void synSentRst() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(RST | ACK, 0, ISS + 1), NOTHING);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.of(Failure.REFUSED), c.failure());
        wire.none();
    }

    @Test
    void synSentRstWithoutAck() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(RST, IRS, 0), NOTHING);
        assertEquals(State.SYN_SENT, c.state());
        wire.none();
    }

    @Test
    void synSentUnacceptableAck() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(SYN | ACK, IRS, ISS + 5), NOTHING);
        assertSegment(wire.one(), RST, ISS + 5, 0);
        assertEquals(State.SYN_SENT, c.state());
        c.receive(T0, seg(RST | ACK, IRS, ISS), NOTHING); // an ACK of ISS acknowledges nothing
        assertEquals(State.SYN_SENT, c.state());
        wire.none();
    }

    @Test
    void synSentAckWithoutSyn() {
        TcpConnection c = synSent(CONFIG);
        c.receive(T0, seg(ACK, IRS, ISS + 1), NOTHING);
        wire.none();
        assertEquals(State.SYN_SENT, c.state());
    }

    @Test
    void synSentTimeout() {
        TcpConnection c = synSent(CONFIG);
        long now = T0;
        long rto = S;
        for (int i = 0; i < CONFIG.maxSynRetransmissions(); i++) {
            assertEquals(now + rto, c.deadline());
            now = c.deadline();
            c.tick(now);
            assertSegment(wire.one(), SYN, ISS, 0);
            rto *= 2;
        }
        c.tick(c.deadline());
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.of(Failure.TIMED_OUT), c.failure());
        wire.none();
    }

    @Test
    void synSentPortUnreachable() {
        TcpConnection c = synSent(CONFIG);
        c.icmpError(T0, 3, 3, ISS + 7); // not a sequence number in flight
        assertEquals(State.SYN_SENT, c.state());
        c.icmpError(T0, 3, 3, ISS);
        assertEquals(Optional.of(Failure.REFUSED), c.failure());
    }

    @Test
    void synSentHostUnreachable() {
        TcpConnection c = synSent(CONFIG.withRetransmission(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 1));
        c.icmpError(T0, 3, 1, ISS); // soft: remembered
        assertEquals(State.SYN_SENT, c.state());
        c.tick(c.deadline());
        wire.take();
        c.tick(c.deadline());
        assertEquals(Optional.of(Failure.UNREACHABLE), c.failure());
    }

    @Test
    void synSentShutdown() {
        TcpConnection c = synSent(CONFIG);
        c.write(T0, bytes(3, 0));
        c.shutdownOutput(T0);
        wire.none();
        c.receive(T0, seg(SYN | ACK, IRS, ISS + 1), NOTHING);
        assertEquals(State.FIN_WAIT_1, c.state());
        assertSegment(wire.one(), ACK | PSH | FIN, ISS + 1, IRS + 1);
    }

    @Test
    void synSentAbort() {
        TcpConnection c = synSent(CONFIG);
        c.abort(T0);
        wire.none();
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.empty(), c.failure());
    }

    // ---- SYN-RECEIVED ----

    TcpConnection synReceived() {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, seg(SYN, IRS, 0), ISS, CONFIG, T0, wire);
        wire.one();
        return c;
    }

    @Test
    void synReceivedAck() {
        TcpConnection c = synReceived();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), NOTHING);
        assertEquals(State.ESTABLISHED, c.state());
        wire.none();
    }

    @Test
    void synReceivedAckWithData() {
        TcpConnection c = synReceived();
        c.receive(T0, seg(ACK | PSH, IRS + 1, ISS + 1), bytes(3, 7));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 4);
        assertArrayEquals(new byte[] {7, 8, 9}, readAll(c));
    }

    @Test
    void synReceivedUnacceptableAck() {
        TcpConnection c = synReceived();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 9), NOTHING);
        assertSegment(wire.one(), RST, ISS + 9, 0);
        assertEquals(State.SYN_RECEIVED, c.state());
    }

    @Test
    void synReceivedSyn() {
        TcpConnection c = synReceived();
        c.receive(T0 + MS, seg(SYN, IRS, 0), NOTHING); // the peer did not get our SYN-ACK
        assertSegment(wire.one(), SYN | ACK, ISS, IRS + 1);
        assertEquals(State.SYN_RECEIVED, c.state());
    }

    @Test
    void synReceivedRst() {
        TcpConnection c = synReceived();
        c.receive(T0, seg(RST, IRS + 1, 0), NOTHING);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.of(Failure.RESET), c.failure());
    }

    @Test
    void synReceivedTimeout() {
        TcpConnection c = synReceived();
        c.tick(T0 + S);
        assertSegment(wire.one(), SYN | ACK, ISS, IRS + 1);
        assertEquals(T0 + 3 * S, c.deadline());
    }

    @Test
    void synReceivedFin() {
        TcpConnection c = synReceived();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), NOTHING);
        assertEquals(State.CLOSE_WAIT, c.state());
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 2);
    }

    // ---- ESTABLISHED ----

    @Test
    void establishedData() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK | PSH, IRS + 1, ISS + 1), bytes(100, 0));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 101);
        assertEquals(100, c.readable());
        assertArrayEquals(bytes(100, 0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), readAll(c));
        assertEquals(0, c.read(T0, MemorySegment.ofArray(new byte[1])));
    }

    @Test
    void establishedFin() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), bytes(2, 0));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 4);
        assertEquals(State.CLOSE_WAIT, c.state());
        assertTrue(c.endOfStream());
        assertEquals(2, readAll(c).length);
        assertEquals(-1, c.read(T0, MemorySegment.ofArray(new byte[1])));
    }

    @Test
    void establishedRst() {
        TcpConnection c = established();
        c.receive(T0, seg(RST, IRS + 1, 0), NOTHING);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.of(Failure.RESET), c.failure());
        assertThrows(IllegalStateException.class, () -> c.write(T0, bytes(1, 0)));
        assertEquals(-1, c.read(T0, MemorySegment.ofArray(new byte[1])));
    }

    @Test
    void establishedRstInWindow() {
        TcpConnection c = established();
        c.receive(T0, seg(RST, IRS + 100, 0), NOTHING); // RFC 5961 §3.2: not exact, so challenged
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        assertEquals(State.ESTABLISHED, c.state());
    }

    @Test
    void establishedRstOutsideWindow() {
        TcpConnection c = established();
        c.receive(T0, seg(RST, IRS - 100, 0), NOTHING);
        wire.none();
        assertEquals(State.ESTABLISHED, c.state());
    }

    @Test
    void establishedSyn() {
        TcpConnection c = established();
        c.receive(T0, seg(SYN, IRS + 1, 0), NOTHING); // RFC 5961 §4.2: challenged whatever the sequence number
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        assertEquals(State.ESTABLISHED, c.state());
    }

    @Test
    void establishedChallengeAcksAreRateLimited() {
        TcpConnection c = established();
        for (int i = 0; i < 3 * TcpConnection.CHALLENGE_ACKS_PER_SECOND; i++) {
            c.receive(T0 + i * MS, seg(SYN, IRS + 1, 0), NOTHING);
        }
        assertEquals(TcpConnection.CHALLENGE_ACKS_PER_SECOND, wire.take().size());
        c.receive(T0 + S, seg(SYN, IRS + 1, 0), NOTHING);
        assertEquals(1, wire.take().size());
    }

    @Test
    void establishedUnacceptableSegment() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK, IRS - 10, ISS + 1), bytes(5, 0)); // old data
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        assertEquals(0, c.readable());
    }

    @Test
    void establishedAckOfUnsentData() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK | PSH, IRS + 1, ISS + 50), bytes(5, 0)); // RFC 5961 §5.2: dropped, ACK sent
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        assertEquals(0, c.readable());
    }

    @Test
    void establishedAckWithoutAckFlag() {
        TcpConnection c = established();
        c.receive(T0, seg(PSH, IRS + 1, 0), bytes(5, 0));
        wire.none();
        assertEquals(0, c.readable());
    }

    @Test
    void establishedShutdown() {
        TcpConnection c = established();
        c.shutdownOutput(T0);
        assertEquals(State.FIN_WAIT_1, c.state());
        assertSegment(wire.one(), ACK | FIN, ISS + 1, IRS + 1);
        assertThrows(IllegalStateException.class, () -> c.write(T0, bytes(1, 0)));
        assertEquals(0, c.writable());
    }

    @Test
    void establishedAbort() {
        TcpConnection c = established();
        c.abort(T0);
        assertSegment(wire.one(), RST, ISS + 1, 0);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.empty(), c.failure());
    }

    @Test
    void establishedIcmpUnreachable() {
        TcpConnection c = established(CONFIG.withRetransmission(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 1));
        c.write(T0, bytes(10, 0));
        wire.one();
        c.icmpError(T0, 3, 3, ISS + 1); // hard, but not in SYN-SENT: remembered (RFC 5927 §4.1)
        assertEquals(State.ESTABLISHED, c.state());
        c.tick(c.deadline());
        wire.one();
        c.tick(c.deadline());
        assertEquals(Optional.of(Failure.REFUSED), c.failure());
    }

    // ---- FIN-WAIT-1, FIN-WAIT-2, CLOSING, TIME-WAIT ----

    TcpConnection finWait1() {
        TcpConnection c = established();
        c.shutdownOutput(T0);
        wire.one();
        return c;
    }

    @Test
    void finWait1Ack() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 2), NOTHING);
        assertEquals(State.FIN_WAIT_2, c.state());
        wire.none();
        assertEquals(TcpConnection.NONE, c.deadline());
    }

    @Test
    void finWait1Fin() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), NOTHING); // simultaneous close
        assertEquals(State.CLOSING, c.state());
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 2);
    }

    @Test
    void finWait1FinAck() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 2), NOTHING);
        assertEquals(State.TIME_WAIT, c.state());
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 2);
    }

    @Test
    void finWait1Data() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(4, 0));
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 5);
        assertEquals(4, c.readable());
    }

    @Test
    void finWait1Timeout() {
        TcpConnection c = finWait1();
        c.tick(T0 + S);
        assertSegment(wire.one(), ACK | FIN, ISS + 1, IRS + 1);
    }

    @Test
    void finWait2Fin() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 2), NOTHING);
        c.receive(T0 + S, seg(ACK | FIN, IRS + 1, ISS + 2), NOTHING);
        assertEquals(State.TIME_WAIT, c.state());
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 2);
        assertEquals(T0 + S + 60 * S, c.deadline());
    }

    @Test
    void finWait2Data() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 2), NOTHING);
        c.receive(T0, seg(ACK | PSH, IRS + 1, ISS + 2), bytes(3, 0));
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 4);
        assertEquals(3, c.readable());
    }

    @Test
    void closingAck() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), NOTHING);
        wire.one();
        c.receive(T0, seg(ACK, IRS + 2, ISS + 2), NOTHING);
        assertEquals(State.TIME_WAIT, c.state());
        wire.none();
    }

    TcpConnection timeWait() {
        TcpConnection c = finWait1();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 2), NOTHING);
        wire.one();
        return c;
    }

    @Test
    void timeWaitTimeout() {
        TcpConnection c = timeWait();
        c.tick(T0 + 60 * S - 1);
        assertEquals(State.TIME_WAIT, c.state());
        c.tick(T0 + 60 * S);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.empty(), c.failure());
        assertEquals(TcpConnection.NONE, c.deadline());
    }

    @Test
    void timeWaitFin() {
        TcpConnection c = timeWait();
        c.receive(T0 + 30 * S, seg(ACK | FIN, IRS + 1, ISS + 2), NOTHING); // our ACK of it was lost
        assertSegment(wire.one(), ACK, ISS + 2, IRS + 2);
        assertEquals(T0 + 90 * S, c.deadline(), "2·MSL again");
    }

    @Test
    void timeWaitRst() {
        TcpConnection c = timeWait();
        c.receive(T0, seg(RST, IRS + 2, 0), NOTHING);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.empty(), c.failure());
    }

    @Test
    void timeWaitSynBeyondRcvNxt() {
        TcpConnection c = timeWait();
        assertTrue(c.reusableBy(seg(SYN, IRS + 100_000, 0)), "a new incarnation: its ISN is past the old stream (RFC 6191)");
        assertFalse(c.reusableBy(seg(SYN, IRS + 1, 0)), "could be an old duplicate");
        assertFalse(c.reusableBy(seg(SYN | ACK, IRS + 100_000, ISS + 2)), "not a SYN alone");
        wire.none();
    }

    @Test
    void establishedSynIsNoReuse() {
        assertFalse(established().reusableBy(seg(SYN, IRS + 100_000, 0)), "only TIME-WAIT gives way");
    }

    @Test
    void timeWaitConfigured() {
        TcpConnection c = established(CONFIG.withTimeWait(Duration.ofSeconds(2)));
        c.shutdownOutput(T0);
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 2), NOTHING);
        assertEquals(T0 + 2 * S, c.deadline());
    }

    @Test
    void closedSegment() {
        TcpConnection c = timeWait();
        c.tick(T0 + 60 * S);
        c.receive(T0 + 61 * S, seg(ACK, IRS + 2, ISS + 2), NOTHING);
        assertSegment(wire.one(), RST, ISS + 2, 0);
    }

    // ---- CLOSE-WAIT, LAST-ACK ----

    TcpConnection closeWait() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), NOTHING);
        wire.one();
        return c;
    }

    @Test
    void closeWaitShutdown() {
        TcpConnection c = closeWait();
        c.shutdownOutput(T0);
        assertEquals(State.LAST_ACK, c.state());
        assertSegment(wire.one(), ACK | FIN, ISS + 1, IRS + 2);
    }

    @Test
    void closeWaitWrite() {
        TcpConnection c = closeWait();
        assertEquals(3, c.write(T0, bytes(3, 0)));
        assertSegment(wire.one(), ACK | PSH, ISS + 1, IRS + 2);
    }

    @Test
    void closeWaitFin() {
        TcpConnection c = closeWait();
        c.receive(T0, seg(ACK | FIN, IRS + 1, ISS + 1), NOTHING); // the FIN again
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 2);
        assertEquals(State.CLOSE_WAIT, c.state());
    }

    @Test
    void lastAckAck() {
        TcpConnection c = closeWait();
        c.shutdownOutput(T0);
        wire.one();
        c.receive(T0, seg(ACK, IRS + 2, ISS + 2), NOTHING);
        assertEquals(State.CLOSED, c.state());
        assertEquals(Optional.empty(), c.failure());
        assertEquals(TcpConnection.NONE, c.deadline());
        wire.none();
    }

    @Test
    void lastAckRst() {
        TcpConnection c = closeWait();
        c.shutdownOutput(T0);
        c.receive(T0, seg(RST, IRS + 2, 0), NOTHING);
        assertEquals(State.CLOSED, c.state());
    }

    // ---- ESTABLISHED: data transfer (RFC 9293 §3.8–3.9) ----

    static byte[] array(MemorySegment m) {
        return m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Test
    void establishedWriteSegmentsByMss() {
        TcpConnection c = established();
        assertEquals(2500, c.write(T0, bytes(2500, 0)));
        List<Sent> out = wire.take();
        assertEquals(3, out.size());
        assertSegment(out.get(0), ACK, ISS + 1, IRS + 1);
        assertSegment(out.get(1), ACK, ISS + 1001, IRS + 1);
        assertSegment(out.get(2), ACK | PSH, ISS + 2001, IRS + 1);
        assertArrayEquals(array(bytes(1000, 0)), out.get(0).payload());
        assertArrayEquals(array(bytes(500, 2000)), out.get(2).payload());
        assertEquals(T0 + S, c.deadline());
    }

    @Test
    void establishedWriteWithMoreWaitsForTheNextWrite() {
        TcpConnection c = established();
        assertEquals(300, c.write(T0, bytes(300, 0), true));
        wire.none(); // a response's head waits for its body
        assertEquals(900, c.write(T0, bytes(900, 300), false));
        List<Sent> out = wire.take();
        assertEquals(2, out.size(), "full segments: 1000 bytes, then the 200 left");
        assertSegment(out.get(0), ACK, ISS + 1, IRS + 1);
        assertSegment(out.get(1), ACK | PSH, ISS + 1001, IRS + 1);
        assertArrayEquals(array(bytes(1000, 0)), out.get(0).payload());
        assertArrayEquals(array(bytes(200, 1000)), out.get(1).payload());
    }

    @Test
    void establishedWriteLimitedByWindow() {
        TcpConnection c = established();
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 1), 1500), NOTHING);
        c.write(T0, bytes(2500, 0));
        // 500 bytes fit after the first 1000, but not all that is queued, and less than half the largest
        // window: the sender's silly-window avoidance holds them (RFC 9293 §3.8.6.2.1).
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 1001), 1500), NOTHING);
        List<Sent> out = wire.take();
        assertEquals(2, out.size());
        assertSegment(out.get(0), ACK, ISS + 1001, IRS + 1);
        assertSegment(out.get(1), ACK | PSH, ISS + 2001, IRS + 1);
    }

    @Test
    void establishedRetransmissionAcknowledgesNewData() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(100, 0));
        wire.one();
        c.write(T0, bytes(3000, 0));
        assertEquals(3, wire.take().size());
        c.receive(T0, withWindow(seg(ACK, IRS + 101, ISS + 1001), 2000), NOTHING); // the edge: ISS + 3001
        wire.none();
        // The peer sends its data again with more, and an ACK of ours that moves SND.UNA: the window it carries
        // counts though its SEG.SEQ is older than SND.WL1's, and the edge stays where the peer put it.
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 2001), 1000), bytes(200, 0));
        assertSegment(wire.one(), ACK, ISS + 3001, IRS + 201);
        c.write(T0, bytes(1000, 0));
        wire.none();
    }

    @Test
    void establishedWriteBufferFull() {
        TcpConnection c = established(CONFIG.withBuffers(4096, 4096));
        assertEquals(4096, c.write(T0, bytes(10_000, 0)));
        assertEquals(0, c.writable());
        assertEquals(0, c.write(T0, bytes(10, 0)));
        wire.take();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        assertEquals(1000, c.writable());
    }

    @Test
    void establishedOutOfOrder() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK, IRS + 101, ISS + 1), bytes(100, 100));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1); // a duplicate ACK at once (RFC 5681 §4.2)
        assertEquals(0, c.readable());
        c.receive(T0, seg(ACK, IRS + 51, ISS + 1), bytes(100, 50)); // overlaps both sides of the hole
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(50, 0));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 201);
        assertArrayEquals(array(bytes(200, 0)), readAll(c));
    }

    @Test
    void establishedOutOfOrderIsBounded() {
        TcpConnection c = established();
        int ranges = TcpConnection.MAX_OUT_OF_ORDER + 1;
        for (int i = 0; i < ranges; i++) { // data at 10–20, 30–40, …: one range more than are kept
            c.receive(T0, seg(ACK, IRS + 1 + 20 * i + 10, ISS + 1), bytes(10, 20 * i + 10));
        }
        for (int i = 0; i < ranges; i++) { // the holes, 0–10, 20–30, …
            c.receive(T0, seg(ACK, IRS + 1 + 20 * i, ISS + 1), bytes(10, 20 * i));
        }
        assertEquals(20 * ranges - 10, c.readable(), "the last range was not kept");
        assertArrayEquals(array(bytes(20 * ranges - 10, 0)), readAll(c));
    }

    @Test
    void establishedReadOpensWindow() {
        TcpConnection c = established(CONFIG.withBuffers(4000, 4000));
        for (int i = 0; i < 4; i++) {
            c.receive(T0, seg(ACK, IRS + 1 + 1000 * i, ISS + 1), bytes(1000, 0));
        }
        List<Sent> acks = wire.take();
        assertEquals(0, acks.getLast().header().window());
        c.receive(T0, seg(ACK, IRS + 4001, ISS + 1), bytes(10, 0)); // no room: answered, not taken
        assertEquals(0, wire.one().header().window());
        c.read(T0, MemorySegment.ofArray(new byte[500]));
        wire.none(); // 500 is less than a segment: no update yet (RFC 9293 §3.8.6.2.2)
        c.receive(T0, seg(ACK, IRS + 4000, ISS + 1), NOTHING); // a probe
        assertEquals(0, wire.one().header().window(), "nor in an ACK: the right edge stays put");
        c.read(T0, MemorySegment.ofArray(new byte[600]));
        Sent update = wire.one();
        assertSegment(update, ACK, ISS + 1, IRS + 4001);
        assertEquals(1100, update.header().window());
    }

    @Test
    void establishedZeroWindowData() {
        TcpConnection c = established(CONFIG.withBuffers(4000, 1000));
        c.write(T0, bytes(500, 0));
        wire.one();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(1000, 0));
        assertEquals(0, wire.one().header().window());
        // The window is closed, but the ACK of a segment at RCV.NXT still counts (RFC 9293 §3.10.7.4).
        c.receive(T0, seg(ACK | FIN, IRS + 1001, ISS + 501), bytes(100, 0));
        Sent ack = wire.one();
        assertSegment(ack, ACK, ISS + 501, IRS + 1001);
        assertEquals(0, ack.header().window());
        assertEquals(4000, c.writable(), "our 500 bytes are acknowledged");
        assertEquals(TcpConnection.NONE, c.deadline());
        assertEquals(State.ESTABLISHED, c.state(), "the FIN after the data that did not fit is not taken");
    }

    // ---- ESTABLISHED: the retransmission timer (RFC 6298) ----

    static final TcpConfig FAST_RTO = CONFIG.withRetransmission(Duration.ofSeconds(1), Duration.ofMillis(200),
            Duration.ofSeconds(60), 3);

    @Test
    void establishedRetransmissionTimeout() {
        TcpConnection c = established();
        c.write(T0, bytes(1000, 0));
        wire.one();
        c.tick(T0 + S);
        Sent again = wire.one();
        assertSegment(again, ACK | PSH, ISS + 1, IRS + 1);
        assertArrayEquals(array(bytes(1000, 0)), again.payload());
        assertEquals(T0 + 3 * S, c.deadline(), "backed off to 2 s");
        c.receive(T0 + 3 * S / 2, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        assertEquals(TcpConnection.NONE, c.deadline());
        // Karn: the ACK of a retransmitted segment is no sample, the backed-off RTO stays.
        c.write(T0 + 2 * S, bytes(10, 0));
        assertEquals(T0 + 4 * S, c.deadline());
    }

    @Test
    void establishedRttSamples() {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), mss(1000)), ISS, FAST_RTO,
                T0, wire);
        c.receive(T0 + 100 * MS, seg(ACK, IRS + 1, ISS + 1), NOTHING); // the SYN-ACK is timed too
        c.write(T0 + S, bytes(10, 0));
        assertEquals(T0 + S + 300 * MS, c.deadline(), "SRTT 100 ms + 4 × RTTVAR 50 ms");
        c.receive(T0 + S + 300 * MS, seg(ACK, IRS + 1, ISS + 11), NOTHING);
        c.write(T0 + 2 * S, bytes(10, 0));
        // RTTVAR = ¾·50 + ¼·|100 − 300| = 87.5 ms, SRTT = ⅞·100 + ⅛·300 = 125 ms.
        assertEquals(T0 + 2 * S + 475 * MS, c.deadline());
    }

    @Test
    void establishedRttSampleHasAFloor() {
        TcpConnection c = established();
        c.write(T0, bytes(10, 0));
        c.receive(T0 + MS, seg(ACK, IRS + 1, ISS + 11), NOTHING);
        c.write(T0 + S, bytes(10, 0));
        assertEquals(T0 + 2 * S, c.deadline(), "RFC 6298 §2.4: at least 1 s");
    }

    @Test
    void establishedAfterSynTimeout() {
        TcpConnection c = synSent(CONFIG);
        c.tick(T0 + S);
        wire.one();
        c.receive(T0 + 3 * S / 2, seg(SYN | ACK, IRS, ISS + 1), NOTHING);
        wire.one();
        c.write(T0 + 2 * S, bytes(1000, 0));
        assertEquals(T0 + 5 * S, c.deadline(), "RFC 6298 §5.7: 3 s");
        c.write(T0 + 2 * S, bytes(5000, 0));
        assertEquals(1, wire.take().size(), "RFC 5681 §3.1: a lost SYN leaves an initial window of one segment");
    }

    @Test
    void establishedRetransmissionsGiveUp() {
        TcpConnection c = established(FAST_RTO);
        c.write(T0, bytes(10, 0));
        wire.one();
        for (int i = 0; i < 3; i++) {
            c.tick(c.deadline());
            wire.one();
        }
        c.tick(c.deadline());
        assertEquals(Optional.of(Failure.TIMED_OUT), c.failure());
        assertEquals(State.CLOSED, c.state());
        wire.none();
    }

    @Test
    void establishedTimeoutGoesBackN() {
        TcpConnection c = established();
        c.write(T0, bytes(3000, 0));
        assertEquals(3, wire.take().size());
        c.tick(T0 + S);
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1); // the first only: the window is one segment now
        c.receive(T0 + S, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        List<Sent> out = wire.take(); // slow start: two segments for the one acknowledged
        assertEquals(2, out.size());
        assertSegment(out.get(0), ACK, ISS + 1001, IRS + 1);
        assertSegment(out.get(1), ACK | PSH, ISS + 2001, IRS + 1);
    }

        // ---- RFC 7323: window scaling, timestamps, PAWS ----

    static final TcpConfig EXTENSIONS = CONFIG.withExtensions(true, true).withMaxSegmentSize(1460);

    static TcpOptions synOptions(int mss, int scale, int tsVal, int tsEcho) {
        return new TcpOptions(mss, scale, false, false, 0, 0, List.of()).withTimestamps(tsVal, tsEcho);
    }

    static TcpOptions timestamps(int tsVal, int tsEcho) {
        return TcpOptions.NONE.withTimestamps(tsVal, tsEcho);
    }

    /** A 256 KiB receive buffer needs a shift of 3 to be offered whole. */
    TcpConnection synSentExtensions() {
        TcpConnection c = TcpConnection.connect(LOCAL, REMOTE, ISS, EXTENSIONS, T0, wire);
        TcpOptions offered = wire.one().header().options();
        assertEquals(3, offered.windowScale());
        assertTrue(offered.timestamps());
        assertEquals((int) (T0 / MS), offered.timestampValue());
        return c;
    }

    @Test
    void synSentSynAckWithExtensions() {
        TcpConnection c = synSentExtensions();
        c.receive(T0 + 10 * MS, withOptions(seg(SYN | ACK, IRS, ISS + 1), synOptions(1460, 7, 555, (int) (T0 / MS))),
                NOTHING);
        Sent ack = wire.one();
        assertEquals(timestamps((int) (T0 / MS) + 10, 555), ack.header().options());
        assertEquals(256 * 1024 >> 3, ack.header().window());
        // The peer's windows are scaled by 2⁷ from now on: 100 is 12800 bytes, eight segments of 1460 − 12.
        c.receive(T0 + 10 * MS, withOptions(withWindow(seg(ACK, IRS + 1, ISS + 1), 100), timestamps(556, 0)),
                NOTHING);
        c.write(T0 + 10 * MS, bytes(20_000, 0));
        List<Sent> out = wire.take();
        assertEquals(8, out.size());
        assertEquals(1448, out.getFirst().payload().length);
    }

    @Test
    void synSentSynAckWithoutExtensions() {
        TcpConnection c = synSentExtensions();
        c.receive(T0, withWindow(seg(SYN | ACK, IRS, ISS + 1), 1000), NOTHING);
        Sent ack = wire.one();
        assertEquals(TcpOptions.NONE, ack.header().options(), "no timestamps unless both sent them");
        assertEquals(0xFFFF, ack.header().window(), "no scaling unless both sent it");
        c.write(T0, bytes(2000, 0));
        assertEquals(TcpConnection.DEFAULT_MSS, wire.take().getFirst().payload().length, "no MSS option: 536");
    }

    @Test
    void listenSynWithExtensions() {
        TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), synOptions(1460, 2, 99, 0)), ISS,
                EXTENSIONS, T0, wire);
        Sent synAck = wire.one();
        assertEquals(synOptions(1460, 3, (int) (T0 / MS), 99), synAck.header().options());
        assertEquals(0xFFFF, synAck.header().window(), "a SYN's window is never scaled");
    }

    @Test
    void listenSynWithoutExtensions() {
        TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), mss(1460)), ISS, EXTENSIONS, T0, wire);
        TcpOptions answered = wire.one().header().options();
        assertEquals(TcpOptions.ABSENT, answered.windowScale());
        assertFalse(answered.timestamps());
    }

    @Test
    void establishedScaledWindowKeepsItsEdge() {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), synOptions(1460, 0, 1, 0)),
                ISS, EXTENSIONS.withExtensions(true, false), T0, wire);
        assertEquals(3, wire.one().header().options().windowScale());
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), NOTHING);
        long buffer = Integer.toUnsignedLong(IRS + 1) + 256 * 1024; // the receive buffer's right edge
        for (int i = 0; i < 40; i++) { // odd sizes: RCV.NXT moves off the 8-byte granularity
            c.receive(T0, seg(ACK, IRS + 1 + 3 * i, ISS + 1), bytes(3, i));
            Sent ack = wire.one();
            long right = Integer.toUnsignedLong(ack.ack()) + ((long) ack.header().window() << 3);
            // Rounded up to 8 bytes from an edge that stays where the buffer's is: neither drifts left (as
            // rounding down would, a little at every ACK) nor creeps right.
            assertTrue(right >= buffer && right < buffer + 8, () -> right + " for " + buffer);
        }
    }

    TcpConnection establishedWithTimestamps() {
        TcpHeader syn = withOptions(seg(SYN, IRS, 0), synOptions(1460, 0, 1000, 0));
        TcpConfig config = EXTENSIONS.withBuffers(60_000, 60_000);
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, syn, ISS, config, T0, wire);
        wire.one();
        c.receive(T0, withOptions(seg(ACK, IRS + 1, ISS + 1), timestamps(1001, (int) (T0 / MS))), NOTHING);
        return c;
    }

    @Test
    void establishedPaws() {
        TcpConnection c = establishedWithTimestamps();
        c.receive(T0, withOptions(seg(ACK, IRS + 1, ISS + 1), timestamps(1005, 0)), bytes(10, 0));
        assertEquals(1005, wire.one().header().options().timestampEcho());
        // An old timestamp: an old duplicate (RFC 7323 §5.3 R1), answered and dropped.
        c.receive(T0, withOptions(seg(ACK, IRS + 11, ISS + 1), timestamps(1004, 0)), bytes(10, 10));
        Sent ack = wire.one();
        assertSegment(ack, ACK, ISS + 1, IRS + 11);
        assertEquals(1005, ack.header().options().timestampEcho());
        assertEquals(10, c.readable());
        // 24 days later the timestamp to compare with has expired (RFC 7323 §5.5).
        c.receive(T0 + TcpConnection.PAWS_IDLE, withOptions(seg(ACK, IRS + 11, ISS + 1), timestamps(1004, 0)),
                bytes(10, 10));
        assertEquals(20, c.readable());
    }

    @Test
    void establishedRttFromTimestamps() {
        TcpConfig config = EXTENSIONS.withRetransmission(Duration.ofSeconds(1), Duration.ofMillis(200),
                Duration.ofSeconds(60), 15);
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), synOptions(1460, 0, 1, 0)),
                ISS, config, T0, wire);
        // The ACK comes 300 ms after the SYN-ACK but echoes a timestamp from 100 ms later: the RTT is 200 ms.
        c.receive(T0 + 300 * MS, withOptions(seg(ACK, IRS + 1, ISS + 1), timestamps(2, (int) (T0 / MS) + 100)),
                NOTHING);
        c.write(T0 + S, bytes(10, 0));
        assertEquals(T0 + S + 600 * MS, c.deadline(), "SRTT 200 ms + 4 × RTTVAR 100 ms");
    }

    @Test
    void establishedRttFromTimestampsAfterTimeout() {
        TcpConnection c = establishedWithTimestamps();
        c.write(T0, bytes(10, 0));
        wire.one();
        c.tick(T0 + S);
        Sent again = wire.one();
        assertEquals(T0 + 3 * S, c.deadline(), "backed off");
        // Karn's algorithm cannot time the ACK of a retransmission; its echoed timestamp can.
        c.receive(T0 + S + 50 * MS, withOptions(seg(ACK, IRS + 1, ISS + 11),
                timestamps(1002, again.header().options().timestampValue())), NOTHING);
        c.write(T0 + 2 * S, bytes(10, 0));
        assertEquals(T0 + 3 * S, c.deadline(), "a 50 ms sample: the 1 s minimum again, not 2 s");
    }

    @Test
    void establishedNoRttFromAnEchoOfTheLostCopyAfterTimeout() {
        TcpConnection c = establishedWithTimestamps();
        c.write(T0, bytes(10, 0));
        Sent first = wire.one();
        c.tick(T0 + S);
        wire.one();
        assertEquals(T0 + 3 * S, c.deadline(), "backed off");
        // The ACK echoes the first copy's timestamp (the peer's TS.Recent did not move on): it times a copy sent
        // a second and 50 ms ago, across the timeout, and must not pass for the round trip.
        c.receive(T0 + S + 50 * MS, withOptions(seg(ACK, IRS + 1, ISS + 11),
                timestamps(1002, first.header().options().timestampValue())), NOTHING);
        c.write(T0 + 2 * S, bytes(10, 0));
        assertEquals(T0 + 2 * S + 2 * S, c.deadline(), "no sample: the backed-off RTO of 2 s stays");
    }

    // ---- Delayed ACKs, Nagle, zero-window probes, keep-alive ----

    @Test
    void establishedDelayedAck() {
        TcpConnection c = established(CONFIG.withAcking(Duration.ofMillis(40), true));
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(100, 0));
        wire.none();
        assertEquals(T0 + 40 * MS, c.deadline());
        c.tick(T0 + 40 * MS);
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 101);
        assertEquals(TcpConnection.NONE, c.deadline());
    }

    @Test
    void establishedDelayedAckEverySecondFullSegment() {
        TcpConnection c = established(CONFIG.withAcking(Duration.ofMillis(40), true));
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(1000, 0));
        wire.none();
        c.receive(T0, seg(ACK, IRS + 1001, ISS + 1), bytes(1000, 0));
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 2001);
        assertEquals(TcpConnection.NONE, c.deadline());
    }

    @Test
    void establishedDelayedAckRidesOnData() {
        TcpConnection c = established(CONFIG.withAcking(Duration.ofMillis(40), true));
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1), bytes(100, 0));
        c.write(T0 + MS, bytes(5, 0));
        assertSegment(wire.one(), ACK | PSH, ISS + 1, IRS + 101);
        assertEquals(T0 + MS + S, c.deadline(), "only the retransmission timer is left");
    }

    @Test
    void establishedNagle() {
        TcpConnection c = established(CONFIG.withAcking(Duration.ZERO, false));
        c.write(T0, bytes(100, 0));
        assertSegment(wire.one(), ACK | PSH, ISS + 1, IRS + 1); // nothing unacknowledged: sent
        c.write(T0, bytes(50, 0));
        c.write(T0, bytes(50, 0));
        wire.none(); // small, and data unacknowledged: held (RFC 896)
        c.receive(T0, seg(ACK, IRS + 1, ISS + 101), NOTHING);
        Sent held = wire.one();
        assertSegment(held, ACK | PSH, ISS + 101, IRS + 1);
        assertEquals(100, held.payload().length);
        c.write(T0, bytes(1500, 0));
        assertEquals(1000, wire.one().payload().length, "a full segment goes regardless");
    }

    @Test
    void establishedZeroWindow() {
        TcpConnection c = established();
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 1), 0), NOTHING);
        c.write(T0, bytes(100, 0));
        wire.none();
        assertEquals(T0 + S, c.deadline(), "the persist timer");
        c.tick(T0 + S);
        assertSegment(wire.one(), ACK, ISS, IRS + 1); // an old sequence number: the peer must answer
        assertEquals(T0 + 3 * S, c.deadline(), "backed off");
        c.receive(T0 + 2 * S, withWindow(seg(ACK, IRS + 1, ISS + 1), 0), NOTHING); // still closed
        wire.none();
        c.receive(T0 + 2 * S, withWindow(seg(ACK, IRS + 1, ISS + 1), 1000), NOTHING);
        assertSegment(wire.one(), ACK | PSH, ISS + 1, IRS + 1);
    }

    @Test
    void establishedZeroWindowAnsweredForever() {
        TcpConnection c = established(FAST_RTO);
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 1), 0), NOTHING);
        c.write(T0, bytes(100, 0));
        for (int i = 0; i < 10; i++) { // more probes than retransmissions allowed: answered, so no failure
            long at = c.deadline();
            c.tick(at);
            wire.one();
            c.receive(at, withWindow(seg(ACK, IRS + 1, ISS + 1), 0), NOTHING);
        }
        assertEquals(State.ESTABLISHED, c.state());
        for (int i = 0; i < 4; i++) { // unanswered: the fourth times out
            c.tick(c.deadline());
        }
        assertEquals(Optional.of(Failure.TIMED_OUT), c.failure());
    }

    @Test
    void establishedKeepAlive() {
        TcpConnection c = established(CONFIG.withKeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(1), 2));
        assertEquals(T0 + 10 * S, c.deadline());
        c.receive(T0 + 5 * S, seg(ACK, IRS + 1, ISS + 1), NOTHING); // any segment restarts the idle time
        assertEquals(T0 + 15 * S, c.deadline());
        c.tick(T0 + 15 * S);
        assertSegment(wire.one(), ACK, ISS, IRS + 1);
        c.tick(T0 + 16 * S);
        assertSegment(wire.one(), ACK, ISS, IRS + 1);
        c.tick(T0 + 17 * S);
        assertEquals(Optional.of(Failure.TIMED_OUT), c.failure());
    }

    // ---- RFC 5681 and RFC 6582 congestion control ----

    @Test
    void establishedSlowStart() {
        TcpConnection c = established();
        c.write(T0, bytes(20_000, 0));
        assertEquals(10, wire.take().size(), "RFC 6928: ten segments of 1000 bytes");
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        assertEquals(2, wire.take().size(), "one segment acknowledged, the window grew by one");
    }

    @Test
    void establishedIdleRestart() {
        TcpConnection c = established();
        c.write(T0, bytes(10_000, 0));
        wire.take();
        for (int i = 1; i <= 10; i++) { // slow start: the window grows by a segment per ACK, to 20 segments
            c.receive(T0, seg(ACK, IRS + 1, ISS + 1 + 1000 * i), NOTHING);
        }
        c.write(T0 + 500 * MS, bytes(30_000, 0));
        assertEquals(20, wire.take().size());
        c.receive(T0 + 500 * MS, seg(ACK, IRS + 1, ISS + 30_001), NOTHING);
        wire.take();
        c.receive(T0 + 500 * MS, seg(ACK, IRS + 1, ISS + 40_001), NOTHING);
        c.write(T0 + 2 * S, bytes(30_000, 0)); // idle for more than the RTO
        assertEquals(10, wire.take().size(), "RFC 5681 §4.1: back to the initial window");
    }

    @Test
    void establishedFastRetransmit() {
        TcpConnection c = established();
        c.write(T0, bytes(6000, 0));
        assertEquals(6, wire.take().size());
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // the second segment is lost
        wire.take();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING);
        wire.none();
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // the third duplicate
        Sent again = wire.one();
        assertSegment(again, ACK, ISS + 1001, IRS + 1);
        assertArrayEquals(array(bytes(1000, 1000)), again.payload());
        // A partial acknowledgment (the fourth was lost too): NewReno sends that hole at once.
        c.receive(T0, seg(ACK, IRS + 1, ISS + 3001), NOTHING);
        assertSegment(wire.take().getFirst(), ACK, ISS + 3001, IRS + 1);
    }

    @Test
    void establishedLimitedTransmit() {
        TcpConnection c = established();
        c.write(T0, bytes(20_000, 0));
        int window = wire.take().size(); // the initial window's worth; the rest waits
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // the second segment is lost
        int afterAck = wire.take().size();
        int flight = window + afterAck;
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // first duplicate: one new segment (RFC 3042)
        assertSegment(wire.one(), ACK, ISS + 1 + flight * 1000, IRS + 1);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // second: one more
        assertSegment(wire.one(), ACK, ISS + 1 + (flight + 1) * 1000, IRS + 1);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1001), NOTHING); // third: the lost one again, fast
        assertSegment(wire.take().getFirst(), ACK, ISS + 1001, IRS + 1);
    }

    @Test
    void establishedAckTooOld() {
        TcpConnection c = established();
        c.receive(T0, seg(ACK, IRS + 1, ISS - 70_000), NOTHING); // below SND.UNA − MAX.SND.WND (RFC 5961 §5.2)
        assertSegment(wire.one(), ACK, ISS + 1, IRS + 1);
        c.receive(T0, seg(ACK, IRS + 1, ISS - 100), NOTHING); // an old duplicate, within reach: ignored
        wire.none();
    }

    // ---- the acceptability test, RFC 9293 §3.10.7.4 ----

    @Test
    void acceptabilityFourCases() {
        // SEG.LEN = 0, RCV.WND = 0: only SEG.SEQ = RCV.NXT.
        assertTrue(TcpConnection.acceptable(100, 0, 100, 0));
        assertFalse(TcpConnection.acceptable(101, 0, 100, 0));
        // SEG.LEN = 0, RCV.WND > 0: RCV.NXT ≤ SEG.SEQ < RCV.NXT + RCV.WND.
        assertTrue(TcpConnection.acceptable(109, 0, 100, 10));
        assertFalse(TcpConnection.acceptable(110, 0, 100, 10));
        assertFalse(TcpConnection.acceptable(99, 0, 100, 10));
        // SEG.LEN > 0, RCV.WND = 0: never.
        assertFalse(TcpConnection.acceptable(100, 1, 100, 0));
        // SEG.LEN > 0, RCV.WND > 0: the first or the last byte in the window.
        assertTrue(TcpConnection.acceptable(95, 6, 100, 10));
        assertFalse(TcpConnection.acceptable(95, 5, 100, 10));
        assertTrue(TcpConnection.acceptable(109, 50, 100, 10));
        assertFalse(TcpConnection.acceptable(110, 1, 100, 10));
        // Across the wrap of sequence numbers.
        assertTrue(TcpConnection.acceptable(-3, 4, -2, 10));
        assertTrue(TcpConnection.acceptable(3, 1, -2, 10));
    }
}

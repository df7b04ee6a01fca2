package dev.morgana.net.tcpip.tcp;

import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.IRS;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.ISS;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.LOCAL;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.NOTHING;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.REMOTE;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.S;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.T0;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.assertSegment;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.bytes;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.mss;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.seg;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.withOptions;
import static dev.morgana.net.tcpip.tcp.TcpConnectionTest.withWindow;
import static dev.morgana.net.tcpip.tcp.TcpHeader.ACK;
import static dev.morgana.net.tcpip.tcp.TcpHeader.FIN;
import static dev.morgana.net.tcpip.tcp.TcpHeader.PSH;
import static dev.morgana.net.tcpip.tcp.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.tcp.TcpConnectionTest.Sent;
import dev.morgana.net.tcpip.tcp.TcpConnectionTest.Wire;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core with a send limit (TCP segmentation offload): one segment longer than the MSS where the windows allow
 * a run of them, and exactly the segments it would have sent without the limit once cut at the MSS.
 */
class TcpSegmentationOffloadTest {

    /** MSS 1000, no extensions, ACKs at once, Nagle on unless a test says otherwise. */
    static final TcpConfig CONFIG = TcpConfig.DEFAULTS.withExtensions(false, false)
            .withAcking(Duration.ZERO, false).withMaxSegmentSize(1000);

    final Wire wire = new Wire();

    TcpConnection established(TcpConfig config, int sendLimit, int window, Wire out) {
        TcpConnection c = TcpConnection.accept(LOCAL, REMOTE, withOptions(seg(SYN, IRS, 0), mss(1000)), ISS, config,
                sendLimit, T0, out);
        out.one();
        c.receive(T0, withWindow(seg(ACK, IRS + 1, ISS + 1), window), NOTHING);
        out.none();
        assertEquals(1000, c.sendMss());
        return c;
    }

    /** Grows the congestion window from its initial 10 segments to 20: ten ACKs of a segment each in slow start. */
    void grow(TcpConnection c) {
        c.write(T0, bytes(10_000, 0));
        int sent = wire.take().stream().mapToInt(s -> s.payload().length).sum();
        assertEquals(10_000, sent);
        for (int acked = 1000; acked <= 10_000; acked += 1000) {
            c.receive(T0, seg(ACK, IRS + 1, ISS + 1 + acked), NOTHING);
        }
        wire.none();
    }

    @Test
    void aWriteOfThreeSegmentsLeavesAsOneWhenTheWindowsAllow() {
        TcpConnection c = established(CONFIG, 65_000, 0xFFFF, wire);
        grow(c);
        assertEquals(3000, c.write(T0, bytes(3000, 0)));
        Sent s = wire.one();
        assertSegment(s, ACK | PSH, ISS + 1 + 10_000, IRS + 1);
        assertEquals(3000, s.payload().length);
        assertArrayEquals(bytes(3000, 0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), s.payload());
    }

    @Test
    void withoutALimitTheSameWriteLeavesInSegmentsOfTheMss() {
        TcpConnection c = established(CONFIG, 0, 0xFFFF, wire);
        c.write(T0, bytes(3000, 0));
        List<Sent> sent = wire.take();
        assertEquals(List.of(1000, 1000, 1000), sent.stream().map(s -> s.payload().length).toList());
    }

    @Test
    void aLimitAtTheMssChangesNothing() {
        TcpConnection c = established(CONFIG, 1000, 0xFFFF, wire);
        c.write(T0, bytes(3000, 0));
        assertEquals(List.of(1000, 1000, 1000), wire.take().stream().map(s -> s.payload().length).toList());
    }

    @Test
    void aSuperSegmentTakesAQuarterOfTheWindowSoThatALossBringsThreeDuplicateAcks() {
        // The initial window is 10 segments (RFC 6928: min(10·MSS, max(2·MSS, 14600))): a quarter is 2500 bytes.
        TcpConnection c = established(CONFIG.withBuffers(64 * 1024, 64 * 1024), 65_000, 0xFFFF, wire);
        c.write(T0, bytes(20_000, 0));
        List<Sent> sent = wire.take();
        assertEquals(List.of(2000, 2000, 2000, 2000, 2000), sent.stream().map(s -> s.payload().length).toList());
        assertEquals(ACK, sent.getLast().flags(), "more data follows: no PSH");
        // Two segments at least, however small the window.
        TcpConnection small = established(CONFIG, 65_000, 3000, wire);
        small.write(T0, bytes(3000, 0));
        assertEquals(List.of(2000, 1000), wire.take().stream().map(s -> s.payload().length).toList());
    }

    @Test
    void theLimitIsRoundedDownToWholeSegments() {
        TcpConnection c = established(CONFIG.withBuffers(64 * 1024, 64 * 1024), 4500, 0xFFFF, wire);
        grow(c);
        c.write(T0, bytes(9000, 0));
        assertEquals(List.of(4000, 4000, 1000), wire.take().stream().map(s -> s.payload().length).toList());
    }

    @Test
    void nagleHoldsTheShortTailOfASuperSegmentWhileDataIsInFlight() {
        TcpConnection c = established(CONFIG, 65_000, 2500, wire);
        c.write(T0, bytes(3000, 0));
        // The peer's window has room for 2500: two full segments; the last 500 would be a small segment behind
        // unacknowledged data, less than half the largest window.
        Sent s = wire.one();
        assertEquals(2000, s.payload().length);
    }

    @Test
    void retransmissionsStayAtTheMss() {
        TcpConnection c = established(CONFIG, 65_000, 0xFFFF, wire);
        c.write(T0, bytes(2000, 0));
        assertEquals(2000, wire.one().payload().length);
        c.tick(c.deadline());
        Sent again = wire.one();
        assertSegment(again, ACK, ISS + 1, IRS + 1);
        assertEquals(1000, again.payload().length);
    }

    @Test
    void theFinRidesOnTheSuperSegment() {
        TcpConnection c = established(CONFIG, 65_000, 0xFFFF, wire);
        c.write(T0, bytes(2000, 0));
        assertEquals(2000, wire.one().payload().length);
        c.receive(T0, seg(ACK, IRS + 1, ISS + 1 + 2000), NOTHING);
        c.write(T0, bytes(3000, 0));
        c.shutdownOutput(T0);
        List<Sent> sent = wire.take();
        int total = 0;
        int flags = 0;
        for (Sent s : sent) {
            total += s.payload().length;
            flags |= s.flags();
        }
        assertEquals(3000, total);
        assertEquals(FIN, flags & FIN);
    }

    @Test
    void aSendLimitIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> TcpConnection.connect(LOCAL, REMOTE, ISS, CONFIG, -1, T0,
                wire));
        assertThrows(IllegalArgumentException.class, () -> TcpConnection.connect(LOCAL, REMOTE, ISS, CONFIG,
                TcpConfig.MAX_SEGMENT_SIZE + 1, T0, wire));
    }

    /**
     * For writes of many sizes, windows and both Nagle settings, through rounds of ACKs: the connection with a
     * send limit sends what the one without sends, once its segments are cut at the MSS as a device cuts them
     * (FIN and PSH on the last piece only).
     */
    @Test
    void cutAtTheMssASuperSegmentIsWhatTheConnectionSendsWithoutOffload() {
        int[] sizes = {1, 999, 1000, 1001, 2500, 3000, 7777, 12_000, 30_001};
        int[] windows = {500, 1000, 2500, 5000, 0xFFFF};
        int superSegments = 0;
        for (boolean noDelay : new boolean[] {false, true}) {
            TcpConfig config = CONFIG.withAcking(Duration.ZERO, noDelay).withBuffers(64 * 1024, 64 * 1024);
            for (int size : sizes) {
                for (int window : windows) {
                    for (int limit : new int[] {3000, 65_000}) {
                        String what = "size " + size + ", window " + window + ", noDelay " + noDelay + ", limit "
                                + limit;
                        Wire plain = new Wire();
                        Wire offloaded = new Wire();
                        TcpConnection a = established(config, 0, window, plain);
                        TcpConnection b = established(config, limit, window, offloaded);
                        long now = T0;
                        a.write(now, bytes(size, 3));
                        b.write(now, bytes(size, 3));
                        if (size % 2 == 1) {
                            a.shutdownOutput(now);
                            b.shutdownOutput(now);
                        }
                        ByteArrayOutputStream received = new ByteArrayOutputStream();
                        for (int round = 0; round < 500; round++) {
                            List<Sent> expected = plain.take();
                            List<Sent> whole = offloaded.take();
                            superSegments += (int) whole.stream().filter(s -> s.payload().length > 1000).count();
                            List<Sent> cut = cut(whole, 1000);
                            assertEquals(render(expected), render(cut), what + ", round " + round);
                            if (expected.isEmpty()) {
                                // Held by Nagle or SWS avoidance: the persist timer pushes it.
                                assertEquals(a.deadline(), b.deadline(), what);
                                if (a.deadline() == TcpConnection.NONE) {
                                    break;
                                }
                                now = Math.max(now, a.deadline());
                                a.tick(now);
                                b.tick(now);
                                continue;
                            }
                            Sent last = expected.getLast();
                            int acked = last.seq() + last.payload().length + ((last.flags() & FIN) != 0 ? 1 : 0);
                            for (Sent s : expected) {
                                received.write(s.payload(), 0, s.payload().length);
                            }
                            now += S / 100;
                            a.receive(now, withWindow(seg(ACK, IRS + 1, acked), window), NOTHING);
                            b.receive(now, withWindow(seg(ACK, IRS + 1, acked), window), NOTHING);
                        }
                        assertEquals(size, received.size(), what);
                    }
                }
            }
        }
        assertEquals(true, superSegments > 100, "super-segments were sent: " + superSegments);
    }

    /** Cuts each segment longer than {@code mss} as a device does: FIN and PSH on the last piece. */
    static List<Sent> cut(List<Sent> sent, int mss) {
        List<Sent> out = new ArrayList<>();
        for (Sent s : sent) {
            byte[] p = s.payload();
            if (p.length <= mss) {
                out.add(s);
                continue;
            }
            for (int offset = 0; offset < p.length; offset += mss) {
                int len = Math.min(mss, p.length - offset);
                TcpHeader h = s.header();
                int flags = offset + len == p.length ? h.flags() : h.flags() & ~(FIN | PSH);
                out.add(new Sent(new TcpHeader(h.sourcePort(), h.destinationPort(), h.sequence() + offset,
                        h.acknowledgment(), flags, h.window(), h.urgentPointer(), h.options()),
                        java.util.Arrays.copyOfRange(p, offset, offset + len)));
            }
        }
        return out;
    }

    static List<String> render(List<Sent> sent) {
        return sent.stream().map(s -> s.header() + " " + java.util.HexFormat.of().formatHex(s.payload())).toList();
    }
}

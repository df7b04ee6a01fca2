package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.tcp.TcpConnection.State;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A connection against a hostile peer: segments with any flags, sequence and acknowledgment numbers near
 * and far from where the connection is, any window, options and payload size, mixed with the application's
 * writes, reads and shutdowns, timers and ICMP errors. Nothing throws, every documented invariant holds after
 * every event, and nothing the connection sends breaks the rules a peer relies on: a SYN only in the
 * handshake, acknowledgment numbers that never go back, data only from what was written. Replay a seed with
 * -Dmorgana.seed=N.
 */
class TcpConnectionPropertiesTest {

    static final Endpoint LOCAL = Endpoint.parse("192.0.2.1:80");
    static final Endpoint REMOTE = Endpoint.parse("192.0.2.2:40000");
    static final long MS = 1_000_000L;

    @Property(tries = 200)
    void aHostilePeerBreaksNoInvariant(RandomGenerator random) {
        List<TcpHeader> sent = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>(); // the SEG.LEN of each
        TcpConfig config = TcpConfig.DEFAULTS.withMaxSegmentSize(random.nextInt(100, 1461))
                .withBuffers(1 << random.nextInt(10, 17), 1 << random.nextInt(10, 17))
                .withRetransmission(Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofSeconds(5),
                        random.nextInt(1, 8))
                .withAcking(random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(40), random.nextBoolean())
                .withExtensions(random.nextBoolean(), random.nextBoolean());
        if (random.nextBoolean()) {
            config = config.withKeepAlive(Duration.ofSeconds(2), Duration.ofSeconds(1), 2);
        }
        int mss = config.maxSegmentSize();
        TcpConnection.Output output = (header, payload) -> {
            assertTrue(payload.byteSize() <= mss, "a segment larger than the MSS");
            sent.add(header);
            sizes.add(header.sequenceLength((int) payload.byteSize()));
        };
        long now = random.nextLong();
        int peerIss = random.nextInt();
        TcpConnection c = random.nextBoolean()
                ? TcpConnection.connect(LOCAL, REMOTE, random.nextInt(), config, now, output)
                : TcpConnection.accept(LOCAL, REMOTE, syn(random, peerIss), random.nextInt(), config, now, output);
        c.checkInvariants();
        // The peer's notion of where the connection is: the highest sequence number sent, the last ACK.
        int theirNext = peerIss + 1;
        int ourNext = 0;
        int highestAck = 0;
        boolean acked = false;
        byte[] scratch = new byte[70_000];
        for (int step = 0; step < 1_500 && c.state() != State.CLOSED; step++) {
            for (int i = 0; i < sent.size(); i++) {
                TcpHeader h = sent.get(i);
                if (!h.has(TcpHeader.RST)) {
                    int end = h.sequence() + sizes.get(i);
                    ourNext = ourNext == 0 ? end : Seq.max(ourNext, end);
                }
                if (h.has(TcpHeader.ACK) && !h.has(TcpHeader.RST)) {
                    theirNext = h.acknowledgment();
                }
            }
            for (TcpHeader h : sent) {
                assertTrue(!h.has(TcpHeader.SYN) || c.state() == State.SYN_SENT || c.state() == State.SYN_RECEIVED,
                        "a SYN only in the handshake: " + h);
                if (h.has(TcpHeader.ACK) && !h.has(TcpHeader.RST) && !h.has(TcpHeader.SYN)) {
                    assertTrue(!acked || Seq.ge(h.acknowledgment(), highestAck), "the ACK went back: " + h);
                    highestAck = acked ? Seq.max(highestAck, h.acknowledgment()) : h.acknowledgment();
                    acked = true;
                }
            }
            sent.clear();
            sizes.clear();
            now += random.nextInt(4) == 0 ? random.nextLong(2_000 * MS) : random.nextLong(5 * MS);
            switch (random.nextInt(10)) {
                case 0 -> c.tick(c.deadline() == TcpConnection.NONE ? now : Math.max(now, c.deadline()));
                case 1 -> {
                    if (c.writable() > 0) {
                        c.write(now, MemorySegment.ofArray(scratch).asSlice(0, random.nextInt(1, 5_000)));
                    }
                }
                case 2 -> c.read(now, MemorySegment.ofArray(scratch).asSlice(0, random.nextInt(1, 5_000)));
                case 3 -> {
                    if (random.nextInt(20) == 0) {
                        c.shutdownOutput(now);
                    } else {
                        c.icmpError(now, random.nextBoolean() ? 3 : random.nextInt(20), random.nextInt(16),
                                ourNext - random.nextInt(3));
                    }
                }
                default -> {
                    int length = random.nextInt(3) == 0 ? 0 : random.nextInt(1, 1_600);
                    TcpHeader h = c.state() == State.SYN_SENT && random.nextBoolean()
                            ? new TcpHeader(REMOTE.port(), LOCAL.port(), peerIss, ourNext,
                                    TcpHeader.SYN | TcpHeader.ACK, random.nextInt(0x10000), 0, options(random, true))
                            : segment(random, theirNext, ourNext);
                    c.receive(now, h, MemorySegment.ofArray(scratch).asSlice(0, length));
                }
            }
            c.checkInvariants();
            if (c.state() == State.CLOSED) {
                assertEquals(TcpConnection.NONE, c.deadline());
            }
        }
    }

    static TcpHeader syn(RandomGenerator random, int iss) {
        return new TcpHeader(REMOTE.port(), LOCAL.port(), iss, 0, TcpHeader.SYN, random.nextInt(0x10000), 0,
                options(random, true));
    }

    /** A segment near where the connection is (or anywhere), with any flags. */
    static TcpHeader segment(RandomGenerator random, int theirNext, int ourNext) {
        int seq = switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> theirNext;
            default -> theirNext + random.nextInt(-3_000, 70_000);
        };
        int ack = switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> ourNext + random.nextInt(-3_000, 3_000);
            default -> ourNext - random.nextInt(3) * random.nextInt(1_500);
        };
        int flags = random.nextInt(8) == 0 ? random.nextInt(0x100)
                : TcpHeader.ACK | (random.nextInt(10) == 0 ? TcpHeader.FIN : 0)
                        | (random.nextInt(20) == 0 ? TcpHeader.RST : 0) | (random.nextInt(20) == 0 ? TcpHeader.SYN : 0);
        return new TcpHeader(REMOTE.port(), LOCAL.port(), seq, ack, flags,
                random.nextBoolean() ? 0xFFFF : random.nextInt(0x10000), 0, options(random, false));
    }

    static TcpOptions options(RandomGenerator random, boolean syn) {
        int mss = syn && random.nextBoolean() ? random.nextInt(0x10000) : TcpOptions.ABSENT;
        int scale = random.nextBoolean() ? random.nextInt(TcpOptions.MAX_WINDOW_SCALE + 1) : TcpOptions.ABSENT;
        TcpOptions options = new TcpOptions(mss, scale, false, false, 0, 0, List.of());
        return random.nextBoolean() ? options.withTimestamps(random.nextInt(), random.nextInt()) : options;
    }
}

package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.net.Endpoint;
import dev.morgana.net.tcpip.TcpConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One TCP connection (RFC 9293) as a state machine that does no I/O: it reads no clock, starts no thread and
 * takes no lock. The caller — the stack's event loop — feeds it segments ({@link #receive}), the time
 * ({@link #tick} at {@link #deadline()}), the application's data ({@link #write}, {@link #read},
 * {@link #shutdownOutput}, {@link #abort}) and ICMP errors ({@link #icmpError}), each with the monotonic time
 * {@code now} in nanoseconds; the connection hands the segments it sends to the {@link Output} it was created
 * with, during the call. Not thread-safe: one caller at a time.
 *
 * <p>What it implements: the state machine of RFC 9293 §3.10 (LISTEN is the caller's: a SYN to a listening
 * port becomes a connection through {@link #accept}, anything else there is answered by {@link #refuse});
 * bounded send and receive buffers, with retransmission from the send buffer and reassembly of segments that
 * arrive out of order within the receive window (RFC 9293 §3.8–3.9); the retransmission timer of RFC 6298 with
 * Karn's algorithm; window scaling, timestamps and PAWS (RFC 7323); delayed acknowledgments (RFC 1122
 * §4.2.3.2, RFC 5681 §4.2); Nagle's algorithm (RFC 896) and sender and receiver silly-window avoidance (RFC
 * 9293 §3.8.6.2); zero-window probing and keep-alive (RFC 1122 §4.2.2.17, §4.2.3.6); slow start and
 * congestion avoidance (RFC 5681) with an initial window of RFC 6928, and NewReno fast retransmit and
 * recovery (RFC 6582); the challenge ACKs of RFC 5961, rate-limited; ICMP errors as RFC 1122 §4.2.3.9 and
 * RFC 5927 ask. Not implemented: SACK (RFC 2018; never offered), urgent data (RFC 6093: its bytes are
 * ordinary data), ECN, path MTU discovery.
 *
 * <p>Sequence numbers are {@code int}s compared with {@link Seq}. Payloads are {@link MemorySegment}s: a
 * received payload is copied once, into the receive buffer, during {@link #receive}; a sent payload is a
 * slice of the send buffer, valid only during {@link Output#send}.
 *
 * <p><b>Segmentation offload.</b> Created with a send limit above the MSS (the path's device segments TCP), the
 * connection hands the output one segment of up to that many bytes of new data where it would have sent a run
 * of full segments and perhaps a short last one, back to back; the output has the device cut it into segments
 * of {@link #sendMss()} bytes. Windows, congestion control, Nagle and SWS avoidance still count bytes, and
 * decide each piece as they would have decided each segment; retransmissions stay at the MSS.
 */
public final class TcpConnection {

    /** The states of RFC 9293 §3.3.2, less LISTEN, which is the caller's. */
    public enum State {
        /** A SYN is sent; waiting for the peer's. */
        SYN_SENT,
        /** A SYN was received and a SYN-ACK sent; waiting for its acknowledgment. */
        SYN_RECEIVED,
        /** Open both ways. */
        ESTABLISHED,
        /** Output shut down; our FIN is queued or sent and not yet acknowledged. */
        FIN_WAIT_1,
        /** Our FIN is acknowledged; waiting for the peer's. */
        FIN_WAIT_2,
        /** The peer's FIN arrived; output still open. */
        CLOSE_WAIT,
        /** Both FINs sent, ours not yet acknowledged (simultaneous close). */
        CLOSING,
        /** The peer's FIN arrived, then ours was sent; waiting for its acknowledgment. */
        LAST_ACK,
        /** Both FINs sent and acknowledged; waiting 2·MSL so that stray segments die out. */
        TIME_WAIT,
        /** Over: closed cleanly, aborted, or failed ({@link #failure()}). */
        CLOSED
    }

    /** Why a connection failed. */
    public enum Failure {
        /** The peer reset the connection. */
        RESET,
        /** The peer refused the connection: a RST to our SYN, or an ICMP port unreachable in SYN-SENT. */
        REFUSED,
        /** Retransmissions, window probes or keep-alive probes went unanswered. */
        TIMED_OUT,
        /** An ICMP error said the peer cannot be reached. */
        UNREACHABLE
    }

    /** Where a connection's segments go. */
    @FunctionalInterface
    public interface Output {

        /**
         * Sends one segment from the connection's local endpoint to its remote one.
         *
         * @param header the header; its ports are the connection's
         * @param payload the data, possibly empty: a view of the connection's buffer, valid only during this
         *     call (copy it to keep it); longer than {@link TcpConnection#sendMss()} only on a connection
         *     created with a send limit, when the output must cut it into segments of that size (or have the
         *     device do it)
         */
        void send(TcpHeader header, MemorySegment payload);
    }

    /** No deadline. */
    public static final long NONE = Long.MAX_VALUE;
    /** The MSS assumed when the peer's SYN has no MSS option (RFC 9293 §3.7.1). */
    static final int DEFAULT_MSS = 536;
    /** The smallest MSS taken from a peer (Linux's {@code tcp_min_snd_mss} is 48): smaller would be hostile. */
    static final int MIN_MSS = 64;
    /** Ranges of out-of-order data held at most: a bound on the bookkeeping, whatever the peer sends. */
    static final int MAX_OUT_OF_ORDER = 8;
    /** Challenge ACKs sent per second at most (RFC 5961 §7). */
    static final int CHALLENGE_ACKS_PER_SECOND = 10;
    /** The timestamp option's length with its padding: what it takes from every segment (RFC 7323 §3.2). */
    static final int TIMESTAMPS_LENGTH = 12;
    static final long MILLISECOND = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    /** RFC 7323 §5.5: TS.Recent is no longer valid after 24 days idle. */
    static final long PAWS_IDLE = 24L * 86_400 * SECOND;
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private final Endpoint local;
    private final Endpoint remote;
    private final TcpConfig config;
    private final Output output;
    /** Whether this end sent the first SYN (rather than answering one). */
    private final boolean active;
    private State state;
    private Failure failure;
    /** An ICMP error short of fatal (RFC 1122 §4.2.3.9): reported instead of TIMED_OUT if the connection times out. */
    private Failure softError;

    // Send sequence space (RFC 9293 §3.3.1). Invariant: ISS ≤ SND.UNA ≤ SND.NXT ≤ sndMax.

    /** ISS: our initial sequence number, the SYN's. */
    private final int iss;
    /** SND.UNA: the oldest sequence number not yet acknowledged. */
    private int sndUna;
    /**
     * SND.NXT: the next sequence number to send. Rewound to SND.UNA by a retransmission timeout (go-back-N),
     * so it may be below {@link #sndMax}.
     */
    private int sndNxt;
    /** The sequence number after the last one ever sent: what RFC 9293 calls SND.NXT when it checks an ACK. */
    private int sndMax;
    /** SND.WND: the peer's window, scaled, in bytes from SND.UNA. */
    private int sndWnd;
    /** MAX.SND.WND: the largest window the peer ever offered (RFC 5961 §5.2). */
    private int maxSndWnd;
    /** SND.WL1: the sequence number of the segment that last updated SND.WND. */
    private int sndWl1;
    /** SND.WL2: the acknowledgment number of the segment that last updated SND.WND. */
    private int sndWl2;
    /**
     * Eff.snd.MSS: the largest payload of a segment on the wire, from the peer's MSS option and ours, less the
     * timestamps.
     */
    private int sndMss;
    /**
     * The largest payload handed to the output in one segment when the path segments TCP itself (TCP
     * segmentation offload): the device cuts a longer one into segments of {@link #sndMss}. At most
     * {@link #sndMss} (no offload) unless the caller said otherwise; new data only, never a retransmission.
     */
    private final int sendLimit;
    /** The send buffer: bytes from {@link #sendStart} on, written and not acknowledged. */
    private final ByteRing send;
    /** The sequence number of the send buffer's first byte: ISS + 1 until data is acknowledged. */
    private int sendStart;
    /** Whether the application shut output down: a FIN follows the buffer, at {@link #finSeq()}. */
    private boolean finQueued;

    // Receive sequence space (RFC 9293 §3.3.1).

    /** IRS: the peer's initial sequence number; meaningful from SYN-RECEIVED on. */
    private int irs;
    /**
     * RCV.NXT: the next sequence number expected, just after the receive buffer's readable bytes. RCV.WND is
     * {@link #rcvWnd()}: the receive buffer's free space, so that the window's right edge, the read position
     * plus the buffer's capacity, never moves left.
     */
    private int rcvNxt;
    /** The receive buffer: readable bytes, then out-of-order data in its free space. */
    private final ByteRing receive;
    /** Out-of-order data held, as sorted, disjoint, non-adjacent ranges, all after RCV.NXT and in the window. */
    private final int[] oooStart = new int[MAX_OUT_OF_ORDER];
    private final int[] oooEnd = new int[MAX_OUT_OF_ORDER];
    private int oooCount;
    /** Whether the peer's FIN was consumed: reads end once the buffer is drained. */
    private boolean finReceived;
    /** Whether the peer's FIN arrived ahead of data still missing, at {@link #remoteFinSeq}. */
    private boolean remoteFinPending;
    private int remoteFinSeq;
    /** The largest payload received: what a full-sized segment is, for delayed ACKs (Linux's rcv_mss). */
    private int largestSegment;
    /** The acknowledgment number last sent: Last.ACK.sent of RFC 7323. */
    private int lastAckSent;
    /**
     * The right edge of the receive window committed to: never moves left, never past RCV.NXT + RCV.WND. The
     * window field may say a little more, rounded up to the scale's granularity.
     */
    private int rcvAdvertisedEdge;

    // RFC 7323.

    /** Whether both SYNs carried the window-scale option. */
    private boolean scaling;
    /** Our window-scale shift, fixed by our SYN; 0 unless both ends sent the option. */
    private int rcvScale;
    /** The peer's window-scale shift; 0 unless both ends sent the option. */
    private int sndScale;
    /** Whether both SYNs carried timestamps: every segment then does. */
    private boolean timestamps;
    /** TS.Recent: the timestamp to echo; meaningful only with {@link #timestamps}. */
    private int tsRecent;
    /** When TS.Recent was last updated (RFC 7323 §5.5). */
    private long tsRecentAt;

    // RFC 6298 retransmission timer, in nanoseconds.

    private long srtt;
    private long rttvar;
    /** RTO, backed off; between the configured minimum and maximum. */
    private long rto;
    private boolean rttSampled;
    /** Whether a segment is being timed (one at a time, never a retransmitted one: Karn's algorithm). */
    private boolean timing;
    /** The sequence number whose acknowledgment ends the timing. */
    private int timedSeq;
    private long timedAt;
    /** Consecutive retransmission timeouts of the same data. */
    private int retransmissions;
    /** The TSval of the last retransmission after a timeout: an echo older than it does not time the ACK. */
    private int retransmittedTsval;
    private boolean synRetransmitted;

    // RFC 5681 and RFC 6582 congestion control, in bytes.

    private int cwnd;
    /** When data was last sent, for the restart window after idle (RFC 5681 §4.1). */
    private long lastSentAt;
    private int ssthresh = Integer.MAX_VALUE;
    private int duplicateAcks;
    private boolean recovering;
    /** The highest sequence number sent when recovery last began (RFC 6582's "recover", plus one). */
    private int recover;

    // Acknowledgments, probes, RFC 5961.

    /** Whether an ACK must go out with the next flush. */
    private boolean ackNow;
    /** Whether the next data flush ignores Nagle and silly-window avoidance (a persist-timer override). */
    private boolean pushNow;
    /** Window probes sent since the peer last acknowledged anything. */
    private int persistProbes;
    /** The persist timer's backoff, reset when the window opens. */
    private int persistBackoff;
    private int keepAliveProbes;
    private long challengeWindowStart;
    private int challengeAcks;

    // Timers: absolute times in nanoseconds, NONE when not running.

    private long retransmitAt = NONE;
    private long persistAt = NONE;
    private long delayedAckAt = NONE;
    private long keepAliveAt = NONE;
    private long timeWaitAt = NONE;

    private TcpConnection(Endpoint local, Endpoint remote, int iss, TcpConfig config, int sendLimit, Output output,
            State state, boolean active, long now) {
        if (sendLimit < 0 || sendLimit > TcpConfig.MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("a send limit is 0–" + TcpConfig.MAX_SEGMENT_SIZE + ", got "
                    + sendLimit);
        }
        this.sendLimit = sendLimit;
        this.local = Objects.requireNonNull(local, "local");
        this.remote = Objects.requireNonNull(remote, "remote");
        this.config = Objects.requireNonNull(config, "config");
        this.output = Objects.requireNonNull(output, "output");
        this.state = state;
        this.active = active;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.sendStart = iss + 1;
        this.recover = iss;
        this.send = new ByteRing(config.sendBufferSize());
        this.receive = new ByteRing(config.receiveBufferSize());
        this.rto = config.initialRetransmissionTimeout().toNanos();
        this.sndMss = Math.min(config.maxSegmentSize(), DEFAULT_MSS);
        this.challengeWindowStart = now - SECOND;
        this.lastSentAt = now;
    }

    /**
     * Opens a connection actively (RFC 9293 §3.10.1, OPEN in CLOSED): SYN-SENT, and a SYN sent.
     *
     * @param local this end, with a concrete address and port
     * @param remote the peer
     * @param iss the initial sequence number (RFC 6528)
     * @param config the tunables
     * @param now the time in nanoseconds
     * @param output where segments go, from this call on
     * @return the connection
     */
    public static TcpConnection connect(Endpoint local, Endpoint remote, int iss, TcpConfig config, long now,
            Output output) {
        return connect(local, remote, iss, config, 0, now, output);
    }

    /**
     * Opens a connection actively as {@link #connect(Endpoint, Endpoint, int, TcpConfig, long, Output)} does, on
     * a path that segments TCP itself: data may go to the output in segments of up to {@code sendLimit} bytes,
     * which the output has cut into segments of {@link #sendMss()} bytes.
     *
     * @param local this end, with a concrete address and port
     * @param remote the peer
     * @param iss the initial sequence number (RFC 6528)
     * @param config the tunables
     * @param sendLimit the largest payload of one segment handed to the output, 0–65495; at most the MSS is
     *     used when it is smaller (0: no offload)
     * @param now the time in nanoseconds
     * @param output where segments go, from this call on
     * @return the connection
     */
    public static TcpConnection connect(Endpoint local, Endpoint remote, int iss, TcpConfig config, int sendLimit,
            long now, Output output) {
        TcpConnection c = new TcpConnection(local, remote, iss, config, sendLimit, output, State.SYN_SENT, true, now);
        c.flush(now);
        return c;
    }

    /**
     * Answers a SYN that arrived at a listening port (RFC 9293 §3.10.7.2, third check): SYN-RECEIVED, and a
     * SYN-ACK sent. Data on the SYN is not kept; the peer sends it again once the connection is established.
     *
     * @param local this end: the SYN's destination
     * @param remote the peer: the SYN's source
     * @param syn the SYN's header
     * @param iss the initial sequence number (RFC 6528)
     * @param config the tunables
     * @param now the time in nanoseconds
     * @param output where segments go, from this call on
     * @return the connection
     * @throws IllegalArgumentException when {@code syn} is not a SYN without ACK and RST
     */
    public static TcpConnection accept(Endpoint local, Endpoint remote, TcpHeader syn, int iss, TcpConfig config,
            long now, Output output) {
        return accept(local, remote, syn, iss, config, 0, now, output);
    }

    /**
     * Answers a SYN as {@link #accept(Endpoint, Endpoint, TcpHeader, int, TcpConfig, long, Output)} does, on a
     * path that segments TCP itself, with {@code sendLimit} as
     * {@link #connect(Endpoint, Endpoint, int, TcpConfig, int, long, Output)} takes it.
     *
     * @param local this end: the SYN's destination
     * @param remote the peer: the SYN's source
     * @param syn the SYN's header
     * @param iss the initial sequence number (RFC 6528)
     * @param config the tunables
     * @param sendLimit the largest payload of one segment handed to the output, 0–65495 (0: no offload)
     * @param now the time in nanoseconds
     * @param output where segments go, from this call on
     * @return the connection
     * @throws IllegalArgumentException when {@code syn} is not a SYN without ACK and RST
     */
    public static TcpConnection accept(Endpoint local, Endpoint remote, TcpHeader syn, int iss, TcpConfig config,
            int sendLimit, long now, Output output) {
        if (!syn.has(TcpHeader.SYN) || (syn.flags() & (TcpHeader.ACK | TcpHeader.RST)) != 0) {
            throw new IllegalArgumentException("not a SYN to a listening port: flags 0x"
                    + Integer.toHexString(syn.flags()));
        }
        TcpConnection c = new TcpConnection(local, remote, iss, config, sendLimit, output, State.SYN_RECEIVED, false,
                now);
        c.synchronise(syn, now);
        c.flush(now);
        return c;
    }

    /**
     * Answers a segment that has no connection with a RST (RFC 9293 §3.10.7.1, and §3.10.7.2 for an ACK to a
     * listening port): nothing for a RST, {@code <SEQ=SEG.ACK><CTL=RST>} for a segment with an ACK,
     * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>} otherwise.
     *
     * @param segment the segment's header
     * @param payloadLength its data's length
     * @param output where the RST goes, back to the segment's source
     */
    public static void refuse(TcpHeader segment, int payloadLength, Output output) {
        if (segment.has(TcpHeader.RST)) {
            return;
        }
        TcpHeader reset = segment.has(TcpHeader.ACK)
                ? new TcpHeader(segment.destinationPort(), segment.sourcePort(), segment.acknowledgment(), 0,
                        TcpHeader.RST, 0, 0, TcpOptions.NONE)
                : new TcpHeader(segment.destinationPort(), segment.sourcePort(), 0,
                        segment.sequence() + segment.sequenceLength(payloadLength), TcpHeader.RST | TcpHeader.ACK,
                        0, 0, TcpOptions.NONE);
        output.send(reset, EMPTY);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Queries.

    /**
     * Returns this end.
     *
     * @return the local endpoint
     */
    public Endpoint local() {
        return local;
    }

    /**
     * Returns the peer.
     *
     * @return the remote endpoint
     */
    public Endpoint remote() {
        return remote;
    }

    /**
     * Returns the largest payload of one segment on the wire: what the output cuts a longer segment into.
     *
     * @return Eff.snd.MSS in bytes, options excluded (536 until the peer's SYN says otherwise)
     */
    public int sendMss() {
        return sndMss;
    }

    /**
     * Returns the state.
     *
     * @return where the connection is in RFC 9293 §3.3.2
     */
    public State state() {
        return state;
    }

    /**
     * Returns why the connection failed, if it did.
     *
     * @return the failure; empty while the connection is alive, and after a clean close or {@link #abort}
     */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Returns how many bytes {@link #read} can return now.
     *
     * @return received bytes in order, not yet read
     */
    public int readable() {
        return receive.length();
    }

    /**
     * Tells whether the peer's FIN arrived: once {@link #readable()} bytes are read, reads return -1.
     *
     * @return whether the peer will send no more
     */
    public boolean endOfStream() {
        return finReceived;
    }

    /**
     * Tells whether a SYN for this connection's 4-tuple may open a new connection in its place (RFC 1122
     * §4.2.2.13, RFC 6191): only in TIME-WAIT, and only a SYN that cannot be an old duplicate of this one: with
     * timestamps, a TSval beyond the last one seen; without, a sequence number beyond RCV.NXT. The caller then
     * forgets this connection and answers the SYN as a listener would.
     *
     * @param syn a SYN without ACK or RST
     * @return whether it may
     */
    public boolean reusableBy(TcpHeader syn) {
        if (state != State.TIME_WAIT || !syn.has(TcpHeader.SYN) || (syn.flags() & (TcpHeader.ACK | TcpHeader.RST)) != 0) {
            return false;
        }
        TcpOptions options = syn.options();
        return timestamps && options.timestamps() ? Seq.gt(options.timestampValue(), tsRecent)
                : Seq.gt(syn.sequence(), rcvNxt);
    }

    /**
     * Returns how many bytes {@link #write} accepts now.
     *
     * @return the send buffer's free space; 0 once output is shut down or the connection closed
     */
    public int writable() {
        return finQueued || state == State.CLOSED ? 0 : send.free();
    }

    /**
     * Returns when {@link #tick} must next be called.
     *
     * @return the earliest timer, in nanoseconds; {@link #NONE} when none runs
     */
    public long deadline() {
        return earliest(earliest(retransmitAt, persistAt), earliest(earliest(delayedAckAt, keepAliveAt), timeWaitAt));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Application events.

    /**
     * Copies as much of {@code data} as fits into the send buffer and sends what the windows allow (RFC 9293
     * §3.10.2, SEND). Data written before the connection is established waits for it.
     *
     * @param now the time in nanoseconds
     * @param data the bytes; read during the call only
     * @return the bytes accepted: 0 when the buffer is full
     * @throws IllegalStateException when output is shut down or the connection closed
     */
    public int write(long now, MemorySegment data) {
        return write(now, data, false);
    }

    /**
     * As {@link #write(long, MemorySegment)}, but with {@code more} the bytes only join the send buffer, as with
     * Linux's {@code MSG_MORE}: the next write sends them, with its own, so that the pieces of one gathering write
     * (a response's head and body) leave in full segments.
     *
     * @param now the time in nanoseconds
     * @param data the bytes; read during the call only
     * @param more whether more bytes follow at once
     * @return the bytes accepted: 0 when the buffer is full
     * @throws IllegalStateException when output is shut down or the connection closed
     */
    public int write(long now, MemorySegment data, boolean more) {
        if (finQueued || state == State.CLOSED) {
            throw new IllegalStateException(failure != null ? "the connection failed: " + failure
                    : state == State.CLOSED ? "the connection is closed" : "output is shut down");
        }
        int n = send.append(data);
        if (!more) {
            flush(now);
        }
        return n;
    }

    /**
     * Moves received bytes into {@code into} (RFC 9293 §3.10.3, RECEIVE), and sends a window update when the
     * window grew by enough to matter (RFC 9293 §3.8.6.2.2: a full segment, or half the buffer).
     *
     * @param now the time in nanoseconds
     * @param into where the bytes go
     * @return the bytes read; 0 when none are there yet; -1 at the end of the stream (the peer's FIN, all
     *     read) or once the connection is closed without one
     */
    public int read(long now, MemorySegment into) {
        if (receive.length() == 0) {
            return finReceived || state == State.CLOSED ? -1 : 0;
        }
        int n = receive.read(into);
        if (n > 0 && !finReceived && state != State.CLOSED) {
            if (rcvNxt + rcvWnd() - rcvAdvertisedEdge >= swsThreshold()) {
                ackNow = true;
                flush(now);
            }
        }
        return n;
    }

    /**
     * Shuts output down (RFC 9293 §3.10.4, CLOSE): a FIN follows the data already written. Before the
     * connection is established the FIN waits for it. Does nothing when output is already shut down.
     *
     * @param now the time in nanoseconds
     */
    public void shutdownOutput(long now) {
        if (finQueued || state == State.CLOSED) {
            return;
        }
        finQueued = true;
        switch (state) {
            case ESTABLISHED -> state = State.FIN_WAIT_1;
            case CLOSE_WAIT -> state = State.LAST_ACK;
            default -> { } // SYN-SENT, SYN-RECEIVED: queued for ESTABLISHED (RFC 9293 §3.10.4)
        }
        flush(now);
    }

    /**
     * Abandons the connection (RFC 9293 §3.10.5, ABORT): a RST if the peer knows of it, both buffers dropped,
     * CLOSED without a failure.
     *
     * @param now the time in nanoseconds
     */
    public void abort(long now) {
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT ->
                    emit(now, TcpHeader.RST, ackSeq(), EMPTY);
            default -> { } // SYN-SENT: the peer knows nothing; CLOSING, LAST-ACK, TIME-WAIT: both sides closed
        }
        close(null);
        receive.clear(); // even after the peer's FIN: an abort drops what was not read
    }

    /**
     * Takes an ICMP error about a segment this connection sent (RFC 1122 §4.2.3.9, RFC 5927). Only errors that
     * quote a sequence number in flight count (RFC 5927 §4.1). Destination unreachable for protocol, port or
     * administrative reasons is a hard error: it fails the connection in SYN-SENT; every other error (and those
     * in other states, RFC 5927 §4.1 and Linux) is remembered and reported if the connection later times out.
     * Fragmentation needed (path MTU discovery, RFC 1191) and source quench (RFC 6633) change nothing here.
     *
     * @param now the time in nanoseconds
     * @param type the ICMP type: 3 destination unreachable, 11 time exceeded, 12 parameter problem
     * @param code the ICMP code
     * @param sequence the sequence number in the quoted TCP header
     */
    public void icmpError(long now, int type, int code, int sequence) {
        if (state == State.CLOSED || !Seq.within(sndUna, sequence, sndMax)) {
            return;
        }
        boolean unreachable = type == 3;
        if (!unreachable && type != 11 && type != 12 || unreachable && code == 4) {
            return;
        }
        boolean hard = unreachable && (code == 2 || code == 3 || code == 9 || code == 10 || code == 13);
        Failure reason = unreachable && code == 3 ? Failure.REFUSED : Failure.UNREACHABLE;
        if (hard && state == State.SYN_SENT) {
            close(reason);
        } else {
            softError = reason;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Network and timer events.

    /**
     * Processes a segment from the peer (RFC 9293 §3.10.7, SEGMENT ARRIVES), then sends what it calls for.
     *
     * @param now the time in nanoseconds
     * @param segment the header, its ports this connection's (reversed)
     * @param payload the data: copied into the receive buffer during the call, not kept
     */
    public void receive(long now, TcpHeader segment, MemorySegment payload) {
        switch (state) {
            // §3.10.7.1: no connection; everything but a RST is answered with one.
            case CLOSED -> refuse(segment, (int) payload.byteSize(), output);
            // §3.10.7.3.
            case SYN_SENT -> synSent(now, segment, payload);
            // §3.10.7.4: the synchronised states, and SYN-RECEIVED.
            default -> synchronised(now, segment, payload);
        }
        flush(now);
    }

    /**
     * Runs the timers that are due (RFC 6298 retransmission, persist, delayed ACK, keep-alive, TIME-WAIT), then
     * sends what they call for. Early and repeated calls are harmless.
     *
     * @param now the time in nanoseconds
     */
    public void tick(long now) {
        if (due(timeWaitAt, now)) {
            close(null); // RFC 9293 §3.10.8: the time-wait timeout
            return;
        }
        if (due(retransmitAt, now)) {
            retransmissionTimeout(now);
        }
        if (due(persistAt, now)) {
            persistTimeout(now);
        }
        if (due(delayedAckAt, now)) {
            delayedAckAt = NONE;
            ackNow = true;
        }
        if (due(keepAliveAt, now)) {
            keepAliveTimeout(now);
        }
        if (state != State.CLOSED) {
            flush(now);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // SEGMENT ARRIVES.

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void synSent(long now, TcpHeader seg, MemorySegment payload) {
        boolean ack = seg.has(TcpHeader.ACK);
        // First: an ACK of something other than our SYN is answered with a RST (unless it is one).
        if (ack && (Seq.le(seg.acknowledgment(), iss) || Seq.gt(seg.acknowledgment(), sndMax))) {
            if (!seg.has(TcpHeader.RST)) {
                emit(now, TcpHeader.RST, seg.acknowledgment(), EMPTY);
            }
            return;
        }
        // Second: a RST is acceptable only if it acknowledges our SYN (RFC 5961 §3.2 in SYN-SENT).
        if (seg.has(TcpHeader.RST)) {
            if (ack) {
                close(Failure.REFUSED);
            }
            return;
        }
        // Fourth: a SYN. Anything else is dropped.
        if (!seg.has(TcpHeader.SYN)) {
            return;
        }
        synchronise(seg, now);
        if (config.keepAlive()) {
            keepAliveAt = now + config.keepAliveIdle().toNanos();
        }
        if (ack) {
            // Our SYN is acknowledged: ESTABLISHED, ACK the SYN, then take any data and FIN (sixth step on).
            sndUna = seg.acknowledgment();
            sndNxt = Seq.max(sndNxt, sndUna);
            sampleAndRestart(now, seg);
            sndWl2 = seg.acknowledgment();
            established();
            ackNow = true;
            text(now, seg, seg.sequence() + 1, payload);
        } else {
            // Simultaneous open: SYN-RECEIVED, and our SYN sent again with an ACK (RFC 9293 figure 8).
            state = State.SYN_RECEIVED;
            sndNxt = iss;
            retransmitAt = NONE;
        }
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronised states, ESTABLISHED to TIME-WAIT. */
    private void synchronised(long now, TcpHeader seg, MemorySegment payload) {
        int seq = seg.sequence();
        int length = (int) payload.byteSize();
        int segLen = seg.sequenceLength(length);
        boolean rst = seg.has(TcpHeader.RST);
        TcpOptions options = seg.options();
        // RFC 7323 §5.3 R1, PAWS: an old timestamp marks an old duplicate: not acceptable.
        if (timestamps && options.timestamps() && !rst && Seq.lt(options.timestampValue(), tsRecent)
                && now - tsRecentAt < PAWS_IDLE) {
            ackNow = true;
            return;
        }
        // First: the acceptability test, with its "special allowance" for the ACK of a segment at RCV.NXT
        // when the window is closed: its data is dropped, its acknowledgment and window taken.
        boolean ackOnly = false;
        if (!acceptable(seq, segLen, rcvNxt, rcvWnd())) {
            if (rst) {
                return; // RFC 5961 §3.2: a RST out of the window is dropped silently
            }
            if (state == State.SYN_RECEIVED && seg.has(TcpHeader.SYN) && !seg.has(TcpHeader.ACK) && seq == irs) {
                sndNxt = iss; // the peer's SYN again: our SYN-ACK was lost, send it again now
                retransmitAt = NONE;
                timing = false; // Karn: its ACK would not say which SYN-ACK it answers
                return;
            }
            if (rcvWnd() == 0 && seq == rcvNxt && !seg.has(TcpHeader.SYN)) {
                ackOnly = true;
            } else {
                if (state == State.TIME_WAIT && seg.has(TcpHeader.FIN) && seq + segLen == rcvNxt) {
                    timeWaitAt = now + config.timeWait().toNanos(); // §3.10.7.4 eighth: the FIN again restarts 2·MSL
                }
                ackNow = true;
                return;
            }
        }
        if (config.keepAlive()) {
            keepAliveAt = now + config.keepAliveIdle().toNanos();
            keepAliveProbes = 0;
        }
        // Second: RST (RFC 5961 §3.2: exactly at RCV.NXT resets, elsewhere in the window is challenged).
        if (rst) {
            if (seq != rcvNxt) {
                challengeAck(now);
                return;
            }
            switch (state) {
                // §3.10.7.4 second, SYN-RECEIVED: refused if we opened, else back to LISTEN (the caller's).
                case SYN_RECEIVED -> close(active ? Failure.REFUSED : Failure.RESET);
                // ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: connection reset.
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> close(Failure.RESET);
                // CLOSING, LAST-ACK, TIME-WAIT: closed; a failure only if data of ours was lost.
                default -> close(send.length() > 0 ? Failure.RESET : null);
            }
            return;
        }
        // Fourth: SYN in a synchronised state (RFC 5961 §4.2): a challenge ACK, whatever its sequence number.
        if (seg.has(TcpHeader.SYN)) {
            challengeAck(now);
            return;
        }
        // Fifth: ACK. Without one, the segment is dropped.
        if (!seg.has(TcpHeader.ACK)) {
            return;
        }
        int ack = seg.acknowledgment();
        if (state == State.SYN_RECEIVED) {
            if (!Seq.lt(sndUna, ack) || !Seq.le(ack, sndMax)) {
                emit(now, TcpHeader.RST, ack, EMPTY); // §3.10.7.4 fifth, SYN-RECEIVED: an unacceptable ACK
                return;
            }
            sndWnd = seg.window() << sndScale;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seq;
            sndWl2 = ack;
            established();
        }
        if (!acknowledge(now, seg, length)) {
            return;
        }
        switch (state) {
            // FIN-WAIT-1: our FIN acknowledged, FIN-WAIT-2.
            case FIN_WAIT_1 -> {
                if (finAcknowledged()) {
                    state = State.FIN_WAIT_2;
                }
            }
            // CLOSING: our FIN acknowledged, TIME-WAIT.
            case CLOSING -> {
                if (finAcknowledged()) {
                    enterTimeWait(now);
                }
            }
            // LAST-ACK: our FIN acknowledged, CLOSED.
            case LAST_ACK -> {
                if (finAcknowledged()) {
                    close(null);
                    return;
                }
            }
            // ESTABLISHED, CLOSE-WAIT, FIN-WAIT-2: the ACK's work is done; TIME-WAIT: nothing new can arrive.
            default -> { }
        }
        // RFC 7323 §4.3: remember the timestamp of the segment that is next in order.
        if (timestamps && options.timestamps() && Seq.ge(options.timestampValue(), tsRecent)
                && Seq.le(seq, lastAckSent)) {
            tsRecent = options.timestampValue();
            tsRecentAt = now;
        }
        if (ackOnly) {
            ackNow = true; // the data did not fit: say so, with the closed window
            return;
        }
        // Sixth, urgent: ignored; its bytes are ordinary data (RFC 6093). Seventh and eighth: text and FIN.
        text(now, seg, seq, payload);
    }

    /**
     * RFC 9293 §3.10.7.4, first check: the four cases of segment acceptability.
     *
     * @param seq SEG.SEQ
     * @param segLen SEG.LEN
     * @param rcvNxt RCV.NXT
     * @param rcvWnd RCV.WND
     * @return whether any of the segment lies in the window
     */
    static boolean acceptable(int seq, int segLen, int rcvNxt, int rcvWnd) {
        if (segLen == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : Seq.within(rcvNxt, seq, rcvNxt + rcvWnd);
        }
        return rcvWnd != 0 && (Seq.within(rcvNxt, seq, rcvNxt + rcvWnd)
                || Seq.within(rcvNxt, seq + segLen - 1, rcvNxt + rcvWnd));
    }

    /** The SYN's fields and options (RFC 9293 §3.10.7.2–3, §3.7.1; RFC 7323 §2.2, §3.2). */
    private void synchronise(TcpHeader syn, long now) {
        TcpOptions peer = syn.options();
        irs = syn.sequence();
        rcvNxt = irs + 1;
        lastAckSent = rcvNxt;
        rcvAdvertisedEdge = rcvNxt;
        sndWnd = syn.window(); // a SYN's window is never scaled
        maxSndWnd = sndWnd;
        sndWl1 = syn.sequence();
        sndWl2 = syn.has(TcpHeader.ACK) ? syn.acknowledgment() : iss;
        if (config.windowScaling() && peer.windowScale() != TcpOptions.ABSENT) {
            scaling = true;
            sndScale = peer.windowScale();
            rcvScale = ourWindowScale();
        }
        if (config.timestamps() && peer.timestamps()) {
            timestamps = true;
            tsRecent = peer.timestampValue();
            tsRecentAt = now;
        }
        int peerMss = peer.maxSegmentSize() == TcpOptions.ABSENT ? DEFAULT_MSS
                : Math.max(peer.maxSegmentSize(), MIN_MSS);
        sndMss = Math.max(Math.min(config.maxSegmentSize(), peerMss) - (timestamps ? TIMESTAMPS_LENGTH : 0), 1);
    }

    /** SYN-SENT or SYN-RECEIVED to ESTABLISHED, or on to FIN-WAIT-1 if output was shut down meanwhile. */
    private void established() {
        state = finQueued ? State.FIN_WAIT_1 : State.ESTABLISHED;
        if (synRetransmitted && rto < 3 * SECOND) {
            rto = clampRto(3 * SECOND); // RFC 6298 §5.7: after a SYN timeout, data starts with an RTO of 3 s
        }
        cwnd = synRetransmitted ? sndMss : initialWindow(); // RFC 5681 §3.1: one segment if the SYN was lost
    }

    /** RFC 6928 §2: IW = min(10·MSS, max(2·MSS, 14600)). */
    private int initialWindow() {
        return Math.min(10 * sndMss, Math.max(2 * sndMss, 14_600));
    }

    /**
     * RFC 9293 §3.10.7.4 fifth check in a synchronised state, with RFC 5961 §5.2 and RFC 5681: advances
     * SND.UNA, updates the window, counts duplicates. Returns false when the segment is to be dropped.
     */
    private boolean acknowledge(long now, TcpHeader seg, int length) {
        int ack = seg.acknowledgment();
        if (Seq.gt(ack, sndMax) || Seq.lt(ack, sndUna - maxSndWnd)) {
            challengeAck(now); // RFC 5961 §5.2: outside [SND.UNA − MAX.SND.WND, SND.NXT]
            return false;
        }
        int window = seg.window() << sndScale;
        boolean advances = Seq.gt(ack, sndUna);
        if (advances) {
            newAck(now, seg);
        } else if (ack == sndUna && length == 0 && !seg.has(TcpHeader.FIN) && window == sndWnd
                && sndMax != sndUna) {
            duplicateAck(now); // RFC 5681 §2's definition of a duplicate ACK
        }
        // The window is taken from a segment that acknowledges SND.UNA (so that SND.UNA + SND.WND is an edge the
        // peer offered) and is newer than the last that set it: by SND.WL1 and SND.WL2 (RFC 9293), or by its ACK.
        // The RFC's test alone would keep the old SND.WND while SND.UNA moves on when a peer's retransmission (an
        // old SEG.SEQ) acknowledges new data, sliding the window past the edge the peer offered; an ACK that
        // advances SND.UNA is never an old segment's (Linux's tcp_may_update_window).
        if (ack == sndUna && (advances || Seq.lt(sndWl1, seg.sequence())
                || sndWl1 == seg.sequence() && Seq.le(sndWl2, ack))) {
            sndWnd = window;
            maxSndWnd = Math.max(maxSndWnd, window);
            sndWl1 = seg.sequence();
            sndWl2 = ack;
            if (window > 0) {
                persistBackoff = 0;
            }
        }
        persistProbes = 0; // the peer answers: a closed window may stay closed indefinitely (RFC 1122 §4.2.2.17)
        return true;
    }

    /** An ACK of new data: frees the send buffer, samples the RTT, grows the congestion window. */
    private void newAck(long now, TcpHeader seg) {
        int ack = seg.acknowledgment();
        int acked = ack - sndUna;
        int dataAcked = Math.min(ack - sendStart, send.length());
        if (dataAcked > 0) {
            send.consume(dataAcked);
            sendStart += dataAcked;
        }
        sndUna = ack;
        sndNxt = Seq.max(sndNxt, sndUna);
        sampleAndRestart(now, seg);
        if (recovering) {
            if (Seq.ge(ack, recover)) {
                // RFC 6582 §3.2 step 3: a full acknowledgment ends recovery.
                recovering = false;
                cwnd = Math.min(ssthresh, Math.max(sndMax - sndUna, sndMss) + sndMss);
            } else {
                // Step 5: a partial acknowledgment: send the next hole again, deflate the window.
                retransmitFirst(now);
                cwnd = Math.max(cwnd - acked + (acked >= sndMss ? sndMss : 0), sndMss);
            }
        } else if (cwnd < ssthresh) {
            cwnd = grow(cwnd, Math.min(acked, sndMss)); // RFC 5681 §3.1 slow start
        } else {
            cwnd = grow(cwnd, Math.max(1, (int) ((long) sndMss * sndMss / cwnd))); // congestion avoidance
        }
        duplicateAcks = 0;
    }

    /** RFC 5681 §3.2 with RFC 6582 §3.2 steps 1–2 and 4: fast retransmit on the third duplicate, then inflate. */
    private void duplicateAck(long now) {
        duplicateAcks++;
        if (recovering) {
            cwnd = grow(cwnd, sndMss);
        } else if (duplicateAcks == 3 && Seq.ge(sndUna, recover)) {
            ssthresh = Math.max((sndMax - sndUna) / 2, 2 * sndMss);
            recover = sndMax;
            recovering = true;
            retransmitFirst(now);
            cwnd = ssthresh + 3 * sndMss;
        }
    }

    /**
     * RFC 6298 §5.3 and Karn: a sample if the timed segment is acknowledged; the timer restarted or stopped.
     * With timestamps, the echoed TSval measures too (RFC 7323 §4.1), even the ACK of a retransmission, which
     * Karn's algorithm alone could not time: so a backed-off RTO collapses at the first ACK after a timeout.
     */
    private void sampleAndRestart(long now, TcpHeader seg) {
        TcpOptions options = seg.options();
        long echoed = timestamps && options.timestamps() && options.timestampEcho() != 0
                ? (timestampNow(now) - options.timestampEcho()) * MILLISECOND : -1;
        if (echoed > config.maxRetransmissionTimeout().toNanos()) {
            echoed = -1; // not a timestamp of ours
        }
        if (timing && Seq.ge(sndUna, timedSeq)) {
            timing = false;
            long sample = now - timedAt;
            rttSample(echoed >= 0 && echoed <= sample ? echoed : sample);
        } else if (retransmissions > 0 && echoed >= 0 && options.timestampEcho() - retransmittedTsval >= 0) {
            // Only an echo of the retransmission (or later) times it: an older one times a copy that was lost
            // or delayed, and would count the outage or the backoff as round-trip time.
            rttSample(echoed);
        }
        retransmissions = 0;
        retransmitAt = sndUna == sndMax ? NONE : now + rto;
    }

    /** RFC 6298 §2.2–2.3. */
    private void rttSample(long r) {
        if (!rttSampled) {
            rttSampled = true;
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = clampRto(srtt + Math.max(MILLISECOND, 4 * rttvar));
    }

    /** RFC 9293 §3.10.7.4 seventh and eighth: the data, then the FIN, of a segment with data from {@code dataSeq}. */
    private void text(long now, TcpHeader seg, int dataSeq, MemorySegment payload) {
        int length = (int) payload.byteSize();
        boolean fin = seg.has(TcpHeader.FIN);
        // Seventh: data is taken in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 only; the peer's FIN ended it elsewhere.
        boolean takesData = state == State.ESTABLISHED || state == State.FIN_WAIT_1 || state == State.FIN_WAIT_2;
        if (!takesData || finReceived) {
            return;
        }
        if (length > 0) {
            int skip = Math.max(rcvNxt - dataSeq, 0); // already received
            int offset = Math.max(dataSeq - rcvNxt, 0);
            int n = Math.min(length - Math.min(skip, length), rcvWnd() - offset);
            if (skip >= length || n <= 0) {
                ackNow = true; // a duplicate, or no room: say where we are (RFC 5681 §4.2)
                fin &= skip >= length; // a FIN right after duplicate data still counts
            } else {
                if (n < length - skip) {
                    fin = false; // the end did not fit, nor does the FIN after it
                }
                place(now, offset, payload, skip, n);
            }
        }
        // Eighth: the FIN, once everything before it has arrived (and not if an earlier one already ended the data).
        if (fin && !finReceived) {
            int finSeq = dataSeq + length;
            if (finSeq == rcvNxt) {
                consumeFin(now);
            } else if (Seq.gt(finSeq, rcvNxt)) {
                remoteFinPending = true;
                remoteFinSeq = finSeq;
                ackNow = true;
            }
        }
    }

    /** Copies {@code n} payload bytes from {@code from} to the receive buffer, {@code offset} past RCV.NXT. */
    private void place(long now, int offset, MemorySegment payload, int from, int n) {
        largestSegment = Math.max(largestSegment, n);
        if (offset == 0) {
            receive.writeAt(0, payload, from, n);
            receive.commit(n);
            rcvNxt += n;
            if (oooCount > 0) {
                // The hole filled, wholly or partly: take what now follows in order, and say so at once.
                while (oooCount > 0 && Seq.le(oooStart[0], rcvNxt)) {
                    if (Seq.gt(oooEnd[0], rcvNxt)) {
                        receive.commit(oooEnd[0] - rcvNxt);
                        rcvNxt = oooEnd[0];
                    }
                    removeRange(0);
                }
                ackNow = true;
            } else if (config.delayedAckTimeout().isZero() || rcvNxt - lastAckSent > largestSegment) {
                ackNow = true; // RFC 5681 §4.2: at least every second full-sized segment
            } else if (delayedAckAt == NONE) {
                delayedAckAt = now + config.delayedAckTimeout().toNanos();
            }
            if (remoteFinPending && rcvNxt == remoteFinSeq) {
                consumeFin(now);
            } else if (remoteFinPending && Seq.gt(rcvNxt, remoteFinSeq)) {
                remoteFinPending = false; // data past the FIN it announced: the peer contradicts itself
            }
        } else {
            // Out of order (RFC 5681 §4.2: acknowledged at once, a duplicate ACK for the sender to count).
            if (addRange(rcvNxt + offset, rcvNxt + offset + n)) {
                receive.writeAt(offset, payload, from, n);
            }
            ackNow = true;
        }
    }

    /** Records out-of-order data, merging ranges; false when it would need a range more than the bound. */
    private boolean addRange(int start, int end) {
        int i = 0;
        while (i < oooCount && Seq.lt(oooEnd[i], start)) {
            i++;
        }
        // Ranges i… end at or after start; merge those that begin at or before end.
        int j = i;
        while (j < oooCount && Seq.le(oooStart[j], end)) {
            j++;
        }
        if (i == j) {
            if (oooCount == MAX_OUT_OF_ORDER) {
                return false;
            }
            System.arraycopy(oooStart, i, oooStart, i + 1, oooCount - i);
            System.arraycopy(oooEnd, i, oooEnd, i + 1, oooCount - i);
            oooStart[i] = start;
            oooEnd[i] = end;
            oooCount++;
            return true;
        }
        oooStart[i] = Seq.min(oooStart[i], start);
        oooEnd[i] = Seq.max(oooEnd[j - 1], end);
        for (int k = j; k > i + 1; k--) {
            removeRange(i + 1);
        }
        return true;
    }

    private void removeRange(int i) {
        System.arraycopy(oooStart, i + 1, oooStart, i, oooCount - i - 1);
        System.arraycopy(oooEnd, i + 1, oooEnd, i, oooCount - i - 1);
        oooCount--;
    }

    /** RFC 9293 §3.10.7.4 eighth: the peer's FIN, in order. */
    private void consumeFin(long now) {
        rcvNxt++;
        finReceived = true;
        remoteFinPending = false;
        ackNow = true;
        delayedAckAt = NONE;
        switch (state) {
            // SYN-RECEIVED, ESTABLISHED: CLOSE-WAIT.
            case SYN_RECEIVED, ESTABLISHED -> state = State.CLOSE_WAIT;
            // FIN-WAIT-1: our FIN not yet acknowledged (that would have made it FIN-WAIT-2): CLOSING.
            case FIN_WAIT_1 -> state = State.CLOSING;
            // FIN-WAIT-2: TIME-WAIT.
            case FIN_WAIT_2 -> enterTimeWait(now);
            // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT cannot take a FIN in order twice.
            default -> throw new AssertionError(state);
        }
    }

    private void enterTimeWait(long now) {
        state = State.TIME_WAIT;
        timeWaitAt = now + config.timeWait().toNanos();
        retransmitAt = NONE;
        persistAt = NONE;
        keepAliveAt = NONE;
    }

    /** Whether our FIN was sent and acknowledged. */
    private boolean finAcknowledged() {
        return finQueued && Seq.gt(sndUna, finSeq());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers.

    /** RFC 6298 §5.4–5.7, RFC 5681 §3.1 (equation 4), RFC 6582 §3.2 step 6: retransmit the oldest, back off. */
    private void retransmissionTimeout(long now) {
        retransmitAt = NONE;
        boolean synState = state == State.SYN_SENT || state == State.SYN_RECEIVED;
        if (++retransmissions > (synState ? config.maxSynRetransmissions() : config.maxRetransmissions())) {
            close(softError != null ? softError : Failure.TIMED_OUT);
            return;
        }
        rto = Math.min(rto * 2, config.maxRetransmissionTimeout().toNanos());
        timing = false;
        retransmittedTsval = timestampNow(now);
        if (synState) {
            synRetransmitted = true;
            sndNxt = iss; // flush sends the SYN or SYN-ACK again
            return;
        }
        ssthresh = Math.max((sndMax - sndUna) / 2, 2 * sndMss);
        cwnd = sndMss;
        recovering = false;
        recover = sndMax;
        duplicateAcks = 0;
        sndNxt = sndUna; // go back N: everything after SND.UNA is sent again as the window allows
        sndNxt += retransmitFirst(now);
    }

    /** RFC 9293 §3.8.6.1 / RFC 1122 §4.2.2.17: probe a closed window, or push a small one through (SWS override). */
    private void persistTimeout(long now) {
        persistAt = NONE;
        if (++persistProbes > config.maxRetransmissions()) {
            close(softError != null ? softError : Failure.TIMED_OUT);
            return;
        }
        if (usableWindow() > 0) {
            pushNow = true;
        } else {
            // Linux's probe: an old sequence number, which the peer must answer with an ACK and its window.
            emit(now, TcpHeader.ACK, sndUna - 1, EMPTY);
        }
        persistBackoff = Math.min(persistBackoff + 1, 20);
        persistAt = now + Math.min(rto << persistBackoff, config.maxRetransmissionTimeout().toNanos());
    }

    /** RFC 1122 §4.2.3.6: probe an idle connection, fail it when probes go unanswered. */
    private void keepAliveTimeout(long now) {
        keepAliveAt = NONE;
        if (state != State.ESTABLISHED && state != State.CLOSE_WAIT && state != State.FIN_WAIT_2) {
            return;
        }
        if (keepAliveProbes >= config.keepAliveCount()) {
            close(softError != null ? softError : Failure.TIMED_OUT);
            return;
        }
        if (sndUna == sndMax) {
            keepAliveProbes++;
            emit(now, TcpHeader.ACK, sndUna - 1, EMPTY); // SEG.SEQ = SND.NXT − 1: the peer answers with an ACK
        }
        keepAliveAt = now + config.keepAliveInterval().toNanos();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending.

    /** Sends whatever the state, the windows and the timers call for. */
    private void flush(long now) {
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> {
                if (sndNxt == iss) {
                    int flags = state == State.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK;
                    if (!timing && !synRetransmitted) {
                        startTiming(now, iss + 1);
                    }
                    emit(now, flags, iss, EMPTY);
                    sndNxt = iss + 1;
                    sndMax = Seq.max(sndMax, sndNxt);
                    if (retransmitAt == NONE) {
                        retransmitAt = now + rto;
                    }
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK -> sendData(now);
            case TIME_WAIT, CLOSED -> { }
        }
        if (ackNow && state != State.SYN_SENT && state != State.CLOSED) {
            emit(now, TcpHeader.ACK, ackSeq(), EMPTY);
        }
    }

    /** RFC 9293 §3.8.6.2.1 and RFC 896: send data (and the FIN) as the windows, Nagle and SWS avoidance allow. */
    private void sendData(long now) {
        if (sndUna == sndMax && now - lastSentAt > rto && cwnd > initialWindow()) {
            cwnd = initialWindow(); // RFC 5681 §4.1: after an idle RTO, the restart window
        }
        boolean push = pushNow;
        pushNow = false;
        boolean split = false;
        while (!finSent()) {
            int unsent = send.length() - (sndNxt - sendStart);
            int usable = usableWindow() + limitedTransmit();
            int len = Math.min(Math.min(unsent, sndMss), Math.max(usable, 0));
            boolean fin = finQueued && len == unsent && usable > len;
            if (len == 0 && !fin) {
                break;
            }
            boolean allowed = push || split || fin || len == sndMss
                    || Seq.lt(sndNxt, sndMax) // sending again after a timeout
                    || len == unsent && (config.noDelay() || sndMax == sndUna) // Nagle: nothing unacknowledged
                    || maxSndWnd > 0 && len >= maxSndWnd / 2; // SWS: half the largest window will do
            if (!allowed) {
                break;
            }
            if (len == sndMss && sendLimit > sndMss && !Seq.lt(sndNxt, sndMax)) {
                len = superSegment(unsent, usable);
                fin = finQueued && len == unsent && usable > len;
            }
            int sent = emitData(now, sndNxt, len + (fin ? 1 : 0), len);
            if (sent == 0) {
                break;
            }
            split = sent < len; // the buffer wrapped: the rest of this segment follows at once
            sndNxt += sent;
            push = false;
        }
        boolean pending = !finSent() && (send.length() - (sndNxt - sendStart) > 0 || finQueued);
        if (!pending || sndUna != sndMax) {
            persistAt = NONE;
        } else if (persistAt == NONE) {
            persistAt = now + rto; // stuck on the window with nothing in flight to bring an ACK
        }
    }

    /**
     * The length of a super-segment that starts with a full one: the full segments after it, and a last short
     * one, that the loop of {@link #sendData} would send at once after it, one by one (the windows, Nagle and SWS
     * avoidance allowing each as they would then, when the first is in flight), up to the send limit and to a
     * quarter of the window (two segments at least), rounded down to whole segments. The device cuts it where the
     * loop would have.
     *
     * <p>The quarter: a receiver on this host takes a super-segment whole, so that a loss there loses all of it,
     * and it acknowledges each one it receives once. Without SACK, fast retransmit needs three duplicate ACKs:
     * three more super-segments in flight behind a lost one, or the loss waits for the retransmission timeout
     * (Linux's TSO sizing aims at several per round trip too, {@code tcp_tso_autosize}).
     */
    private int superSegment(int unsent, int usable) {
        int most = Math.min(sendLimit, Math.max(Math.min(sndWnd, cwnd) / 4, 2 * sndMss)) / sndMss * sndMss;
        int total = sndMss;
        while (total < most) {
            int left = unsent - total;
            int more = Math.min(Math.min(left, sndMss), usable - total);
            if (more <= 0) {
                break;
            }
            boolean fin = finQueued && more == left && usable - total > more;
            boolean allowed = fin || more == sndMss
                    || more == left && config.noDelay() // Nagle: the first segment is unacknowledged
                    || maxSndWnd > 0 && more >= maxSndWnd / 2;
            if (!allowed) {
                break;
            }
            total += more;
        }
        return total;
    }

    /**
     * Sends the segment that starts at SND.UNA again (a fast or timeout retransmission), no further than what
     * was sent before, which the peer's window had room for, and no longer than the MSS; returns its SEG.LEN.
     */
    private int retransmitFirst(long now) {
        return emitData(now, sndUna, Math.min(sndMss + 1, sndMax - sndUna), sndMss);
    }

    /**
     * Sends the data from {@code seq}, at most {@code max} of sequence space including a FIN that follows the
     * last byte, and at most {@code most} bytes of data: no further than the end of the buffer's array. Returns
     * the SEG.LEN sent.
     */
    private int emitData(long now, int seq, int max, int most) {
        int offset = seq - sendStart;
        int unsent = send.length() - offset;
        int len = Math.min(Math.min(unsent, max), most);
        MemorySegment data = len > 0 ? send.slice(offset, len) : EMPTY;
        len = (int) data.byteSize();
        boolean fin = finQueued && len == unsent && len < max;
        int segLen = len + (fin ? 1 : 0);
        if (segLen == 0) {
            return 0;
        }
        int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0) | (len > 0 && len == unsent ? TcpHeader.PSH : 0);
        if (!Seq.lt(seq, sndMax) && !timing) {
            startTiming(now, seq + segLen);
        }
        emit(now, flags, seq, data);
        lastSentAt = now;
        sndMax = Seq.max(sndMax, seq + segLen);
        if (retransmitAt == NONE) {
            retransmitAt = now + rto;
        }
        return segLen;
    }

    private void startTiming(long now, int ackSeq) {
        timing = true;
        timedSeq = ackSeq;
        timedAt = now;
    }

    /** Hands one segment to the output, with the ACK, window and options every segment carries. */
    private void emit(long now, int flags, int seq, MemorySegment payload) {
        boolean syn = (flags & TcpHeader.SYN) != 0;
        boolean ack = (flags & TcpHeader.ACK) != 0;
        int window = 0;
        TcpOptions options = TcpOptions.NONE;
        if ((flags & TcpHeader.RST) == 0) {
            window = syn ? Math.min(rcvWnd(), 0xFFFF) : windowField();
            if (syn) {
                boolean offer = state == State.SYN_SENT; // our SYN offers; a SYN-ACK answers the peer's offers
                int scale = offer ? (config.windowScaling() ? ourWindowScale() : TcpOptions.ABSENT)
                        : scaling ? rcvScale : TcpOptions.ABSENT;
                options = new TcpOptions(config.maxSegmentSize(), scale, false, false, 0, 0, List.of());
                if (offer ? config.timestamps() : timestamps) {
                    options = options.withTimestamps(timestampNow(now), offer ? 0 : tsRecent);
                }
            } else if (timestamps) {
                options = TcpOptions.NONE.withTimestamps(timestampNow(now), tsRecent);
            }
        }
        if (ack) {
            lastAckSent = rcvNxt;
            // The edge committed to: what the window field says, or less when it was rounded up.
            rcvAdvertisedEdge = syn ? rcvNxt + window : Seq.min(offeredEdge(), rcvNxt + (window << rcvScale));
            ackNow = false;
            delayedAckAt = NONE;
        }
        output.send(new TcpHeader(local.port(), remote.port(), seq, ack ? rcvNxt : 0, flags, window, 0, options),
                payload);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers.

    /** The sequence number of our FIN, once output is shut down. */
    private int finSeq() {
        return sendStart + send.length();
    }

    private boolean finSent() {
        return finQueued && Seq.gt(sndNxt, finSeq());
    }

    /** Bytes of window, the peer's and congestion's, not yet used from SND.NXT on; may be negative. */
    private int usableWindow() {
        return Math.min(sndWnd, cwnd) - (sndNxt - sndUna);
    }

    /**
     * RFC 3042 limited transmit: on each of the first two duplicate ACKs, one more new segment beyond the
     * congestion window (which does not change), within the peer's window. With a window of a few segments,
     * that brings the third duplicate ACK fast retransmit needs, where a timeout would otherwise come.
     */
    private int limitedTransmit() {
        if (recovering || duplicateAcks == 0 || duplicateAcks > 2) {
            return 0;
        }
        return Math.min(sndWnd, cwnd + duplicateAcks * sndMss) - Math.min(sndWnd, cwnd);
    }

    /**
     * The sequence number of a segment without data: SND.NXT as the peer knows it (the highest sent), unless
     * that is past its window (Linux's {@code tcp_acceptable_seq}).
     */
    private int ackSeq() {
        int windowEnd = sndUna + sndWnd;
        return Seq.le(sndMax, windowEnd) ? sndMax : windowEnd;
    }

    /** RCV.WND: the receive buffer's free space. */
    private int rcvWnd() {
        return receive.free();
    }

    /**
     * The right edge to offer: the receive buffer's (RCV.NXT + RCV.WND), unless that is less than the SWS
     * threshold past the edge offered last, which then stays (RFC 9293 §3.8.6.2.2, receiver silly-window
     * avoidance); never left of RCV.NXT. Offered edges so never move left.
     */
    private int offeredEdge() {
        int edge = rcvNxt + rcvWnd();
        if (edge - rcvAdvertisedEdge < swsThreshold()) {
            edge = rcvAdvertisedEdge;
        }
        return Seq.max(edge, rcvNxt);
    }

    /**
     * The window field for {@link #offeredEdge()}: scaled and rounded up, so that the edge the peer computes is
     * never left of the one offered before, at most less than a granularity past it (and past the buffer: data
     * there is trimmed on arrival, as Linux's rounding up does too); at most 0xFFFF.
     */
    private int windowField() {
        int bytes = offeredEdge() - rcvNxt;
        return (int) Math.min(((long) bytes + (1 << rcvScale) - 1) >>> rcvScale, 0xFFFF);
    }

    /** How much the receive window must grow by before it is offered: Fr·RCV.BUFF or a segment, if smaller. */
    private int swsThreshold() {
        return Math.min(receive.capacity() / 2, config.maxSegmentSize());
    }

    /** The shift that lets the whole receive buffer be offered (RFC 7323 §2.3). */
    private int ourWindowScale() {
        int shift = 0;
        while (shift < TcpOptions.MAX_WINDOW_SCALE && config.receiveBufferSize() >>> shift > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    /** TSval: the time in milliseconds, wrapping. */
    private static int timestampNow(long now) {
        return (int) (now / MILLISECOND);
    }

    private long clampRto(long value) {
        return Math.clamp(value, config.minRetransmissionTimeout().toNanos(),
                config.maxRetransmissionTimeout().toNanos());
    }

    private static int grow(int window, int by) {
        return (int) Math.min((long) window + by, TcpConfig.MAX_BUFFER_SIZE);
    }

    /** RFC 5961 §7: at most {@link #CHALLENGE_ACKS_PER_SECOND} challenge ACKs a second. */
    private void challengeAck(long now) {
        if (now - challengeWindowStart >= SECOND) {
            challengeWindowStart = now;
            challengeAcks = 0;
        }
        if (challengeAcks < CHALLENGE_ACKS_PER_SECOND) {
            challengeAcks++;
            ackNow = true;
        }
    }

    /** CLOSED: every timer stopped, both buffers dropped if the connection failed. */
    private void close(Failure reason) {
        state = State.CLOSED;
        failure = reason;
        if (reason != null || !finReceived) {
            receive.clear();
        }
        oooCount = 0;
        remoteFinPending = false;
        send.clear();
        ackNow = false;
        retransmitAt = NONE;
        persistAt = NONE;
        delayedAckAt = NONE;
        keepAliveAt = NONE;
        timeWaitAt = NONE;
    }

    private static boolean due(long at, long now) {
        return at != NONE && now - at >= 0;
    }

    private static long earliest(long a, long b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    /**
     * Checks the invariants the fields document; for tests.
     *
     * @throws IllegalStateException naming the first that does not hold
     */
    void checkInvariants() {
        check(Seq.le(iss, sndUna) && Seq.le(sndUna, sndNxt) && Seq.le(sndNxt, sndMax),
                "ISS ≤ SND.UNA ≤ SND.NXT ≤ the highest sent");
        int d = sendStart - sndUna;
        check(state == State.CLOSED || sndMax - sndUna <= send.length() + 2
                && (d == 0 || d == 1 && sndUna == iss || d == -1 && finQueued && send.length() == 0),
                "the send buffer holds what is in flight, from SND.UNA or after the SYN, or is empty after the FIN");
        check(sndWnd >= 0 && maxSndWnd >= sndWnd && cwnd >= 0, "windows are not negative");
        check(receive.length() <= receive.capacity() && rcvWnd() >= 0, "the receive buffer holds what fits");
        check(oooCount <= MAX_OUT_OF_ORDER, "out-of-order ranges are bounded");
        for (int i = 0; i < oooCount; i++) {
            check(Seq.gt(oooStart[i], rcvNxt) && Seq.lt(oooStart[i], oooEnd[i])
                    && Seq.le(oooEnd[i], rcvNxt + rcvWnd()), "out-of-order ranges lie in the window");
            check(i == 0 || Seq.gt(oooStart[i], oooEnd[i - 1]), "out-of-order ranges are sorted and apart");
        }
        check(Seq.le(rcvAdvertisedEdge, rcvNxt + rcvWnd()) || state == State.SYN_SENT,
                "the window's right edge committed to lies in the receive buffer");
        check(state != State.CLOSED || deadline() == NONE, "a closed connection has no timers");
        check(state == State.TIME_WAIT || timeWaitAt == NONE, "only TIME-WAIT has its timer");
        check(rto >= config.minRetransmissionTimeout().toNanos() && rto <= config.maxRetransmissionTimeout().toNanos(),
                "the RTO is within its bounds");
    }

    private void check(boolean holds, String invariant) {
        if (!holds) {
            throw new IllegalStateException(invariant + ": " + this);
        }
    }

    @Override
    public String toString() {
        return "TcpConnection[" + local + " → " + remote + ", " + state + (failure != null ? " " + failure : "")
                + ", una " + Integer.toUnsignedString(sndUna) + ", nxt " + Integer.toUnsignedString(sndNxt)
                + ", max " + Integer.toUnsignedString(sndMax) + ", wnd " + sndWnd + ", cwnd " + cwnd + ", queued "
                + send.length() + (finQueued ? "+FIN" : "") + ", rto " + rto / 1_000_000 + " ms, rcv.nxt "
                + Integer.toUnsignedString(rcvNxt) + ", rcv.wnd " + rcvWnd() + ", readable " + receive.length()
                + ", out of order " + oooCount + "]";
    }
}

package dev.morgana.net.tcpip;

import dev.morgana.api.net.Tcp;
import java.time.Duration;
import java.util.Objects;

/**
 * The tunables of one TCP connection (RFC 9293, RFC 6298, RFC 1122 §4.2.3.5–6, RFC 7323). {@link #DEFAULTS}
 * follows Linux where the RFCs leave room, and the RFCs where Linux departs from them (the minimum RTO is
 * RFC 6298's 1 s, not Linux's 200 ms).
 *
 * @param maxSegmentSize the largest segment payload this end receives and sends, 1–65495: the MSS option it
 *     sends, and a cap on the peer's (the interface MTU less 40 bytes of IPv4 and TCP headers)
 * @param sendBufferSize bytes the send buffer holds, written and not yet acknowledged, at least 1
 * @param receiveBufferSize bytes the receive buffer holds, received and not yet read, at least 1; the largest
 *     window this end offers
 * @param timeWait how long TIME-WAIT lasts: 2·MSL (RFC 9293 §3.4.2), 60 s by default as on Linux
 * @param initialRetransmissionTimeout the RTO before the first RTT sample (RFC 6298 §2.1: 1 s)
 * @param minRetransmissionTimeout the RTO's lower bound (RFC 6298 §2.4: 1 s)
 * @param maxRetransmissionTimeout the RTO's upper bound, backoff included (RFC 6298 §2.5: at least 60 s;
 *     Linux's 120 s)
 * @param maxRetransmissions retransmissions of the same data, or window probes unanswered, before the
 *     connection fails with {@code TIMED_OUT} (RFC 1122 §4.2.3.5 R2; Linux's 15)
 * @param maxSynRetransmissions retransmissions of a SYN or SYN-ACK before the same (Linux's 6: about 2 min)
 * @param delayedAckTimeout how long an acknowledgment may wait for data to ride on (RFC 1122 §4.2.3.2: under
 *     0.5 s; RFC 5681 §4.2: at most 500 ms; Linux's minimum 40 ms); {@link Duration#ZERO} acknowledges at once
 * @param keepAlive whether to probe an idle connection (RFC 1122 §4.2.3.6: off unless asked for)
 * @param keepAliveIdle the idle time before the first probe (RFC 1122: at least 2 hours by default)
 * @param keepAliveInterval the time between unanswered probes (Linux's 75 s)
 * @param keepAliveCount unanswered probes before the connection fails with
 *     {@code TIMED_OUT} (Linux's 9)
 * @param noDelay whether to send small segments at once rather than hold them while data is unacknowledged
 *     (RFC 896 Nagle off: {@code TCP_NODELAY})
 * @param windowScaling whether to offer window scaling (RFC 7323 §2)
 * @param timestamps whether to offer timestamps (RFC 7323 §3)
 */
public record TcpConfig(int maxSegmentSize, int sendBufferSize, int receiveBufferSize, Duration timeWait,
        Duration initialRetransmissionTimeout, Duration minRetransmissionTimeout,
        Duration maxRetransmissionTimeout, int maxRetransmissions, int maxSynRetransmissions,
        Duration delayedAckTimeout, boolean keepAlive, Duration keepAliveIdle, Duration keepAliveInterval,
        int keepAliveCount, boolean noDelay, boolean windowScaling, boolean timestamps) {

    /** The largest MSS: a 65535-byte IPv4 datagram less 20 bytes of IPv4 and 20 of TCP header. */
    public static final int MAX_SEGMENT_SIZE = 65_495;

    /** The largest receive buffer: a window of 2³⁰ bytes is the most window scaling can offer. */
    public static final int MAX_BUFFER_SIZE = 1 << 30;

    /**
     * The largest MSS, so that the interface's MTU decides it as on Linux (1460 on Ethernet, more on a link of jumbo
     * frames), 256 KiB buffers each way and the RFC and Linux timers named on each component.
     */
    public static final TcpConfig DEFAULTS = new TcpConfig(MAX_SEGMENT_SIZE, 256 * 1024, 256 * 1024, Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(120), 15, 6, Duration.ofMillis(40),
            false, Duration.ofHours(2), Duration.ofSeconds(75), 9, false, true, true);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when a value is out of its range, or the RTOs are not ordered
     *     minimum ≤ initial ≤ maximum
     * @throws NullPointerException when a duration is null
     */
    public TcpConfig {
        if (maxSegmentSize < 1 || maxSegmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("the MSS is 1–" + MAX_SEGMENT_SIZE + ", got " + maxSegmentSize);
        }
        if (sendBufferSize < 1 || sendBufferSize > MAX_BUFFER_SIZE || receiveBufferSize < 1
                || receiveBufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("buffers are 1 byte to 1 GiB, got " + sendBufferSize + " and "
                    + receiveBufferSize);
        }
        for (Duration d : new Duration[] {timeWait, initialRetransmissionTimeout, minRetransmissionTimeout,
                maxRetransmissionTimeout, delayedAckTimeout, keepAliveIdle, keepAliveInterval}) {
            if (Objects.requireNonNull(d, "a duration").isNegative()) {
                throw new IllegalArgumentException("a negative duration: " + d);
            }
        }
        if (minRetransmissionTimeout.isZero() || initialRetransmissionTimeout.compareTo(minRetransmissionTimeout) < 0
                || maxRetransmissionTimeout.compareTo(initialRetransmissionTimeout) < 0) {
            throw new IllegalArgumentException("RTOs need 0 < minimum ≤ initial ≤ maximum, got "
                    + minRetransmissionTimeout + ", " + initialRetransmissionTimeout + ", "
                    + maxRetransmissionTimeout);
        }
        if (maxRetransmissions < 1 || maxSynRetransmissions < 1 || keepAliveCount < 1) {
            throw new IllegalArgumentException("retransmission and probe counts are at least 1");
        }
        if (keepAliveInterval.isZero() || keepAliveIdle.isZero()) {
            throw new IllegalArgumentException("keep-alive times are positive");
        }
    }

    /**
     * Returns this configuration with other buffer sizes.
     *
     * @param send the send buffer's size in bytes
     * @param receive the receive buffer's size in bytes
     * @return the new configuration
     */
    public TcpConfig withBuffers(int send, int receive) {
        return new TcpConfig(maxSegmentSize, send, receive, timeWait, initialRetransmissionTimeout,
                minRetransmissionTimeout, maxRetransmissionTimeout, maxRetransmissions, maxSynRetransmissions,
                delayedAckTimeout, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, noDelay,
                windowScaling, timestamps);
    }

    /**
     * Returns this configuration with another MSS.
     *
     * @param mss the MSS
     * @return the new configuration
     */
    public TcpConfig withMaxSegmentSize(int mss) {
        return new TcpConfig(mss, sendBufferSize, receiveBufferSize, timeWait, initialRetransmissionTimeout,
                minRetransmissionTimeout, maxRetransmissionTimeout, maxRetransmissions, maxSynRetransmissions,
                delayedAckTimeout, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, noDelay,
                windowScaling, timestamps);
    }

    /**
     * Returns this configuration with other retransmission timers.
     *
     * @param initial the RTO before the first sample
     * @param min the RTO's lower bound
     * @param max the RTO's upper bound
     * @param retransmissions retransmissions before failing, of data and of SYNs alike
     * @return the new configuration
     */
    public TcpConfig withRetransmission(Duration initial, Duration min, Duration max, int retransmissions) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, timeWait, initial, min, max,
                retransmissions, retransmissions, delayedAckTimeout, keepAlive, keepAliveIdle, keepAliveInterval,
                keepAliveCount, noDelay, windowScaling, timestamps);
    }

    /**
     * Returns this configuration with another delayed-ACK timeout and Nagle setting.
     *
     * @param delayedAck the delayed-ACK timeout, zero to acknowledge at once
     * @param noDelay whether Nagle's algorithm is off
     * @return the new configuration
     */
    public TcpConfig withAcking(Duration delayedAck, boolean noDelay) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, timeWait,
                initialRetransmissionTimeout, minRetransmissionTimeout, maxRetransmissionTimeout,
                maxRetransmissions, maxSynRetransmissions, delayedAck, keepAlive, keepAliveIdle, keepAliveInterval,
                keepAliveCount, noDelay, windowScaling, timestamps);
    }

    /**
     * Returns this configuration with keep-alive on.
     *
     * @param idle the idle time before the first probe
     * @param interval the time between probes
     * @param count unanswered probes before failing
     * @return the new configuration
     */
    public TcpConfig withKeepAlive(Duration idle, Duration interval, int count) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, timeWait,
                initialRetransmissionTimeout, minRetransmissionTimeout, maxRetransmissionTimeout,
                maxRetransmissions, maxSynRetransmissions, delayedAckTimeout, true, idle, interval, count, noDelay,
                windowScaling, timestamps);
    }

    /**
     * Returns this configuration with a flow's options in place of its own no-delay and keep-alive.
     *
     * @param options the flow's options: no-delay, and keep-alive after the idle time they give (none if empty)
     * @return the new configuration
     */
    public TcpConfig with(Tcp.Options options) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, timeWait,
                initialRetransmissionTimeout, minRetransmissionTimeout, maxRetransmissionTimeout,
                maxRetransmissions, maxSynRetransmissions, delayedAckTimeout, options.keepAlive().isPresent(),
                options.keepAlive().orElse(keepAliveIdle), keepAliveInterval, keepAliveCount, options.noDelay(),
                windowScaling, timestamps);
    }

    /**
     * Returns this configuration with RFC 7323's options offered or not.
     *
     * @param windowScaling whether to offer window scaling
     * @param timestamps whether to offer timestamps
     * @return the new configuration
     */
    public TcpConfig withExtensions(boolean windowScaling, boolean timestamps) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, timeWait,
                initialRetransmissionTimeout, minRetransmissionTimeout, maxRetransmissionTimeout,
                maxRetransmissions, maxSynRetransmissions, delayedAckTimeout, keepAlive, keepAliveIdle,
                keepAliveInterval, keepAliveCount, noDelay, windowScaling, timestamps);
    }

    /**
     * Returns this configuration with another TIME-WAIT duration.
     *
     * @param duration 2·MSL
     * @return the new configuration
     */
    public TcpConfig withTimeWait(Duration duration) {
        return new TcpConfig(maxSegmentSize, sendBufferSize, receiveBufferSize, duration,
                initialRetransmissionTimeout, minRetransmissionTimeout, maxRetransmissionTimeout,
                maxRetransmissions, maxSynRetransmissions, delayedAckTimeout, keepAlive, keepAliveIdle,
                keepAliveInterval, keepAliveCount, noDelay, windowScaling, timestamps);
    }

    /**
     * The bounds of a whole TCP layer, beside each connection's buffers.
     *
     * @param halfOpen SYN-RECEIVED connections per listener at most (the SYN backlog); a SYN beyond them takes
     *     the place of the oldest (RFC 4987 §3.4), so that a SYN flood cannot lock genuine peers out
     * @param connections connections at most over all, in every state but CLOSED (TIME-WAIT included); SYNs
     *     beyond are refused with a RST, connects fail with {@code ADDRESS_IN_USE}
     */
    public record Limits(int halfOpen, int connections) {

        /** 256 half-open connections per listener, 65,536 connections in all. */
        public static final Limits DEFAULT = new Limits(256, 65_536);

        /**
         * Checks the bounds.
         *
         * @throws IllegalArgumentException when one is below 1
         */
        public Limits {
            if (halfOpen < 1 || connections < 1) {
                throw new IllegalArgumentException("limits are at least 1, got " + halfOpen + " and " + connections);
            }
        }
    }
}

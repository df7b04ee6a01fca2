package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.tcpip.IcmpConfig;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ICMPv4 over {@link Ipv4} (RFC 792, RFC 1122 §3.2.2): answers echo requests, sends destination-unreachable
 * errors for the transports, rate-limited, and hands the errors it receives to the transport whose datagram
 * they quote.
 *
 * <p><b>Errors it never sends</b> (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7): about an ICMP error, about a
 * datagram sent to a broadcast or multicast address (limited, or our network's directed broadcast), about a
 * fragment other than the first, about a datagram whose source is not one host (0.0.0.0, broadcast,
 * multicast, loopback, class E). A datagram that came as a link-layer broadcast to a unicast address cannot
 * be told from here: the {@code Ipv4} signature does not pass the frame's destination up. Each refusal is
 * counted.
 *
 * <p><b>What an error quotes</b>: the offending datagram's header and as much after it as keeps the error
 * within 576 bytes (RFC 1812 §4.3.2.3), as Linux does.
 *
 * <p><b>Threads.</b> As {@code ArpLayer} in net-ethernet, until the stack has its event loop: the rate
 * limiter and the counters are serialised by a lock, never held while writing or calling a listener, so that
 * everything else runs on the thread that brought the datagram (the device's receive thread) or called
 * {@link #sendUnreachable}. Listeners are read without the lock.
 */
public final class IcmpLayer implements Icmp, Service {

    /** The largest error datagram, IPv4 header included (RFC 1812 §4.3.2.3). */
    static final int MAX_ERROR_DATAGRAM = 576;
    /** The most bytes an error quotes: 576 less our IPv4 header (20) and the ICMP header (8). */
    static final int MAX_QUOTE = MAX_ERROR_DATAGRAM - QuotedIpv4Packet.MIN_HEADER - IcmpPacket.HEADER;

    private static final System.Logger LOG = System.getLogger(IcmpLayer.class.getName());
    private static final Ipv4.DatagramHandler DISCARD = (source, destination, payload) -> { };

    /** What the layer counts: every datagram received lands in exactly one of the receive counts. */
    public enum Count {
        /** ICMP messages received. */
        RECEIVED,
        /** Too short, wrong checksum, an error without a quote of an IPv4 header and 8 bytes. */
        MALFORMED,
        /** Echo requests answered. */
        ECHO_ANSWERED,
        /** Echo requests to a broadcast or multicast address, not answered (RFC 1122 §3.2.2.6 allows it). */
        ECHO_TO_BROADCAST,
        /** Echo requests from an address that is not one host, not answered. */
        ECHO_FROM_NON_HOST,
        /** Errors passed to the listener of the quoted datagram's protocol. */
        ERROR_DELIVERED,
        /** Errors about a protocol with no listener. */
        ERROR_NO_LISTENER,
        /** Errors quoting a fragment other than the first, which holds no transport header to match. */
        ERROR_ABOUT_FRAGMENT,
        /** Messages this host does not act on: echo replies, source quench, redirects, timestamps, others. */
        IGNORED,
        /** Destination-unreachable errors sent. */
        UNREACHABLE_SENT,
        /** Errors not sent: the datagram was an ICMP error. */
        REFUSED_ABOUT_ERROR,
        /** Errors not sent: the datagram went to a broadcast or multicast address. */
        REFUSED_ABOUT_BROADCAST,
        /** Errors not sent: the datagram was a fragment other than the first. */
        REFUSED_ABOUT_FRAGMENT,
        /** Errors not sent: the datagram's source is not one host. */
        REFUSED_TO_NON_HOST,
        /** Errors not sent: the rate limit held them back. */
        RATE_LIMITED,
        /** Messages IPv4 could not send (echo replies and errors). */
        SEND_FAILED
    }

    private final Ipv4 ipv4;
    private final Clock clock;
    private final AtomicReferenceArray<ErrorListener> listeners = new AtomicReferenceArray<>(256);
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final TokenBucket errors;
    private final long[] counts = new long[Count.values().length];

    /**
     * Creates the layer; it receives once started.
     *
     * @param ipv4 the layer below
     * @param clock the rate limiter's time
     * @param config the rate limit
     */
    @Inject
    public IcmpLayer(Ipv4 ipv4, Clock clock, IcmpConfig config) {
        this.ipv4 = ipv4;
        this.clock = clock;
        this.errors = new TokenBucket(config.errorBurst(), config.errorInterval().toNanos(), clock.monotonicNanos());
    }

    @Override
    public void start() {
        ipv4.register(Ipv4.ICMP, this::datagram);
    }

    @Override
    public void stop() {
        ipv4.register(Ipv4.ICMP, DISCARD);
    }

    @Override
    public void onError(int protocol, ErrorListener listener) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("a protocol number is 0–255, got " + protocol);
        }
        listeners.set(protocol, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Handles one ICMP message from IPv4.
     *
     * @param source the sender
     * @param destination our address, or a broadcast or multicast address
     * @param packet the IPv4 payload
     */
    void datagram(Ipv4Address source, Ipv4Address destination, MemorySegment packet) {
        increment(Count.RECEIVED);
        IcmpMessage message;
        try {
            message = IcmpMessage.parse(packet);
        } catch (MalformedPacketException e) {
            increment(Count.MALFORMED);
            return;
        }
        switch (message) {
            case IcmpMessage.EchoRequest request -> echo(source, destination, request, packet);
            case IcmpMessage.Error error -> deliver(source, error, IcmpPacket.data(packet));
            case IcmpMessage.EchoReply _ -> increment(Count.IGNORED); // no ping client yet
            case IcmpMessage.Other _ -> increment(Count.IGNORED); // RFC 1122 §3.2.2: discard unknown types
        }
    }

    /** RFC 792: the reply carries the request's identifier, sequence number and data, back to its sender. */
    private void echo(Ipv4Address source, Ipv4Address destination, IcmpMessage.EchoRequest request, MemorySegment packet) {
        Ipv4Prefix network = ipv4.network();
        if (isBroadcastOrMulticast(destination.bits(), network)) {
            increment(Count.ECHO_TO_BROADCAST);
            return;
        }
        if (!isOneHost(source.bits(), network)) {
            increment(Count.ECHO_FROM_NON_HOST);
            return;
        }
        IcmpMessage.EchoReply reply = request.reply();
        int length = Math.toIntExact(packet.byteSize());
        try {
            ipv4.write(source, Ipv4.ICMP, length, buffer -> {
                MemorySegment.copy(packet, IcmpPacket.HEADER, buffer, IcmpPacket.HEADER, length - IcmpPacket.HEADER);
                return reply.emit(buffer.asSlice(0, length));
            });
            increment(Count.ECHO_ANSWERED);
        } catch (NetworkException e) {
            increment(Count.SEND_FAILED);
            LOG.log(Level.DEBUG, () -> "ICMP could not answer an echo from " + source + ": " + e.getMessage());
        }
    }

    /** RFC 1122 §3.2.2: an error goes to the transport of the datagram it quotes. */
    private void deliver(Ipv4Address reporter, IcmpMessage.Error error, MemorySegment quoted) {
        if (QuotedIpv4Packet.fragmentOffset(quoted) != 0) {
            increment(Count.ERROR_ABOUT_FRAGMENT);
            return;
        }
        ErrorListener listener = listeners.get(QuotedIpv4Packet.protocol(quoted));
        if (listener == null) {
            increment(Count.ERROR_NO_LISTENER);
            return;
        }
        increment(Count.ERROR_DELIVERED);
        listener.error(reporter, error.type(), error.code(), quoted.asReadOnly());
    }

    @Override
    public void sendUnreachable(Unreachable code, MemorySegment datagram) throws NetworkException {
        try {
            QuotedIpv4Packet.check(datagram, 0);
        } catch (MalformedPacketException e) {
            throw new IllegalArgumentException("sendUnreachable needs the datagram from its IPv4 header on: "
                    + e.getMessage(), e);
        }
        Count refused = refusal(datagram);
        if (refused != null) {
            increment(refused);
            return;
        }
        lock.lock();
        try {
            if (!errors.tryTake(clock.monotonicNanos())) {
                counts[Count.RATE_LIMITED.ordinal()]++;
                return;
            }
        } finally {
            lock.unlock();
        }
        int quote = (int) Math.min(datagram.byteSize(), MAX_QUOTE);
        IcmpMessage.Error error = IcmpMessage.Error.unreachable(code,
                code == Unreachable.FRAGMENTATION_NEEDED ? Math.min(0xFFFF, ipv4.mtu() + QuotedIpv4Packet.MIN_HEADER) : 0);
        Ipv4Address destination = new Ipv4Address(QuotedIpv4Packet.source(datagram));
        try {
            ipv4.write(destination, Ipv4.ICMP, IcmpPacket.HEADER + quote, buffer -> {
                MemorySegment.copy(datagram, 0, buffer, IcmpPacket.HEADER, quote);
                return error.emit(buffer.asSlice(0, IcmpPacket.HEADER + quote));
            });
        } catch (NetworkException e) {
            increment(Count.SEND_FAILED);
            throw e;
        }
        increment(Count.UNREACHABLE_SENT);
    }

    /** Why RFC 1122 §3.2.2 forbids an error about {@code datagram}, or null when it allows one. */
    private Count refusal(MemorySegment datagram) {
        if (QuotedIpv4Packet.fragmentOffset(datagram) != 0) {
            return Count.REFUSED_ABOUT_FRAGMENT;
        }
        if (QuotedIpv4Packet.protocol(datagram) == Ipv4.ICMP) {
            int at = QuotedIpv4Packet.headerLength(datagram);
            // A message too short to have a type is treated as an error: better silent than a storm.
            if (datagram.byteSize() <= at || IcmpPacket.isError(datagram.get(ValueLayout.JAVA_BYTE, at) & 0xFF)) {
                return Count.REFUSED_ABOUT_ERROR;
            }
        }
        Ipv4Prefix network = ipv4.network();
        if (isBroadcastOrMulticast(QuotedIpv4Packet.destination(datagram), network)) {
            return Count.REFUSED_ABOUT_BROADCAST;
        }
        if (!isOneHost(QuotedIpv4Packet.source(datagram), network)) {
            return Count.REFUSED_TO_NON_HOST;
        }
        return null;
    }

    /** The limited broadcast, a multicast group, or the directed broadcast of a network that has one. */
    static boolean isBroadcastOrMulticast(int address, Ipv4Prefix network) {
        Ipv4Address a = new Ipv4Address(address);
        // /31 and /32 have no broadcast address (RFC 3021): their all-ones host is a host.
        return a.isBroadcast() || a.isMulticast() || network.length() < 31 && address == network.broadcast().bits();
    }

    /** RFC 1122 §3.2.2: the address "defines a single host": not zero, loopback, broadcast, multicast or class E. */
    static boolean isOneHost(int address, Ipv4Prefix network) {
        Ipv4Address a = new Ipv4Address(address);
        return !a.isUnspecified() && !a.isLoopback() && !isBroadcastOrMulticast(address, network) && address >>> 28 != 0xF;
    }

    private void increment(Count count) {
        lock.lock();
        try {
            counts[count.ordinal()]++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns one counter.
     *
     * @param count which
     * @return its value now
     */
    public long count(Count count) {
        lock.lock();
        try {
            return counts[count.ordinal()];
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns every counter.
     *
     * @return a snapshot, in the order of {@link Count}
     */
    public Map<Count, Long> counters() {
        Map<Count, Long> snapshot = new EnumMap<>(Count.class);
        lock.lock();
        try {
            for (Count count : Count.values()) {
                snapshot.put(count, counts[count.ordinal()]);
            }
        } finally {
            lock.unlock();
        }
        return Collections.unmodifiableMap(snapshot);
    }
}

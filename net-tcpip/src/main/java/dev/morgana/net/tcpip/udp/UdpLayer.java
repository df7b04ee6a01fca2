package dev.morgana.net.tcpip.udp;

import dev.morgana.api.Service;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.internal.Counters;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Objects;

/**
 * UDP over {@link Ipv4} (RFC 768, RFC 1122 §4.1): checksums verified on receive (zero means none) and always
 * computed on send; datagrams handed to the listener of their port as slices of the received frame; those
 * for a port nobody listens on answered with an ICMP port unreachable; ICMP errors about datagrams we sent
 * counted, and handed to the listener of the port that sent them ({@code DatagramHandler.error}).
 *
 * <p><b>The quote of a port unreachable.</b> {@code Icmp.sendUnreachable} wants the datagram from its IPv4
 * header on, and the {@code Ipv4} signature passes UDP only the addresses and the payload. UDP rebuilds the
 * header from them: version, length, protocol, addresses and a valid checksum are exact; identification,
 * flags, TTL and options are not passed up, and are written as zero. Peers match an error by the quoted
 * addresses, protocol and ports (Linux's {@code udp_err} does), which are all exact.
 *
 * <p><b>Threads.</b> Received datagrams are handled on the thread that brings them (the device's receive
 * thread, until the stack has its event loop), without a lock: the port table is read lock-free, the
 * counters are atomic. {@link #write} may be called from any thread, handlers included; it never blocks
 * beyond what {@code Ipv4.write} does.
 *
 * <p><b>Allocation.</b> Delivering a datagram creates its two endpoints and the payload's slice object,
 * which escape analysis removes when the whole path from Ethernet's dispatch to the handler inlines into one
 * compilation (0 B/op measured through Ethernet, IPv4 and UDP, benchmarks/RESULTS.md); a handler too large to
 * inline gets them allocated (about 88 bytes a datagram by their sizes). The payload bytes are never copied.
 * Writing allocates nothing: the header is written through a per-thread writer, as Ethernet's frames are.
 */
public final class UdpLayer implements Udp, Service {

    /** The first port of the dynamic range (RFC 6335), where the port of {@code write(0, …)} is chosen. */
    static final int EPHEMERAL_FIRST = 49_152;
    /** The UDP bytes a port unreachable can quote: 576 less two IPv4 headers and the ICMP header (RFC 1812). */
    static final int QUOTED_UDP_BYTES = 576 - 20 - 8 - 20;

    private static final System.Logger LOG = System.getLogger(UdpLayer.class.getName());
    private static final Ipv4.DatagramHandler DISCARD = (source, destination, payload) -> { };
    private static final Icmp.ErrorListener IGNORE = (reporter, type, code, quoted) -> { };

    /** What the layer counts: every datagram received lands in exactly one of the first four after RECEIVED. */
    public enum Count {
        /** Datagrams received. */
        RECEIVED,
        /** Shorter than the header, or a length field below 8 or beyond the bytes received. */
        MALFORMED,
        /** A non-zero checksum that does not match. */
        BAD_CHECKSUM,
        /** Handed to a listener. */
        DELIVERED,
        /** For a port nobody listens on: answered with a port unreachable when sent to our address. */
        NO_LISTENER,
        /** Listeners that threw (the exception is logged; the next datagram is delivered as usual). */
        HANDLER_FAILED,
        /** Datagrams sent. */
        SENT,
        /** ICMP errors about a datagram we sent from a port in use. */
        ICMP_ERRORS,
        /** ICMP errors quoting a datagram that is not ours (another source address, a port we do not use). */
        ICMP_ERRORS_IGNORED
    }

    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final PortTable ports = new PortTable();
    private final Counters<Count> counts = new Counters<>(Count.class);
    // The thread inside a handler, for listen's misuse check; saved and restored, so deliveries may nest.
    private volatile Thread delivering;
    private int ephemeral; // guarded by this; 0 until write(0, …) first needs it

    /**
     * Creates the layer; it receives once started.
     *
     * @param ipv4 the layer below
     * @param icmp where port unreachables go and errors come from
     */
    @Inject
    public UdpLayer(Ipv4 ipv4, Icmp icmp) {
        this.ipv4 = ipv4;
        this.icmp = icmp;
    }

    @Override
    public void start() {
        ipv4.register(Ipv4.UDP, this::datagram);
        icmp.onError(Ipv4.UDP, this::error);
    }

    @Override
    public void stop() {
        ipv4.register(Ipv4.UDP, DISCARD);
        icmp.onError(Ipv4.UDP, IGNORE);
    }

    @Override
    public void listen(int port, DatagramHandler handler) throws NetworkException {
        if (port < 1 || port > Endpoint.MAX_PORT) {
            throw new IllegalArgumentException("listen on a port 1–65535, got " + port);
        }
        Objects.requireNonNull(handler, "handler");
        if (delivering == Thread.currentThread()) {
            // Nothing here waits, but the signature forbids it so that handlers run unchanged on every target.
            throw new IllegalStateException("listen from an application thread, not from a handler");
        }
        if (!ports.putIfAbsent(port, handler)) {
            throw new NetworkException(Reason.ADDRESS_IN_USE, "UDP port " + port + " is already listened on");
        }
    }

    @Override
    public void unlisten(int port) {
        if (port >= 0 && port <= Endpoint.MAX_PORT) {
            ports.remove(port);
        }
    }

    @Override
    public void write(int sourcePort, Endpoint destination, MemorySegment payload) throws NetworkException {
        if (sourcePort < 0 || sourcePort > Endpoint.MAX_PORT) {
            throw new IllegalArgumentException("a source port is 0–65535, got " + sourcePort);
        }
        if (destination.port() == 0) {
            throw new IllegalArgumentException("port 0 is reserved: no datagram is sent to it (RFC 6335)");
        }
        long size = payload.byteSize();
        if (size > UdpHeader.MAX_PAYLOAD) {
            throw new NetworkException(Reason.MESSAGE_TOO_LARGE,
                    "a UDP payload is at most " + UdpHeader.MAX_PAYLOAD + " bytes, got " + size);
        }
        Writer writer = WRITERS.get();
        if (writer.payload != null) {
            writer = new Writer(); // a write from inside a fill: rare, and allowed
        }
        int length = UdpPacket.HEADER + (int) size;
        writer.set(ipv4, sourcePort == 0 ? ephemeralPort() : sourcePort, destination, payload, length);
        try {
            ipv4.write(destination.address(), Ipv4.UDP, length, writer);
        } finally {
            writer.clear();
        }
        counts.increment(Count.SENT);
    }

    /** One writer per thread that writes, so that a write allocates nothing (no capturing lambda, no header record). */
    private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

    /** Writes the header and the payload into IPv4's buffer and checksums them. In use while {@code payload} is set. */
    private static final class Writer implements Fill {
        private Ipv4 ipv4;
        private int sourcePort;
        private int destinationPort;
        private Ipv4Address destination;
        private MemorySegment payload;
        private int length;

        void set(Ipv4 ipv4, int sourcePort, Endpoint destination, MemorySegment payload, int length) {
            this.ipv4 = ipv4;
            this.sourcePort = sourcePort;
            this.destinationPort = destination.port();
            this.destination = destination.address();
            this.payload = payload;
            this.length = length;
        }

        /** Frees the writer, and lets go of what the call lent it. */
        void clear() {
            ipv4 = null;
            destination = null;
            payload = null;
        }

        @Override
        public int into(MemorySegment buffer) {
            MemorySegment.copy(payload, 0, buffer, UdpPacket.HEADER, length - UdpPacket.HEADER);
            // The source address IPv4 writes in the header is ours, read as late as possible.
            return UdpHeader.emit(buffer.asSlice(0, length), sourcePort, destinationPort,
                    ipv4.pseudoHeaderSum(ipv4.address(), destination, Ipv4.UDP, length));
        }
    }

    /** The port of every {@code write(0, …)}: the first of the dynamic range nobody listened on when first needed. */
    private synchronized int ephemeralPort() {
        if (ephemeral == 0) {
            int port = EPHEMERAL_FIRST;
            while (port < Endpoint.MAX_PORT && ports.get(port) != null) {
                port++;
            }
            ephemeral = port;
        }
        return ephemeral;
    }

    /**
     * Handles one UDP datagram from IPv4.
     *
     * <p>Written for C2's node budget: it inlines into IPv4's and Ethernet's dispatch, where the frame's slices
     * are made, and only if the whole path stays under the budget ({@code NodeCountInliningCutoff}) can escape
     * analysis remove the endpoints and slices made here. So the header is read in one 8-byte access, each
     * access costing dozens of nodes, and the rare cases are methods of their own (see RESULTS.md).
     *
     * @param source the sender
     * @param destination our address, or a broadcast or multicast address
     * @param packet the IPv4 payload, read-only, valid during the call
     */
    void datagram(Ipv4Address source, Ipv4Address destination, MemorySegment packet) {
        counts.increment(Count.RECEIVED);
        long size = packet.byteSize();
        if (size < UdpPacket.HEADER) {
            counts.increment(Count.MALFORMED);
            return;
        }
        long header = packet.get(UdpPacket.U64, 0);
        int length = (int) (header >>> 16) & 0xFFFF;
        if (length < UdpPacket.HEADER || length > size) {
            counts.increment(Count.MALFORMED);
            return;
        }
        if ((header & 0xFFFF) != 0 && InternetChecksum.of(packet, 0, length,
                ipv4.pseudoHeaderSum(source, destination, Ipv4.UDP, length)) != 0) {
            counts.increment(Count.BAD_CHECKSUM);
            return;
        }
        int port = (int) (header >>> 32) & 0xFFFF;
        DatagramHandler handler = ports.get(port);
        if (handler == null) {
            noListener(source, destination, packet, length);
            return;
        }
        counts.increment(Count.DELIVERED);
        Thread previous = delivering;
        delivering = Thread.currentThread();
        try {
            handler.datagram(new Endpoint(source, (int) (header >>> 48)), new Endpoint(destination, port),
                    packet.asSlice(UdpPacket.HEADER, length - UdpPacket.HEADER));
        } catch (RuntimeException e) {
            failed(port, e);
        } finally {
            delivering = previous;
        }
    }

    private void noListener(Ipv4Address source, Ipv4Address destination, MemorySegment packet, int length) {
        counts.increment(Count.NO_LISTENER);
        // Only a datagram to our own address is answered (ICMP would refuse the others anyway): no quote is
        // built for the broadcasts a LAN is full of.
        if (destination.equals(ipv4.address())) {
            unreachable(source, destination, packet, length);
        }
    }

    private void failed(int port, RuntimeException e) {
        counts.increment(Count.HANDLER_FAILED);
        LOG.log(Level.WARNING, () -> "the UDP handler of port " + port + " failed", e);
    }

    /** Rebuilds the datagram from its IPv4 header on (see the class comment) and asks ICMP to report it. */
    private void unreachable(Ipv4Address source, Ipv4Address destination, MemorySegment packet, int length) {
        int quoted = Math.min(length, QUOTED_UDP_BYTES);
        MemorySegment datagram = MemorySegment.ofArray(new byte[20 + quoted]);
        datagram.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45); // version 4, 20-byte header
        datagram.set(UdpPacket.U16, 2, (short) (20 + length));
        datagram.set(ValueLayout.JAVA_BYTE, 9, (byte) Ipv4.UDP);
        datagram.set(UdpPacket.I32, 12, source.bits());
        datagram.set(UdpPacket.I32, 16, destination.bits());
        datagram.set(UdpPacket.U16, 10, (short) InternetChecksum.of(datagram, 0, 20, 0));
        MemorySegment.copy(packet, 0, datagram, 20, quoted);
        try {
            icmp.sendUnreachable(Icmp.Unreachable.PORT, datagram);
        } catch (NetworkException e) {
            LOG.log(Level.DEBUG, () -> "could not send a port unreachable to " + source + ": " + e.getMessage());
        }
    }

    /**
     * An ICMP error about a datagram: counted, and handed to the listener of the port it was sent from when it
     * quotes one of ours (RFC 1122 §4.1.3.3).
     */
    private void error(Ipv4Address reporter, int type, int code, MemorySegment quoted) {
        int header = (quoted.get(ValueLayout.JAVA_BYTE, 0) & 0xF) * 4;
        Ipv4Address ourAddress = ipv4.address();
        int ourSource = quoted.get(UdpPacket.I32, 12);
        Ipv4Address destination = new Ipv4Address(quoted.get(UdpPacket.I32, 16));
        int sourcePort = quoted.get(UdpPacket.U16, header) & 0xFFFF;
        int destinationPort = quoted.get(UdpPacket.U16, header + 2) & 0xFFFF;
        DatagramHandler handler = ourSource == ourAddress.bits() ? ports.get(sourcePort) : null;
        boolean ours = handler != null || ourSource == ourAddress.bits() && sourcePort == ephemeralIfChosen();
        counts.increment(ours ? Count.ICMP_ERRORS : Count.ICMP_ERRORS_IGNORED);
        LOG.log(Level.DEBUG, () -> "ICMP type " + type + " code " + code + " from " + reporter + " about our UDP datagram "
                + new Ipv4Address(ourSource) + ":" + sourcePort + " → " + destination + ":" + destinationPort
                + (ours ? "" : " (not ours)"));
        if (handler == null || destinationPort == 0) {
            return; // the ephemeral port's datagrams have nobody to tell; a port 0 is no endpoint to name
        }
        try {
            handler.error(new Endpoint(ourAddress, sourcePort), new Endpoint(destination, destinationPort),
                    asException(reporter, type, code));
        } catch (RuntimeException e) {
            failed(sourcePort, e);
        }
    }

    /** What an ICMP error means to the sender, as Linux's {@code icmp_err_convert} sees it. */
    static NetworkException asException(Ipv4Address reporter, int type, int code) {
        Reason reason = type != 3 ? Reason.UNREACHABLE : switch (code) {
            case 3 -> Reason.CONNECTION_REFUSED;
            case 4 -> Reason.MESSAGE_TOO_LARGE;
            default -> Reason.UNREACHABLE;
        };
        String what = switch (type) {
            case 3 -> "destination unreachable";
            case 11 -> "time exceeded";
            case 12 -> "parameter problem";
            default -> "type " + type;
        };
        return new NetworkException(reason, "ICMP " + what + " (type " + type + ", code " + code + ") from " + reporter);
    }

    private synchronized int ephemeralIfChosen() {
        return ephemeral == 0 ? -1 : ephemeral;
    }

    /**
     * Returns one counter.
     *
     * @param count which
     * @return its value now
     */
    public long count(Count count) {
        return counts.get(count);
    }

    /**
     * Returns every counter.
     *
     * @return a snapshot, in the order of {@link Count}
     */
    public Map<Count, Long> counters() {
        return counts.snapshot();
    }
}

package dev.morgana.net.ethernet.internal;

import dev.morgana.api.Service;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.EthernetConfig;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ethernet II over a {@link Network}: receives every frame of the device, keeps those addressed to us,
 * and hands their payloads to the handler registered for their EtherType; writes headers and pads short
 * frames on send.
 *
 * <p>The receive path allocates nothing but the payload slice (which escape analysis usually removes): it
 * reads the header through {@link EthernetFrame}'s static accessors, finds the handler in a small array,
 * and hands out {@link MacAddress} instances it already holds (our own, broadcast, the configured groups,
 * and a direct-mapped cache of recent sources). It starts listening to the device when started as a
 * {@link Service}.
 */
public final class EthernetLayer implements Ethernet, Service, Network.FrameHandler {

    /** Distinct recent source MACs kept as objects, so that a steady flow allocates none. */
    private static final int SOURCES = 64;

    private final Network network;
    private final MacAddress mac;
    private final long macBits;
    private final MacAddress[] groups;
    private final int vlan; // -1: drop every tagged frame
    private final MacAddress[] sources = new MacAddress[SOURCES]; // touched on the receive thread only
    private volatile Dispatch dispatch = new Dispatch(new int[0], new PayloadHandler[0]);

    // Written on the receive thread only (Network delivers one frame at a time). Plain fields, not volatile:
    // a volatile store per frame costs more than the rest of the receive path, and a reader on another
    // thread only needs a recent value (64-bit JVMs do not tear longs).
    private long received;
    private long delivered;
    private long notForUs;
    private long tagged;
    private long unknownType;
    private long malformed;
    private final AtomicLong sent = new AtomicLong();

    /** The handlers by EtherType; replaced whole on register, so that the receive path reads it without a lock. */
    private record Dispatch(int[] types, PayloadHandler[] handlers) {}

    /**
     * The layer's counters.
     *
     * @param received frames the device delivered
     * @param delivered payloads handed to a handler
     * @param notForUs frames for another unicast MAC or an unconfigured group, dropped
     * @param tagged 802.1Q-tagged frames for a VLAN not configured, dropped
     * @param unknownType frames of an EtherType no handler is registered for, dropped
     * @param malformed frames rejected by the parser (too short, an 802.3 length, stacked tags), dropped
     * @param sent frames written to the device
     */
    public record Counters(long received, long delivered, long notForUs, long tagged, long unknownType, long malformed,
            long sent) {}

    /**
     * Creates the layer; it listens to the device once started.
     *
     * @param network the device
     * @param config what to accept beyond our MAC and broadcast
     */
    @Inject
    public EthernetLayer(Network network, EthernetConfig config) {
        this.network = network;
        this.mac = network.mac();
        this.macBits = mac.bits();
        this.groups = config.multicast().toArray(MacAddress[]::new);
        this.vlan = config.vlan().orElse(-1);
    }

    @Override
    public void start() {
        network.listen(this);
    }

    @Override
    public void stop() {
        network.listen(frame -> {});
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return network.mtu();
    }

    @Override
    public synchronized void register(int etherType, PayloadHandler handler) {
        checkEtherType(etherType);
        Dispatch current = dispatch;
        int at = indexOf(current.types, etherType);
        int[] types = current.types;
        PayloadHandler[] handlers;
        if (at >= 0) {
            handlers = current.handlers.clone();
        } else {
            at = types.length;
            types = Arrays.copyOf(types, at + 1);
            types[at] = etherType;
            handlers = Arrays.copyOf(current.handlers, at + 1);
        }
        handlers[at] = java.util.Objects.requireNonNull(handler, "handler");
        dispatch = new Dispatch(types, handlers);
    }

    private static int indexOf(int[] types, int etherType) {
        for (int i = 0; i < types.length; i++) {
            if (types[i] == etherType) {
                return i;
            }
        }
        return -1;
    }

    private static void checkEtherType(int etherType) {
        if (etherType < EthernetFrame.MIN_ETHER_TYPE || etherType > 0xFFFF || etherType == EthernetFrame.TPID_8021Q
                || etherType == EthernetFrame.TPID_8021AD) {
            throw new IllegalArgumentException("not an EtherType of a payload: 0x" + Integer.toHexString(etherType));
        }
    }

    @Override
    public void write(MacAddress destination, int etherType, int size, Fill fill) throws NetworkException {
        checkEtherType(etherType);
        int mtu = network.mtu();
        if (size < 0 || size > mtu) {
            throw new IllegalArgumentException("a payload of " + size + " bytes does not fit the MTU of " + mtu);
        }
        Framer framer = framer();
        framer.set(destination.bits(), macBits, etherType, size, fill);
        try {
            network.write(Math.max(EthernetFrame.HEADER + size, EthernetFrame.MIN_FRAME), framer);
        } finally {
            framer.fill = null;
        }
        sent.incrementAndGet();
    }

    /** The largest IPv4 datagram, which a TCP super-segment cannot exceed whatever the device takes. */
    private static final int MAX_DATAGRAM = 0xFFFF;

    /** The device's limit less our header, at most the largest IPv4 datagram; 0 when the device has none. */
    @Override
    public int tcpSegmentationLimit() {
        int limit = network.tcpSegmentationLimit();
        return limit <= EthernetFrame.HEADER ? 0 : Math.min(limit - EthernetFrame.HEADER, MAX_DATAGRAM);
    }

    @Override
    public void writeTcpSegments(MacAddress destination, int size, int segmentSize, Fill fill) throws NetworkException {
        int limit = tcpSegmentationLimit();
        if (limit == 0) {
            throw new UnsupportedOperationException("the device below does not segment TCP");
        }
        if (size < 0 || size > limit || segmentSize <= 0) {
            throw new IllegalArgumentException("a TCP super-segment's datagram is 0–" + limit + " bytes in segments of "
                    + "a positive size, got " + size + " in segments of " + segmentSize);
        }
        Framer framer = framer();
        framer.set(destination.bits(), macBits, IPV4, size, fill);
        try {
            network.writeTcpSegments(EthernetFrame.HEADER + size, segmentSize, framer);
        } finally {
            framer.fill = null;
        }
        sent.incrementAndGet();
    }

    private static Framer framer() {
        Framer framer = FRAMERS.get();
        return framer.fill != null ? new Framer() : framer; // a write from inside a fill: rare, and allowed
    }

    /** One framer per thread that writes, so that a write allocates nothing. */
    private static final ThreadLocal<Framer> FRAMERS = ThreadLocal.withInitial(Framer::new);

    /** Writes the header, lets the caller's fill write the payload, and pads. In use while {@code fill} is set. */
    private static final class Framer implements Fill {
        private long destination;
        private long source;
        private int etherType;
        private int size;
        private Fill fill;

        void set(long destination, long source, int etherType, int size, Fill fill) {
            this.destination = destination;
            this.source = source;
            this.etherType = etherType;
            this.size = size;
            this.fill = fill;
        }

        @Override
        public int into(MemorySegment frame) {
            EthernetFrame.putHeader(frame, destination, source, etherType);
            int written = fill.into(frame.asSlice(EthernetFrame.HEADER, size));
            if (written < 0 || written > size) {
                throw new IllegalStateException("the fill wrote " + written + " bytes into room for " + size);
            }
            int length = EthernetFrame.HEADER + written;
            if (length < EthernetFrame.MIN_FRAME) {
                // The device's buffer is not necessarily zeroed: pad with zeros, not with old bytes. Byte by
                // byte rather than through a slice, which the receive-and-answer path would allocate.
                for (int at = length; at < EthernetFrame.MIN_FRAME; at++) {
                    frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, (byte) 0);
                }
                length = EthernetFrame.MIN_FRAME;
            }
            return length;
        }
    }

    @Override
    public void frame(MemorySegment frame) {
        received++;
        try {
            EthernetFrame.check(frame);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        MacAddress destination = accepted(EthernetFrame.destination(frame));
        if (destination == null) {
            notForUs++;
            return;
        }
        int type = EthernetFrame.outerType(frame);
        int offset = EthernetFrame.HEADER;
        if (type == EthernetFrame.TPID_8021Q) {
            int id = EthernetFrame.tci(frame) & 0xFFF;
            if (id != 0 && id != vlan) { // VLAN 0 is a priority tag only (802.1Q §9.6)
                tagged++;
                return;
            }
            type = EthernetFrame.etherType(frame);
            offset += EthernetFrame.TAG;
        }
        if (type < EthernetFrame.MIN_ETHER_TYPE || type == EthernetFrame.TPID_8021Q || type == EthernetFrame.TPID_8021AD) {
            malformed++; // an 802.3 length (LLC), or stacked tags
            return;
        }
        Dispatch table = dispatch;
        int at = indexOf(table.types, type);
        if (at < 0) {
            unknownType++;
            return;
        }
        delivered++;
        table.handlers[at].payload(source(EthernetFrame.source(frame)), destination, frame.asSlice(offset));
    }

    /** Our MAC, broadcast or a configured group as the instance we hold; {@code null} for anything else. */
    private MacAddress accepted(long destination) {
        if (destination == macBits) {
            return mac;
        }
        if (destination == MacAddress.BROADCAST.bits()) {
            return MacAddress.BROADCAST;
        }
        for (MacAddress group : groups) {
            if (group.bits() == destination) {
                return group;
            }
        }
        return null;
    }

    private MacAddress source(long bits) {
        int slot = (int) (bits ^ bits >>> 17 ^ bits >>> 31) & (SOURCES - 1);
        MacAddress cached = sources[slot];
        if (cached == null || cached.bits() != bits) {
            cached = new MacAddress(bits);
            sources[slot] = cached;
        }
        return cached;
    }

    /**
     * Returns the counters since the layer was made. Read from another thread than the device's receive
     * thread, the receive counters may lag a few frames behind.
     *
     * @return a snapshot
     */
    public Counters counters() {
        return new Counters(received, delivered, notForUs, tagged, unknownType, malformed, sent.get());
    }
}

package dev.morgana.testing.net;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.testing.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Ethernet switch on a {@link VirtualClock}, whose ports are {@link Network} devices: a simulated node
 * is a port plus the stack under test.
 *
 * <pre>{@code
 * VirtualClock clock = new VirtualClock();
 * SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
 * Network a = lan.port(0), b = lan.port(1);   // give each to a stack
 * b.listen(frame -> ...);
 * a.write(60, buffer -> ...);                 // queued, nothing delivered yet
 * clock.advance(Duration.ofMillis(1));        // b's handler runs here
 * }</pre>
 *
 * <h2>Delivery</h2>
 * <p>A write copies the frame and returns; the frame travels on the clock's timers. It reaches the switch
 * one link latency after the write (the sender's port's latency), where the switch learns its source and
 * chooses the egress ports, and it reaches each receiver one more link latency later (the receiver's port's
 * latency), when that port's handler is called — on the thread that advances the clock, one frame at a
 * time. Why timers rather than calling the receiver from {@code write}: a handler that answers from inside
 * {@code frame(...)} (ARP replying to a request, TCP acknowledging) only queues its answer, so handlers are
 * never re-entered and the call stack never grows with the conversation; and the order of everything is the
 * clock's order (deadline, then scheduling order), so a single-threaded simulation runs identically every
 * time. With a positive latency two nodes that answer each other forever still let
 * {@link VirtualClock#advance} end, because each answer is later than the last; with zero latency such a
 * pair would never leave the current instant. Nothing is delivered until the clock is advanced, even with
 * zero latency ({@code clock.advance(Duration.ZERO)} then delivers).
 *
 * <h2>Switching</h2>
 * <p>In {@link Mode#LEARNING} the switch records the source MAC of every frame that reaches it against
 * the port it came from (a unicast source only), forwards a frame for a known unicast destination to that
 * port alone (and discards it, counted as filtered, when that is the port it came in on), and floods a
 * frame for an unknown, broadcast or multicast destination to every other port. Entries age out after
 * {@link Builder#aging(Duration)} without traffic; a full table learns nothing new (frames for addresses it
 * could not learn are flooded, as on real switches) until entries age out. In {@link Mode#HUB} every frame
 * goes to every other port.
 *
 * <h2>Bounds and counters</h2>
 * <p>Each port holds at most {@link Builder#queueLimit(int)} frames on its way to the switch and as many
 * on their way to its node; a frame beyond that is dropped and counted in that port's
 * {@link Network.Counters#drops()}, as are frames for a port with no handler or a closed port, and frames
 * shorter than an Ethernet header. {@link #statistics()} counts what the switch itself did.
 *
 * <p>Thread-safe: any thread may write; determinism needs one thread advancing the clock.
 */
public final class SimulatedSwitch {

    /** How frames are switched. */
    public enum Mode {
        /** Learn source addresses; forward known unicast to one port, flood the rest. */
        LEARNING,
        /** Flood every frame to every other port. */
        HUB
    }

    /**
     * What the switch did since it was built.
     *
     * @param switched frames that reached the switch and were at least a header long
     * @param forwarded frames sent to exactly one port because their destination was learned
     * @param flooded frames sent to every other port (broadcast, multicast, unknown destination, hub mode)
     * @param filtered frames discarded because their learned destination is the port they came in on
     * @param runts frames shorter than an Ethernet header (14 bytes), discarded
     * @param notLearned source addresses not learned because the MAC table was full
     * @param macTableSize entries in the MAC table now, expired ones included until they are next looked at
     */
    public record Statistics(long switched, long forwarded, long flooded, long filtered, long runts,
            long notLearned, int macTableSize) {}

    /** The Ethernet header: two addresses and the EtherType. */
    static final int HEADER = 14;

    private final VirtualClock clock;
    private final Mode mode;
    private final int mtu;
    private final int queueLimit;
    private final int macTableLimit;
    private final long agingNanos;
    private final List<Port> ports;
    private final Map<Long, Entry> macTable = new HashMap<>();
    private long switched;
    private long forwarded;
    private long flooded;
    private long filtered;
    private long runts;
    private long notLearned;

    /** Where an address was last seen, and when. */
    private record Entry(Port port, long seenNanos) {}

    private SimulatedSwitch(Builder builder) {
        this.clock = builder.clock;
        this.mode = builder.mode;
        this.mtu = builder.mtu;
        this.queueLimit = builder.queueLimit;
        this.macTableLimit = builder.macTableLimit;
        this.agingNanos = builder.aging.toNanos();
        List<Port> made = new ArrayList<>();
        for (int i = 0; i < builder.macs.size(); i++) {
            Duration latency = builder.latencies.get(i);
            made.add(new Port(i, builder.macs.get(i), (latency == null ? builder.latency : latency).toNanos()));
        }
        this.ports = Collections.unmodifiableList(made);
    }

    /**
     * Starts building a switch that runs on {@code clock}.
     *
     * @param clock the virtual clock whose timers carry the frames
     * @return a builder with no ports yet
     */
    public static Builder builder(VirtualClock clock) {
        return new Builder(clock);
    }

    /**
     * Returns one port.
     *
     * @param index from 0, in the order the builder added them
     * @return the port
     * @throws IndexOutOfBoundsException when there is no such port
     */
    public Port port(int index) {
        return ports.get(index);
    }

    /**
     * Returns every port.
     *
     * @return the ports, in the order the builder added them; unmodifiable
     */
    public List<Port> ports() {
        return ports;
    }

    /**
     * Returns how the switch switches.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns a snapshot of what the switch did.
     *
     * @return the statistics since the switch was built
     */
    public synchronized Statistics statistics() {
        return new Statistics(switched, forwarded, flooded, filtered, runts, notLearned, macTable.size());
    }

    /**
     * Tells which port the switch would forward a frame for {@code address} to now.
     *
     * @param address a unicast address
     * @return the port's index, or -1 when the address is not learned (or has aged out)
     */
    public synchronized int lookup(MacAddress address) {
        Entry entry = macTable.get(address.bits());
        return entry == null || expired(entry) ? -1 : entry.port.index;
    }

    /**
     * Counts the frames on their way, to the switch or from it to a node.
     *
     * @return frames written and neither delivered nor dropped yet
     */
    public synchronized int inFlight() {
        int frames = 0;
        for (Port port : ports) {
            frames += port.toSwitch + port.toNode;
        }
        return frames;
    }

    private boolean expired(Entry entry) {
        return clock.monotonicNanos() - entry.seenNanos >= agingNanos;
    }

    /** A frame reached the switch from {@code from}: learn, choose the ports, send it on. */
    private void arrive(Port from, byte[] frame) {
        synchronized (this) {
            from.toSwitch--;
            if (frame.length < HEADER) {
                runts++;
                from.drops++;
                return;
            }
            switched++;
            if (mode == Mode.HUB) {
                flood(from, frame);
                return;
            }
            long source = Segments.mac(frame, 6);
            if ((source & 0x0100_0000_0000L) == 0) {
                learn(source, from);
            }
            long destination = Segments.mac(frame, 0);
            Entry entry = (destination & 0x0100_0000_0000L) != 0 ? null : macTable.get(destination);
            if (entry != null && expired(entry)) {
                macTable.remove(destination);
                entry = null;
            }
            if (entry == null) {
                flood(from, frame);
            } else if (entry.port == from) {
                filtered++;
            } else {
                forwarded++;
                entry.port.send(frame);
            }
        }
    }

    private void learn(long source, Port from) {
        long now = clock.monotonicNanos();
        if (macTable.containsKey(source) || macTable.size() < macTableLimit) {
            macTable.put(source, new Entry(from, now));
            return;
        }
        macTable.values().removeIf(this::expired);
        if (macTable.size() < macTableLimit) {
            macTable.put(source, new Entry(from, now));
        } else {
            notLearned++;
        }
    }

    private void flood(Port from, byte[] frame) {
        flooded++;
        for (Port port : ports) {
            if (port != from) {
                port.send(frame);
            }
        }
    }

    /**
     * One port of the switch: the {@link Network} device of the node plugged into it.
     *
     * <p>{@link #write} copies the frame and queues it (see the switch's delivery rules); the handler
     * receives each frame as a read-only segment that is valid only during the call — a handler that keeps
     * it fails at its next access. {@link #close()} unplugs the node: writes then fail with
     * {@link NetworkException.Reason#CLOSED} and frames for it are dropped.
     */
    public final class Port implements Network, AutoCloseable {

        private final int index;
        private final MacAddress mac;
        private final long latencyNanos;
        private final Object delivering = new Object();
        private volatile FrameHandler handler;
        private boolean closed;
        private int toSwitch;
        private int toNode;
        private long framesIn;
        private long bytesIn;
        private long framesOut;
        private long bytesOut;
        private long drops;

        private Port(int index, MacAddress mac, long latencyNanos) {
            this.index = index;
            this.mac = mac;
            this.latencyNanos = latencyNanos;
        }

        /**
         * Returns the port's place on the switch.
         *
         * @return its index, from 0
         */
        public int index() {
            return index;
        }

        /**
         * Returns the latency of this port's link: the time a frame takes between the node and the switch,
         * either way.
         *
         * @return the latency
         */
        public Duration latency() {
            return Duration.ofNanos(latencyNanos);
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public void write(int size, Fill fill) throws NetworkException {
            if (size < 0 || size > mtu + HEADER) {
                throw new IllegalArgumentException("a frame on this port has at most " + (mtu + HEADER)
                        + " bytes (MTU " + mtu + " + 14), asked for " + size);
            }
            Objects.requireNonNull(fill, "fill");
            synchronized (SimulatedSwitch.this) {
                if (closed) {
                    throw new NetworkException(NetworkException.Reason.CLOSED, "port " + index + " is closed");
                }
            }
            byte[] frame = Segments.fill(size, fill);
            synchronized (SimulatedSwitch.this) {
                if (closed) {
                    throw new NetworkException(NetworkException.Reason.CLOSED, "port " + index + " is closed");
                }
                framesOut++;
                bytesOut += frame.length;
                if (toSwitch >= queueLimit) {
                    drops++;
                    return;
                }
                toSwitch++;
                clock.schedule(clock.monotonicNanos() + latencyNanos, () -> arrive(this, frame));
            }
        }

        /** Queues {@code frame} towards this port's node; called with the switch's lock held. */
        private void send(byte[] frame) {
            if (closed || toNode >= queueLimit) {
                drops++;
                return;
            }
            toNode++;
            clock.schedule(clock.monotonicNanos() + latencyNanos, () -> deliver(frame));
        }

        private void deliver(byte[] frame) {
            FrameHandler current;
            synchronized (SimulatedSwitch.this) {
                toNode--;
                current = handler;
                if (closed || current == null) {
                    drops++;
                    return;
                }
                framesIn++;
                bytesIn += frame.length;
            }
            synchronized (delivering) {
                Segments.deliver(frame, current);
            }
        }

        @Override
        public void listen(FrameHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        @Override
        public Counters counters() {
            synchronized (SimulatedSwitch.this) {
                return new Counters(framesIn, bytesIn, framesOut, bytesOut, drops);
            }
        }

        /**
         * Tells whether the port was closed.
         *
         * @return whether {@link #close()} was called
         */
        public boolean isClosed() {
            synchronized (SimulatedSwitch.this) {
                return closed;
            }
        }

        /** Unplugs the node: later writes fail, frames on their way to it are dropped. Idempotent. */
        @Override
        public void close() {
            synchronized (SimulatedSwitch.this) {
                closed = true;
            }
        }

        @Override
        public String toString() {
            return "port " + index + " (" + mac + ")";
        }
    }

    /** Settings of a {@link SimulatedSwitch}; every one has a default. */
    public static final class Builder {

        private final VirtualClock clock;
        private final List<MacAddress> macs = new ArrayList<>();
        private final List<Duration> latencies = new ArrayList<>();
        private Mode mode = Mode.LEARNING;
        private Duration latency = Duration.ofNanos(DEFAULT_LATENCY_NANOS);
        private int mtu = 1500;
        private int queueLimit = 1024;
        private int macTableLimit = 1024;
        private Duration aging = Duration.ofMinutes(5);

        /** The default link latency: 5 µs, so a frame takes 10 µs from node to node. */
        private static final long DEFAULT_LATENCY_NANOS = 5_000;

        private Builder(VirtualClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /**
         * Adds {@code count} ports with made-up MAC addresses: port {@code i} gets the locally administered
         * {@code 02:00:00:00:xx:xx} with {@code i + 1} in the last two bytes.
         *
         * @param count how many ports to add
         * @return this builder
         */
        public Builder ports(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("a negative number of ports: " + count);
            }
            for (int i = 0; i < count; i++) {
                addPort(new MacAddress(0x0200_0000_0000L + macs.size() + 1));
            }
            return this;
        }

        /**
         * Adds one port whose device has {@code mac} and the switch's default latency.
         *
         * @param mac what the port's {@link Network#mac()} returns
         * @return this builder
         */
        public Builder addPort(MacAddress mac) {
            return addPort(mac, null);
        }

        /**
         * Adds one port whose device has {@code mac}, on a link of its own latency.
         *
         * @param mac what the port's {@link Network#mac()} returns
         * @param latency the time a frame takes between this port's node and the switch; {@code null} for the
         *     switch's default
         * @return this builder
         */
        public Builder addPort(MacAddress mac, Duration latency) {
            if (latency != null && latency.isNegative()) {
                throw new IllegalArgumentException("a negative latency: " + latency);
            }
            macs.add(Objects.requireNonNull(mac, "mac"));
            latencies.add(latency);
            return this;
        }

        /**
         * Chooses learning switch (the default) or hub.
         *
         * @param mode how frames are switched
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the latency of every port's link that was not given its own (default 5 µs); zero is allowed
         * (see the switch's delivery rules).
         *
         * @param latency the time a frame takes between a node and the switch
         * @return this builder
         */
        public Builder latency(Duration latency) {
            if (latency.isNegative()) {
                throw new IllegalArgumentException("a negative latency: " + latency);
            }
            this.latency = latency;
            return this;
        }

        /**
         * Sets the MTU of every port (default 1500).
         *
         * @param mtu the largest Ethernet payload, in bytes
         * @return this builder
         */
        public Builder mtu(int mtu) {
            if (mtu < 1) {
                throw new IllegalArgumentException("an MTU must be positive: " + mtu);
            }
            this.mtu = mtu;
            return this;
        }

        /**
         * Sets how many frames each port holds in each direction before it drops (default 1024).
         *
         * @param limit frames in flight per port and direction
         * @return this builder
         */
        public Builder queueLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a queue limit must be positive: " + limit);
            }
            this.queueLimit = limit;
            return this;
        }

        /**
         * Sets how many addresses the MAC table holds (default 1024).
         *
         * @param limit the most entries
         * @return this builder
         */
        public Builder macTableLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a MAC table limit must be positive: " + limit);
            }
            this.macTableLimit = limit;
            return this;
        }

        /**
         * Sets how long an address stays in the MAC table without a frame from it (default 5 minutes, as
         * IEEE 802.1D recommends).
         *
         * @param aging the time after which an entry expires
         * @return this builder
         */
        public Builder aging(Duration aging) {
            if (!aging.isPositive()) {
                throw new IllegalArgumentException("an aging time must be positive: " + aging);
            }
            this.aging = aging;
            return this;
        }

        /**
         * Builds the switch.
         *
         * @return a switch with the ports added so far
         */
        public SimulatedSwitch build() {
            return new SimulatedSwitch(this);
        }
    }
}

package dev.morgana.benchmarks.ethernet;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.net.ethernet.internal.ArpLayer;
import dev.morgana.net.ethernet.internal.ArpMessage;
import dev.morgana.net.ethernet.internal.EthernetFrame;
import dev.morgana.net.ethernet.internal.EthernetLayer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The receive path of the Ethernet layer and ARP's answer to a request (issue #6; run with {@code -prof gc}
 * for the bytes allocated per frame). Frames sit in native memory, as a TAP device's reads do; the device
 * under the layers does nothing but hand its send buffer to the fill (also native, reused). See RESULTS.md.
 *
 * <ul>
 *   <li>{@code ethernetParseAndDispatch}: a 60-byte IPv4 frame for our MAC, through the destination filter
 *       and EtherType dispatch to a handler that reads the payload's first byte.</li>
 *   <li>{@code arpReplyGeneration}: an ARP request for our address, from a known neighbour, through
 *       Ethernet, the ARP parser, the core (which refreshes the neighbour's entry and answers) and the
 *       reply's emission into the device's buffer, padded to 60 bytes.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EthernetArpBenchmark {

    public static final MacAddress US = MacAddress.parse("02:00:00:00:00:0b");
    public static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:0a");
    public static final Ipv4Address OUR_IP = Ipv4Address.parse("192.0.2.11");
    public static final Ipv4Address PEER_IP = Ipv4Address.parse("192.0.2.10");

    /** A device that only lends its buffer to the fill, as slices made once per size (a device's pool). */
    public static final class NullNetwork implements Network {
        final MemorySegment buffer = Arena.global().allocate(1514);
        final MemorySegment[] slices = new MemorySegment[1515];
        long sent;

        @Override
        public MacAddress mac() {
            return US;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void write(int size, Fill fill) {
            MemorySegment slice = slices[size];
            if (slice == null) {
                slice = buffer.asSlice(0, size);
                slices[size] = slice;
            }
            sent += fill.into(slice);
        }

        /**
         * Returns the buffer the last frame was written into, for a benchmark that reads what was sent.
         *
         * @return the device's one buffer, 1,514 bytes
         */
        public MemorySegment lastFrame() {
            return buffer;
        }

        @Override
        public void listen(FrameHandler handler) {}

        @Override
        public Counters counters() {
            return new Counters(0, 0, sent, 0, 0);
        }
    }

    /** A clock that reads a field; nothing here waits on a timer. */
    public static final class StillClock implements Clock, Timers {
        long now = 1;

        @Override
        public long monotonicNanos() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.EPOCH.plusNanos(now);
        }

        @Override
        public void sleep(Duration duration) {}

        @Override
        public Timer schedule(long deadlineNanos, Runnable action) {
            return () -> true;
        }
    }

    private Arena arena;
    private NullNetwork network;
    private EthernetLayer ethernet;
    private ArpLayer arp;
    private MemorySegment ipv4Frame;
    private MemorySegment arpRequest;
    private long seen;

    @Setup
    public void setUp() {
        arena = Arena.ofConfined();
        network = new NullNetwork();
        ethernet = new EthernetLayer(network, EthernetConfig.DEFAULT);
        ethernet.start();
        ethernet.register(Ethernet.IPV4, (source, destination, payload) -> seen += payload.get(ValueLayout.JAVA_BYTE, 0));
        StillClock clock = new StillClock();
        arp = new ArpLayer(ethernet, clock, clock, ArpConfig.DEFAULT);
        arp.start();
        arp.addAddress(OUR_IP);

        ipv4Frame = arena.allocate(60);
        EthernetFrame.putHeader(ipv4Frame, US.bits(), PEER.bits(), Ethernet.IPV4);
        ipv4Frame.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        ipv4Frame = ipv4Frame.asReadOnly();

        arpRequest = arena.allocate(60);
        EthernetFrame.putHeader(arpRequest, MacAddress.BROADCAST.bits(), PEER.bits(), Ethernet.ARP);
        ArpMessage.Request.of(PEER, PEER_IP, OUR_IP).emit(arpRequest.asSlice(14));
        arpRequest = arpRequest.asReadOnly();
        ethernet.frame(arpRequest); // the neighbour is known from now on
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long ethernetParseAndDispatch() {
        ethernet.frame(ipv4Frame);
        return seen;
    }

    @Benchmark
    public long arpReplyGeneration() {
        ethernet.frame(arpRequest);
        return network.sent;
    }
}

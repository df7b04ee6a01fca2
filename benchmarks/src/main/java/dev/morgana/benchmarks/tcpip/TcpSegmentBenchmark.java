package dev.morgana.benchmarks.tcpip;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.benchmarks.ethernet.EthernetArpBenchmark;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.net.ethernet.internal.ArpLayer;
import dev.morgana.net.ethernet.internal.EthernetFrame;
import dev.morgana.net.ethernet.internal.EthernetLayer;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.TcpConfig;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.ipv4.Ipv4Layer;
import dev.morgana.net.tcpip.ipv4.Ipv4Packet;
import dev.morgana.net.tcpip.tcp.TcpConnection;
import dev.morgana.net.tcpip.tcp.TcpHeader;
import dev.morgana.net.tcpip.tcp.TcpLayer;
import dev.morgana.net.tcpip.tcp.TcpOptions;
import dev.morgana.net.tcpip.tcp.TcpPacket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
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
 * Segment processing on an established connection (issue #8; run with {@code -prof gc} for the bytes allocated
 * per segment). One operation is one in-order segment of 1,448 bytes of data with timestamps (Linux's shape on
 * Ethernet) arriving at the receiver, and the application reading its bytes, so that the window stays open;
 * every second segment is acknowledged at once (RFC 5681 §4.2), so half the operations also send an ACK.
 *
 * <ul>
 *   <li>{@code core}: the sans-IO {@link TcpConnection} alone: the header as a record, {@code receive}, then
 *       {@code read}; its ACKs go to an output that counts them.</li>
 *   <li>{@code stack}: the frame in native memory, as a TAP device reads it, through {@code EthernetLayer},
 *       {@code Ipv4Layer} (header checks) and {@code TcpLayer} (checksum over the pseudo-header, parse,
 *       lookup of the connection, the core) to the application's {@code Flow.read}; the ACKs written through
 *       IPv4 and Ethernet into EthernetArpBenchmark's device, which keeps nothing. The sequence number of the
 *       one frame is advanced by each operation, its checksum adjusted incrementally (RFC 1624), which costs
 *       a few nanoseconds the receiver does not spend.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TcpSegmentBenchmark {

    static final Ipv4Address US = EthernetArpBenchmark.OUR_IP;
    static final Ipv4Address PEER = EthernetArpBenchmark.PEER_IP;
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int DATA = 1448;
    static final int PEER_ISS = 0x1000_0000;
    /** What the peer's segments carry: timestamps that stand still, as the benchmark's clock does. */
    static final TcpOptions TIMESTAMPS = TcpOptions.NONE.withTimestamps(1, 1);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Arena arena;
    private long acks;

    // core
    private TcpConnection connection;
    private MemorySegment payload;
    private MemorySegment sink;
    private int coreSequence;
    private int coreAck;

    // stack
    private EthernetLayer ethernet;
    private TcpLayer tcp;
    private Flow flow;
    private MemorySegment frame;
    private MemorySegment tcpSegment;
    private final CountDownLatch finished = new CountDownLatch(1);

    @Setup
    public void setUp() throws Exception {
        arena = Arena.ofConfined();
        payload = arena.allocate(DATA);
        for (int i = 0; i < DATA; i++) {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        sink = arena.allocate(64 * 1024);
        setUpCore();
        setUpStack();
    }

    private void setUpCore() {
        TcpConnection.Output output = (header, data) -> acks++;
        TcpOptions synOptions = new TcpOptions(1460, 7, true, true, 1, 0, List.of());
        TcpHeader syn = new TcpHeader(PEER_PORT, PORT, PEER_ISS, 0, TcpHeader.SYN, 65535, 0, synOptions);
        connection = TcpConnection.accept(new Endpoint(US, PORT), new Endpoint(PEER, PEER_PORT), syn, 0x2000_0000,
                TcpConfig.DEFAULTS, 1, output);
        coreSequence = PEER_ISS + 1;
        coreAck = 0x2000_0000 + 1;
        connection.receive(2, new TcpHeader(PEER_PORT, PORT, coreSequence, coreAck, TcpHeader.ACK, 512, 0,
                TIMESTAMPS), MemorySegment.ofArray(new byte[0]));
        if (connection.state() != TcpConnection.State.ESTABLISHED) {
            throw new IllegalStateException("not established: " + connection.state());
        }
    }

    private void setUpStack() throws Exception {
        EthernetArpBenchmark.NullNetwork network = new EthernetArpBenchmark.NullNetwork();
        ethernet = new EthernetLayer(network, EthernetConfig.DEFAULT);
        ethernet.start();
        EthernetArpBenchmark.StillClock clock = new EthernetArpBenchmark.StillClock();
        ArpConfig arpConfig = new ArpConfig(512, Duration.ofSeconds(60), 3, Duration.ofSeconds(1), 8, 256,
                Map.of(PEER, EthernetArpBenchmark.PEER));
        ArpLayer arp = new ArpLayer(ethernet, clock, clock, arpConfig);
        arp.start();
        Ipv4Layer ipv4 = new Ipv4Layer(ethernet, arp, clock, clock, Ipv4Config.of(US, 24));
        ipv4.start();
        IcmpLayer icmp = new IcmpLayer(ipv4, clock, IcmpConfig.DEFAULT);
        icmp.start();
        tcp = new TcpLayer(ipv4, icmp, clock, clock, bytes -> java.util.Arrays.fill(bytes, (byte) 7),
                TcpConfig.DEFAULTS, TcpConfig.Limits.DEFAULT);
        tcp.start();
        SynchronousQueue<Flow> accepted = new SynchronousQueue<>();
        tcp.listen(new Endpoint(Ipv4Address.ANY, PORT), Tcp.Options.DEFAULT, accepting -> {
            accepted.put(accepting);
            finished.await();
        });

        int headerLength = TcpPacket.HEADER + 12;
        frame = arena.allocate(EthernetFrame.HEADER + Ipv4Packet.HEADER + headerLength + DATA);
        MemorySegment packet = frame.asSlice(EthernetFrame.HEADER);
        tcpSegment = packet.asSlice(Ipv4Packet.HEADER);
        // The handshake: the peer's SYN, our SYN-ACK (read back from the device), the peer's ACK.
        MemorySegment syn = synFrame(ipv4);
        ethernet.frame(syn);
        MemorySegment sent = network.lastFrame();
        int ourIss = sent.get(I32, EthernetFrame.HEADER + Ipv4Packet.HEADER + 4);
        EthernetFrame.putHeader(frame, EthernetArpBenchmark.US.bits(), EthernetArpBenchmark.PEER.bits(), Ethernet.IPV4);
        Ipv4Packet.putHeader(packet, 0, Ipv4Packet.HEADER + headerLength, 1, 0, 64, Ipv4.TCP, PEER.bits(), US.bits());
        TcpHeader ack = new TcpHeader(PEER_PORT, PORT, PEER_ISS + 1, ourIss + 1, TcpHeader.ACK, 512, 0,
                TcpOptions.NONE.withTimestamps(1, 1));
        ack.emit(tcpSegment.asSlice(0, headerLength), ipv4.pseudoHeaderSum(PEER, US, Ipv4.TCP, headerLength));
        ethernet.frame(frame.asSlice(0, EthernetFrame.HEADER + Ipv4Packet.HEADER + headerLength));
        flow = accepted.poll(10, TimeUnit.SECONDS);
        if (flow == null) {
            throw new IllegalStateException("the connection was not accepted: " + tcp.connections());
        }
        // From now on the frame is a data segment: its sequence number advances by DATA per operation.
        Ipv4Packet.putHeader(packet, 0, Ipv4Packet.HEADER + headerLength + DATA, 2, 0, 64, Ipv4.TCP, PEER.bits(),
                US.bits());
        MemorySegment.copy(payload, 0, tcpSegment, headerLength, DATA);
        TcpHeader data = new TcpHeader(PEER_PORT, PORT, PEER_ISS + 1, ourIss + 1, TcpHeader.ACK | TcpHeader.PSH,
                512, 0, TcpOptions.NONE.withTimestamps(1, 1));
        data.emit(tcpSegment, ipv4.pseudoHeaderSum(PEER, US, Ipv4.TCP, headerLength + DATA));
    }

    private MemorySegment synFrame(Ipv4 ipv4) {
        TcpHeader syn = new TcpHeader(PEER_PORT, PORT, PEER_ISS, 0, TcpHeader.SYN, 65535, 0,
                new TcpOptions(1460, 7, true, true, 1, 0, List.of()));
        int length = syn.length();
        MemorySegment synFrame = arena.allocate(EthernetFrame.HEADER + Ipv4Packet.HEADER + length);
        EthernetFrame.putHeader(synFrame, EthernetArpBenchmark.US.bits(), EthernetArpBenchmark.PEER.bits(), Ethernet.IPV4);
        MemorySegment packet = synFrame.asSlice(EthernetFrame.HEADER);
        Ipv4Packet.putHeader(packet, 0, Ipv4Packet.HEADER + length, 0, 0, 64, Ipv4.TCP, PEER.bits(), US.bits());
        syn.emit(packet.asSlice(Ipv4Packet.HEADER), ipv4.pseudoHeaderSum(PEER, US, Ipv4.TCP, length));
        return synFrame;
    }

    @TearDown
    public void tearDown() {
        finished.countDown();
        tcp.stop();
        arena.close();
    }

    @Benchmark
    public long core() {
        TcpHeader header = new TcpHeader(PEER_PORT, PORT, coreSequence, coreAck, TcpHeader.ACK | TcpHeader.PSH, 512,
                0, TIMESTAMPS);
        connection.receive(3, header, payload);
        coreSequence += DATA;
        return connection.read(3, sink) + acks;
    }

    @Benchmark
    public long stack() throws NetworkException {
        ethernet.frame(frame);
        // The next segment: sequence + DATA, the checksum adjusted for the two 16-bit words that changed.
        int sequence = tcpSegment.get(I32, 4);
        int next = sequence + DATA;
        tcpSegment.set(I32, 4, next);
        int checksum = ~tcpSegment.get(U16, 16) & 0xFFFF;
        checksum += (~(sequence >>> 16) & 0xFFFF) + (next >>> 16) + (~sequence & 0xFFFF) + (next & 0xFFFF);
        while (checksum > 0xFFFF) {
            checksum = (checksum & 0xFFFF) + (checksum >>> 16);
        }
        tcpSegment.set(U16, 16, (short) ~checksum);
        return flow.read(sink);
    }
}

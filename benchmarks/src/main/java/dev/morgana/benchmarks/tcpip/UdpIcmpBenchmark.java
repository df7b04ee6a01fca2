package dev.morgana.benchmarks.tcpip;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.NetworkException;
import dev.morgana.benchmarks.ethernet.EthernetArpBenchmark;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.icmp.IcmpMessage;
import dev.morgana.net.tcpip.udp.UdpHeader;
import dev.morgana.net.tcpip.udp.UdpLayer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The UDP receive path, UDP's write and ICMP's echo reply (issue #7; run with {@code -prof gc} for the bytes
 * allocated per datagram). Datagrams sit in native memory, as a device's would; the {@code Ipv4} below hands
 * the layers' handlers the IPv4 payload as IPv4 will, and lends its native send buffer to the fill as slices
 * made once per size (a device's pool). No IPv4 header is parsed or written: these are the costs of UDP and
 * ICMP on top of IPv4's. See RESULTS.md.
 *
 * <ul>
 *   <li>{@code udpReceive}: a datagram with 64 bytes of payload and a checksum, to a listened port: length
 *       check, checksum over the pseudo-header, port lookup, delivery to a handler that reads the payload's
 *       first byte and the source port.</li>
 *   <li>{@code udpWrite}: the same payload written to a peer: header and checksum built in place, payload
 *       copied once, into the buffer.</li>
 *   <li>{@code icmpEchoReply}: a 64-byte echo request (56 bytes of data, as ping sends) validated and
 *       answered into the buffer.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UdpIcmpBenchmark {

    static final Ipv4Address US = Ipv4Address.parse("192.0.2.11");
    static final Ipv4Address PEER = Ipv4Address.parse("192.0.2.10");

    /** An IPv4 that keeps the handlers registered with it and only lends its buffer to fills. */
    static final class NullIpv4 implements Ipv4 {
        final MemorySegment buffer = Arena.global().allocate(65_535);
        final MemorySegment[] slices = new MemorySegment[1501];
        final DatagramHandler[] handlers = new DatagramHandler[256];
        final Ipv4Prefix network = Ipv4Prefix.parse("192.0.2.0/24");
        long sent;

        @Override
        public Ipv4Address address() {
            return US;
        }

        @Override
        public Ipv4Prefix network() {
            return network;
        }

        @Override
        public int mtu() {
            return 1480;
        }

        @Override
        public void write(Ipv4Address destination, int protocol, int size, Fill fill) {
            MemorySegment slice = slices[size];
            if (slice == null) {
                slice = buffer.asSlice(0, size);
                slices[size] = slice;
            }
            sent += fill.into(slice);
        }

        @Override
        public void register(int protocol, DatagramHandler handler) {
            handlers[protocol] = handler;
        }
    }

    private Arena arena;
    private NullIpv4 ipv4;
    private UdpLayer udp;
    private IcmpLayer icmp;
    private Ipv4.DatagramHandler udpIn;
    private Ipv4.DatagramHandler icmpIn;
    private MemorySegment datagram;
    private MemorySegment echoRequest;
    private MemorySegment payload;
    private Endpoint peer;
    private long seen;

    @Setup
    public void setUp() throws NetworkException {
        arena = Arena.ofConfined();
        ipv4 = new NullIpv4();
        icmp = new IcmpLayer(ipv4, new EthernetArpBenchmark.StillClock(), IcmpConfig.DEFAULT);
        udp = new UdpLayer(ipv4, icmp);
        icmp.start();
        udp.start();
        udp.listen(5000, (source, destination, data) -> seen += data.get(ValueLayout.JAVA_BYTE, 0) + source.port());
        udpIn = ipv4.handlers[Ipv4.UDP];
        icmpIn = ipv4.handlers[Ipv4.ICMP];

        datagram = arena.allocate(8 + 64);
        for (int i = 8; i < 72; i++) {
            datagram.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        new UdpHeader(40000, 5000).emit(datagram, ipv4.pseudoHeaderSum(PEER, US, Ipv4.UDP, 72));
        datagram = datagram.asReadOnly();

        echoRequest = arena.allocate(64);
        for (int i = 8; i < 64; i++) {
            echoRequest.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        new IcmpMessage.EchoRequest(0x4656, 1).emit(echoRequest);
        echoRequest = echoRequest.asReadOnly();

        payload = arena.allocate(64).fill((byte) 7).asReadOnly();
        peer = new Endpoint(PEER, 5000);
    }

    @TearDown
    public void tearDown() {
        if (udp.count(UdpLayer.Count.DELIVERED) == 0 && udp.count(UdpLayer.Count.SENT) == 0
                && icmp.count(IcmpLayer.Count.ECHO_ANSWERED) == 0) {
            throw new IllegalStateException("nothing was delivered or sent: the benchmark measured a drop path");
        }
        if (udp.count(UdpLayer.Count.BAD_CHECKSUM) + udp.count(UdpLayer.Count.MALFORMED) + udp.count(UdpLayer.Count.NO_LISTENER) != 0) {
            throw new IllegalStateException("datagrams were dropped: " + udp.counters());
        }
        arena.close();
    }

    @Benchmark
    public long udpReceive() {
        udpIn.datagram(PEER, US, datagram);
        return seen;
    }

    @Benchmark
    public long udpWrite() throws NetworkException {
        udp.write(40000, peer, payload);
        return ipv4.sent;
    }

    @Benchmark
    public long icmpEchoReply() {
        icmpIn.datagram(PEER, US, echoRequest);
        return ipv4.sent;
    }
}

package dev.morgana.benchmarks.ipv4;

import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.benchmarks.ethernet.EthernetArpBenchmark;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.net.ethernet.internal.ArpLayer;
import dev.morgana.net.ethernet.internal.EthernetFrame;
import dev.morgana.net.ethernet.internal.EthernetLayer;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.net.tcpip.ipv4.Ipv4Layer;
import dev.morgana.net.tcpip.ipv4.Ipv4Packet;
import dev.morgana.net.tcpip.udp.UdpLayer;
import dev.morgana.net.tcpip.udp.UdpPacket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * The IPv4 and IPv4 + UDP receive paths (issue #7; run with {@code -prof gc} for the bytes allocated per datagram): frames in
 * native memory, as a TAP device reads them, fed to {@code EthernetLayer.frame}, through IPv4's checks to a
 * handler that reads the payload's first byte. The device and clock are EthernetArpBenchmark's: the device
 * writes into a buffer it keeps, the clock stands still (reassembly's one timer never fires). See RESULTS.md.
 *
 * <ul>
 *   <li>{@code wholeDatagram}: a datagram of 64 bytes for our address from a recent source, of an
 *       experimental protocol whose handler reads the payload's first byte (IPv4's fast path: target 0 B/op).</li>
 *   <li>{@code udpDatagram}: a frame carrying a UDP datagram (64 bytes of payload, checksummed) to a
 *       port a listener holds, through Ethernet, IPv4 and UDP (checksum over the pseudo-header, port lookup) to
 *       that listener: the direct stack's whole receive path below the application (target 0 B/op).</li>
 *   <li>{@code fragmentedDatagram}: a 3,008-byte datagram in three fragments (Linux's {@code ping -s 3000}
 *       shape), reassembled and delivered: one operation is the three frames. Reassembly copies, so this one
 *       allocates by design.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Ipv4ReceiveBenchmark {

    // The addresses of EthernetArpBenchmark, whose device (with our MAC) and clock this one borrows.
    static final MacAddress US = EthernetArpBenchmark.US;
    static final MacAddress PEER = EthernetArpBenchmark.PEER;
    static final Ipv4Address OUR_IP = EthernetArpBenchmark.OUR_IP;
    static final Ipv4Address PEER_IP = EthernetArpBenchmark.PEER_IP;

    /**
     * The protocol of the IPv4-only cases: 253, for experiments (RFC 3692), so that their payloads go to this
     * benchmark's own handler rather than through UDP.
     */
    static final int EXPERIMENT = 253;
    static final int ECHO_PORT = 7;
    private static final ValueLayout.OfShort BIG_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Arena arena;
    private EthernetLayer ethernet;
    private Ipv4Layer ipv4;
    private MemorySegment whole;
    private MemorySegment udp;
    private final MemorySegment[] fragments = new MemorySegment[3];
    private long seen;

    private MemorySegment frame(int payloadLength, int identification, int flagsAndOffset) {
        MemorySegment frame = arena.allocate(EthernetFrame.HEADER + Ipv4Packet.HEADER + payloadLength);
        EthernetFrame.putHeader(frame, US.bits(), PEER.bits(), Ethernet.IPV4);
        MemorySegment packet = frame.asSlice(EthernetFrame.HEADER);
        for (int i = 0; i < payloadLength; i++) {
            packet.set(ValueLayout.JAVA_BYTE, Ipv4Packet.HEADER + i, (byte) i);
        }
        Ipv4Packet.putHeader(packet, 0, Ipv4Packet.HEADER + payloadLength, identification, flagsAndOffset, 64,
                EXPERIMENT, PEER_IP.bits(), OUR_IP.bits());
        return frame.asReadOnly();
    }

    /** A frame holding a checksummed UDP datagram from the peer's port 40000 to our {@link #ECHO_PORT}. */
    private MemorySegment udpFrame(int payloadLength) {
        int length = UdpPacket.HEADER + payloadLength;
        MemorySegment frame = arena.allocate(EthernetFrame.HEADER + Ipv4Packet.HEADER + length);
        EthernetFrame.putHeader(frame, US.bits(), PEER.bits(), Ethernet.IPV4);
        MemorySegment packet = frame.asSlice(EthernetFrame.HEADER);
        Ipv4Packet.putHeader(packet, 0, Ipv4Packet.HEADER + length, 3, 0, 64, Ipv4.UDP, PEER_IP.bits(),
                OUR_IP.bits());
        MemorySegment datagram = packet.asSlice(Ipv4Packet.HEADER);
        datagram.set(BIG_SHORT, 0, (short) 40000);
        datagram.set(BIG_SHORT, 2, (short) ECHO_PORT);
        datagram.set(BIG_SHORT, 4, (short) length);
        for (int i = 0; i < payloadLength; i++) {
            datagram.set(ValueLayout.JAVA_BYTE, UdpPacket.HEADER + i, (byte) i);
        }
        int pseudo = ipv4.pseudoHeaderSum(PEER_IP, OUR_IP, Ipv4.UDP, length);
        datagram.set(BIG_SHORT, 6, (short) InternetChecksum.of(datagram, 0, length, pseudo));
        return frame.asReadOnly();
    }

    @Setup
    public void setUp() {
        arena = Arena.ofConfined();
        ethernet = new EthernetLayer(new EthernetArpBenchmark.NullNetwork(), EthernetConfig.DEFAULT);
        ethernet.start();
        EthernetArpBenchmark.StillClock clock = new EthernetArpBenchmark.StillClock();
        ArpLayer arp = new ArpLayer(ethernet, clock, clock, ArpConfig.DEFAULT);
        arp.start();
        ipv4 = new Ipv4Layer(ethernet, arp, clock, clock, Ipv4Config.of(OUR_IP, 24));
        ipv4.start();
        ipv4.register(EXPERIMENT, (source, destination, payload) -> seen += payload.get(ValueLayout.JAVA_BYTE, 0));
        whole = frame(64, 1, 0);
        IcmpLayer icmp = new IcmpLayer(ipv4, clock, IcmpConfig.DEFAULT);
        icmp.start();
        UdpLayer udpLayer = new UdpLayer(ipv4, icmp);
        udpLayer.start();
        try {
            udpLayer.listen(ECHO_PORT, (source, destination, payload) ->
                    seen += payload.get(ValueLayout.JAVA_BYTE, 0) + source.port());
        } catch (NetworkException e) {
            throw new IllegalStateException(e);
        }
        udp = udpFrame(64);
        fragments[0] = frame(1480, 2, Ipv4Packet.MORE_FRAGMENTS);
        fragments[1] = frame(1480, 2, Ipv4Packet.MORE_FRAGMENTS | 1480 / 8);
        fragments[2] = frame(48, 2, 2960 / 8);
    }

    @TearDown
    public void tearDown() {
        ipv4.stop();
        arena.close();
    }

    @Benchmark
    public long wholeDatagram() {
        ethernet.frame(whole);
        return seen;
    }

    @Benchmark
    public long udpDatagram() {
        ethernet.frame(udp);
        return seen;
    }

    @Benchmark
    public long fragmentedDatagram() {
        ethernet.frame(fragments[0]);
        ethernet.frame(fragments[1]);
        ethernet.frame(fragments[2]);
        return seen;
    }
}

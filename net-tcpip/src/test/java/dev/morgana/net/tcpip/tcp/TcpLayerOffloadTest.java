package dev.morgana.net.tcpip.tcp;

import static dev.morgana.net.tcpip.tcp.TcpLayerTest.A;
import static dev.morgana.net.tcpip.tcp.TcpLayerTest.B;
import static dev.morgana.net.tcpip.tcp.TcpLayerTest.node;
import static dev.morgana.net.tcpip.tcp.TcpLayerTest.readAll;
import static dev.morgana.net.tcpip.tcp.TcpLayerTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * TCP over a device that segments TCP itself, as Linux does behind a TAP with {@code IFF_VNET_HDR}: the sender
 * hands it super-segments, the device cuts them at the MSS, and the receiver, whose TCP checks every checksum,
 * gets the data intact.
 */
class TcpLayerOffloadTest {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * A port of the switch that segments TCP as Linux's {@code tcp_gso_segment} does: each segment gets the
     * headers, its own IPv4 total length, identification and header checksum, its sequence number, FIN and PSH
     * on the last only, and its TCP checksum completed from the partial sum the field holds, which it checks is
     * the pseudo-header's for the whole segment, not complemented.
     */
    static final class SegmentingPort implements Network {
        final Network port;
        final AtomicInteger superSegments = new AtomicInteger();
        final AtomicInteger segments = new AtomicInteger();

        SegmentingPort(Network port) {
            this.port = port;
        }

        @Override
        public MacAddress mac() {
            return port.mac();
        }

        @Override
        public int mtu() {
            return port.mtu();
        }

        @Override
        public void write(int size, Fill fill) throws NetworkException {
            port.write(size, fill);
        }

        @Override
        public int tcpSegmentationLimit() {
            return 0xFFFF + 14;
        }

        @Override
        public void writeTcpSegments(int size, int segmentSize, Fill fill) throws NetworkException {
            MemorySegment frame = MemorySegment.ofArray(new byte[size]);
            int length = fill.into(frame);
            frame = frame.asSlice(0, length);
            superSegments.incrementAndGet();
            int ipHeader = (frame.get(ValueLayout.JAVA_BYTE, 14) & 0xF) * 4;
            int tcp = 14 + ipHeader;
            int tcpHeader = ((frame.get(ValueLayout.JAVA_BYTE, tcp + 12) & 0xFF) >>> 4) * 4;
            int source = frame.get(I32, 14 + 12);
            int destination = frame.get(I32, 14 + 16);
            assertEquals(length - 14, frame.get(U16, 14 + 2) & 0xFFFF, "the IPv4 total length is the whole datagram's");
            assertEquals(0x4000, frame.get(U16, 14 + 6) & 0xFFFF, "DF, no fragment");
            int whole = length - tcp;
            assertEquals(pseudo(source, destination, whole), frame.get(U16, tcp + 16) & 0xFFFF,
                    "the checksum field holds the pseudo-header's sum for the whole segment, not complemented");
            int data = whole - tcpHeader;
            int id = frame.get(U16, 14 + 4) & 0xFFFF;
            int sequence = frame.get(I32, tcp + 4);
            int flags = frame.get(ValueLayout.JAVA_BYTE, tcp + 13) & 0xFF;
            for (int offset = 0, n = 0; offset < data; offset += segmentSize, n++) {
                int piece = Math.min(segmentSize, data - offset);
                boolean last = offset + piece == data;
                int segmentLength = tcpHeader + piece;
                byte[] out = new byte[tcp + segmentLength];
                MemorySegment o = MemorySegment.ofArray(out);
                MemorySegment.copy(frame, 0, o, 0, tcp + tcpHeader);
                MemorySegment.copy(frame, tcp + tcpHeader + offset, o, tcp + tcpHeader, piece);
                o.set(U16, 14 + 2, (short) (ipHeader + segmentLength));
                o.set(U16, 14 + 4, (short) (id + n));
                o.set(U16, 14 + 10, (short) 0);
                o.set(U16, 14 + 10, (short) InternetChecksum.of(o, 14, ipHeader, 0));
                o.set(I32, tcp + 4, sequence + offset);
                o.set(ValueLayout.JAVA_BYTE, tcp + 13, (byte) (last ? flags : flags & ~(TcpHeader.FIN | TcpHeader.PSH)));
                o.set(U16, tcp + 16, (short) 0);
                o.set(U16, tcp + 16, (short) InternetChecksum.of(o, tcp, segmentLength,
                        pseudo(source, destination, segmentLength)));
                segments.incrementAndGet();
                port.write(out.length, Fill.copyOf(o));
            }
        }

        private static int pseudo(int source, int destination, int length) {
            long sum = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + 6 + length;
            while (sum > 0xFFFF) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            return (int) sum;
        }

        @Override
        public void listen(FrameHandler handler) {
            port.listen(handler);
        }

        @Override
        public Counters counters() {
            return port.counters();
        }
    }

    @Test
    void aMegabyteSentInSuperSegmentsArrivesIntact() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        SegmentingPort device = new SegmentingPort(lan.port(0));
        TcpLayer a = node(device, clock, A, 1);
        TcpLayer b = node(lan.port(1), clock, B, 2);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(11).nextBytes(data);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (Tcp.Listener listener = b.listen(new Endpoint(Ipv4Address.ANY, 9), Tcp.Options.DEFAULT, flow -> {
            received.complete(readAll(flow));
        })) {
            Thread.ofVirtual().start(() -> {
                try (Flow flow = a.connect(new Endpoint(B, 9), Tcp.Options.DEFAULT)) {
                    flow.write(MemorySegment.ofArray(data));
                    flow.shutdownOutput();
                } catch (Throwable e) {
                    received.completeExceptionally(e);
                }
            });
            assertArrayEquals(data, run(clock, received, Duration.ofMinutes(5)));
            assertEquals(9, listener.local().port());
        }
        assertTrue(device.superSegments.get() > 0, "super-segments were sent");
        assertEquals(device.superSegments.get(), (int) a.count(TcpLayer.Count.OFFLOADED));
        assertTrue(device.segments.get() > 2 * device.superSegments.get(), "each carried several segments");
        assertEquals(0, b.count(TcpLayer.Count.MALFORMED), "every checksum the device completed was right");
    }

    @Test
    void aSuperSegmentToANextHopNoLongerResolvedIsCutHereAndArrivesIntact() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        SegmentingPort device = new SegmentingPort(lan.port(0));
        TcpLayer a = node(device, clock, A, 3);
        TcpLayer b = node(lan.port(1), clock, B, 4);
        byte[] data = new byte[200_000];
        new SplittableRandom(13).nextBytes(data);
        java.util.concurrent.atomic.AtomicLong arrived = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        CompletableFuture<Void> idled = new CompletableFuture<>();
        try (Tcp.Listener listener = b.listen(new Endpoint(Ipv4Address.ANY, 9), Tcp.Options.DEFAULT, flow -> {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            MemorySegment buffer = MemorySegment.ofArray(new byte[16384]);
            int n;
            while ((n = flow.read(buffer)) != -1) {
                all.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
                arrived.addAndGet(n);
            }
            received.complete(all.toByteArray());
        })) {
            Thread.ofVirtual().start(() -> {
                try (Flow flow = a.connect(new Endpoint(B, 9), Tcp.Options.DEFAULT)) {
                    flow.write(MemorySegment.ofArray(data).asSlice(0, 100_000));
                    idled.get();
                    flow.write(MemorySegment.ofArray(data).asSlice(100_000));
                    flow.shutdownOutput();
                } catch (Throwable e) {
                    received.completeExceptionally(e);
                }
            });
            long realEnd = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (arrived.get() < 100_000) {
                assertTrue(System.nanoTime() < realEnd, "the first half did not arrive");
                clock.advance(Duration.ofMillis(1));
                Thread.sleep(0, 100_000);
            }
            // Idle past ARP's 60-s entry lifetime: the next super-segment finds no MAC for B in the cache.
            clock.advance(Duration.ofSeconds(61));
            idled.complete(null);
            assertArrayEquals(data, run(clock, received, Duration.ofMinutes(5)));
            assertEquals(9, listener.local().port());
        }
        assertTrue(a.count(TcpLayer.Count.SEGMENTED) > 0, "a super-segment was cut in software");
        assertEquals(0, b.count(TcpLayer.Count.MALFORMED));
    }
}

package dev.morgana.net.tcpip.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.IcmpConfig;
import dev.morgana.net.tcpip.icmp.Captures;
import dev.morgana.net.tcpip.icmp.IcmpLayer;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import dev.morgana.net.tcpip.udp.UdpLayer.Count;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UDP over a recording IPv4 and the real ICMP layer: delivery, port unreachables, checksums, listen, write. */
class UdpLayerTest {

    private final VirtualClock clock = new VirtualClock();
    private final TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
    private final IcmpLayer icmp = new IcmpLayer(ipv4, clock, new IcmpConfig(5, Duration.ofMillis(100)));
    private final UdpLayer udp = new UdpLayer(ipv4, icmp);
    private final List<String> heard = new ArrayList<>();

    UdpLayerTest() {
        icmp.start();
        udp.start();
    }

    private Udp.DatagramHandler recorder() {
        return (source, destination, payload) ->
                heard.add(source + " > " + destination + " " + new String(payload.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
    }

    @Test
    void linuxsDatagramReachesItsListener() throws NetworkException {
        udp.listen(5000, (source, destination, payload) -> {
            heard.add(source + " > " + destination + " " + new String(payload.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            assertTrue(payload.isReadOnly());
        });
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        assertEquals(List.of("192.0.2.10:40000 > 192.0.2.11:5000 hello morgana\n"), heard);
        assertEquals(1, udp.count(Count.DELIVERED));
        assertEquals(List.of(), ipv4.takeWritten());
    }

    @Test
    void thePayloadIsASliceOfTheDeliveredSegmentNotACopy() throws NetworkException {
        long[] addresses = new long[2];
        udp.listen(5000, (source, destination, payload) -> addresses[1] = payload.address());
        // Between IPv4 and UDP: note where the segment IPv4 delivers (native memory, as a device's) starts.
        ipv4.register(Ipv4.UDP, (source, destination, packet) -> {
            assertTrue(packet.isNative());
            addresses[0] = packet.address();
            udp.datagram(source, destination, packet);
        });
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        assertEquals(addresses[0] + UdpPacket.HEADER, addresses[1]);
    }

    @Test
    void aClosedPortGetsOnePortUnreachableQuotingTheDatagram() {
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(4));
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        assertEquals(1, written.size());
        assertEquals(Captures.A, written.getFirst().destination());
        assertEquals(Ipv4.ICMP, written.getFirst().protocol());
        byte[] ours = written.getFirst().payload();
        byte[] linux = Captures.payload(5);
        assertEquals(linux.length, ours.length);
        // The ICMP header and the quoted UDP datagram are Linux's; of the quoted IPv4 header, what the Ipv4
        // signature passes up (version, length, protocol, addresses) is Linux's, the rest is zero.
        assertArrayEquals(Arrays.copyOf(linux, 2), Arrays.copyOf(ours, 2));
        assertArrayEquals(Arrays.copyOfRange(linux, 4, 8), Arrays.copyOfRange(ours, 4, 8));
        assertArrayEquals(Arrays.copyOfRange(linux, 28, linux.length), Arrays.copyOfRange(ours, 28, ours.length));
        MemorySegment quote = MemorySegment.ofArray(ours).asSlice(8, 20);
        MemorySegment linuxQuote = MemorySegment.ofArray(linux).asSlice(8, 20);
        for (int at : new int[] {0, 2, 3, 9, 12, 13, 14, 15, 16, 17, 18, 19}) {
            assertEquals(linuxQuote.get(ValueLayout.JAVA_BYTE, at), quote.get(ValueLayout.JAVA_BYTE, at), "byte " + at);
        }
        assertEquals(0, InternetChecksum.of(quote, 0, 20, 0), "the quoted header's checksum is right");
        assertEquals(0, InternetChecksum.of(MemorySegment.ofArray(ours), 0, ours.length, 0), "the error's checksum is right");
        assertEquals(1, udp.count(Count.NO_LISTENER));
        assertEquals(1, icmp.count(IcmpLayer.Count.UNREACHABLE_SENT));
    }

    @Test
    void thePortUnreachablesHoldToTheRateLimitOverVirtualTime() {
        byte[] closed = Captures.payload(4);
        for (int i = 0; i < 100; i++) {
            ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, closed);
        }
        assertEquals(5, ipv4.takeWritten().size(), "the burst");
        for (int tick = 0; tick < 10; tick++) {
            clock.advance(Duration.ofMillis(100));
            for (int i = 0; i < 10; i++) {
                ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, closed);
            }
            assertEquals(1, ipv4.takeWritten().size(), "one per 100 ms, at tick " + tick);
        }
        assertEquals(200, udp.count(Count.NO_LISTENER));
        assertEquals(200 - 15, icmp.count(IcmpLayer.Count.RATE_LIMITED));
    }

    @Test
    void closedPortsOfBroadcastsAndMulticastsAreNotAnswered() {
        byte[] closed = Captures.payload(4);
        // The checksum covers the destination address: recompute it for each.
        for (Ipv4Address to : List.of(Ipv4Address.BROADCAST, Ipv4Address.parse("192.0.2.255"), Ipv4Address.parse("224.0.0.251"))) {
            ipv4.deliver(Ipv4.UDP, Captures.A, to, rechecksummed(closed, Captures.A, to));
        }
        assertEquals(List.of(), ipv4.takeWritten());
        assertEquals(3, udp.count(Count.NO_LISTENER));
    }

    private static byte[] rechecksummed(byte[] datagram, Ipv4Address source, Ipv4Address destination) {
        byte[] copy = datagram.clone();
        UdpHeader header = UdpHeader.parse(MemorySegment.ofArray(datagram), UdpHeaderTest.pseudo(Captures.A, Captures.B, datagram.length));
        header.emit(MemorySegment.ofArray(copy), UdpHeaderTest.pseudo(source, destination, copy.length));
        return copy;
    }

    @Test
    void badChecksumsAndBadLengthsAreDroppedAndCounted() throws NetworkException {
        udp.listen(5000, recorder());
        byte[] corrupt = Captures.payload(3);
        corrupt[10] ^= 0x20;
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, corrupt);
        byte[] closedCorrupt = Captures.payload(4);
        closedCorrupt[10] ^= 0x20;
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, closedCorrupt);
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Arrays.copyOf(Captures.payload(3), 21));
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, new byte[5]);
        assertEquals(List.of(), heard);
        assertEquals(List.of(), ipv4.takeWritten(), "no port unreachable for a corrupt datagram");
        assertEquals(2, udp.count(Count.BAD_CHECKSUM));
        assertEquals(2, udp.count(Count.MALFORMED));
        // A zero checksum is no checksum: delivered.
        byte[] unchecked = Captures.payload(3);
        unchecked[6] = 0;
        unchecked[7] = 0;
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, unchecked);
        assertEquals(1, heard.size());
    }

    @Test
    void listenUnlistenAndListenAgain() throws NetworkException {
        udp.listen(5000, recorder());
        NetworkException inUse = assertThrows(NetworkException.class, () -> udp.listen(5000, recorder()));
        assertEquals(NetworkException.Reason.ADDRESS_IN_USE, inUse.reason());
        assertTrue(inUse.getMessage().contains("5000"), inUse.getMessage());
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        udp.unlisten(5000);
        udp.unlisten(5000); // nothing listens: nothing happens
        udp.unlisten(12345);
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        assertEquals(1, ipv4.takeWritten().size(), "unlistened, the port answers with a port unreachable");
        udp.listen(5000, recorder());
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        assertEquals(2, heard.size());
        assertThrows(IllegalArgumentException.class, () -> udp.listen(0, recorder()));
        assertThrows(IllegalArgumentException.class, () -> udp.listen(65_536, recorder()));
        // Ports in every page of the table, and their neighbours closed.
        for (int port : new int[] {1, 255, 256, 65_535}) {
            udp.listen(port, recorder());
        }
        for (int port : new int[] {1, 255, 256, 65_535}) {
            ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, toPort(port));
        }
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, toPort(257));
        assertEquals(6, heard.size());
        assertEquals(1, ipv4.takeWritten().size());
    }

    private static byte[] toPort(int port) {
        byte[] payload = "x".getBytes(StandardCharsets.US_ASCII);
        return UdpPropertiesTest.datagram(new UdpHeader(40000, port), payload,
                UdpHeaderTest.pseudo(Captures.A, Captures.B, UdpPacket.HEADER + payload.length));
    }

    @Test
    void listeningFromAHandlerIsRefusedAndAFailingHandlerIsContained() throws NetworkException {
        List<Throwable> thrown = new ArrayList<>();
        udp.listen(5000, (source, destination, payload) -> {
            try {
                udp.listen(6000, recorder());
            } catch (IllegalStateException | NetworkException e) {
                thrown.add(e);
            }
            throw new IllegalArgumentException("a bug in the application");
        });
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
        assertEquals(2, thrown.size());
        assertTrue(thrown.getFirst() instanceof IllegalStateException, thrown.toString());
        assertEquals(2, udp.count(Count.HANDLER_FAILED));
        udp.listen(6000, recorder()); // outside a handler it works
    }

    @Test
    void writeBuildsLinuxsDatagram() throws NetworkException {
        TestingIpv4 hostA = new TestingIpv4(Captures.A, Ipv4Prefix.parse("192.0.2.0/24"));
        UdpLayer udpA = new UdpLayer(hostA, new IcmpLayer(hostA, clock, IcmpConfig.DEFAULT));
        udpA.write(40000, new Endpoint(Captures.B, 5000),
                MemorySegment.ofArray("hello morgana\n".getBytes(StandardCharsets.US_ASCII)));
        List<TestingIpv4.Written> written = hostA.takeWritten();
        assertEquals(1, written.size());
        assertEquals(Captures.B, written.getFirst().destination());
        assertEquals(Ipv4.UDP, written.getFirst().protocol());
        assertArrayEquals(Captures.payload(3), written.getFirst().payload());
        assertEquals(1, udpA.count(Count.SENT));
    }

    @Test
    void writeChecksItsArgumentsAndChoosesAnEphemeralPort() throws NetworkException {
        MemorySegment small = MemorySegment.ofArray(new byte[3]);
        NetworkException tooLarge = assertThrows(NetworkException.class,
                () -> udp.write(1, new Endpoint(Captures.A, 9), MemorySegment.ofArray(new byte[65_508])));
        assertEquals(NetworkException.Reason.MESSAGE_TOO_LARGE, tooLarge.reason());
        udp.write(1, new Endpoint(Captures.A, 9), MemorySegment.ofArray(new byte[65_507]));
        assertEquals(65_515, ipv4.takeWritten().getFirst().payload().length);
        assertThrows(IllegalArgumentException.class, () -> udp.write(1, new Endpoint(Captures.A, 0), small));
        assertThrows(IllegalArgumentException.class, () -> udp.write(-1, new Endpoint(Captures.A, 9), small));
        udp.listen(UdpLayer.EPHEMERAL_FIRST, recorder());
        udp.write(0, new Endpoint(Captures.A, 9), small);
        udp.write(0, new Endpoint(Captures.A, 10), small);
        List<TestingIpv4.Written> written = ipv4.takeWritten();
        for (TestingIpv4.Written w : written) {
            assertEquals(UdpLayer.EPHEMERAL_FIRST + 1, UdpPacket.sourcePort(MemorySegment.ofArray(w.payload())),
                    "the first free port of the dynamic range, kept");
        }
        ipv4.failWith(new NetworkException(NetworkException.Reason.UNREACHABLE, "no route"));
        NetworkException unreachable = assertThrows(NetworkException.class, () -> udp.write(1, new Endpoint(Captures.A, 9), small));
        assertEquals(NetworkException.Reason.UNREACHABLE, unreachable.reason());
    }

    @Test
    void icmpErrorsAboutOurDatagramsReachUdp() throws NetworkException {
        // Host A sent frame 4 from port 40001; B's Linux answered with frame 5.
        TestingIpv4 hostA = new TestingIpv4(Captures.A, Ipv4Prefix.parse("192.0.2.0/24"));
        IcmpLayer icmpA = new IcmpLayer(hostA, clock, IcmpConfig.DEFAULT);
        UdpLayer udpA = new UdpLayer(hostA, icmpA);
        icmpA.start();
        udpA.start();
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, Captures.payload(5));
        assertEquals(1, icmpA.count(IcmpLayer.Count.ERROR_DELIVERED));
        assertEquals(1, udpA.count(Count.ICMP_ERRORS_IGNORED), "port 40001 is not in use yet");
        List<String> errors = new ArrayList<>();
        udpA.listen(40001, new Udp.DatagramHandler() {
            @Override
            public void datagram(Endpoint source, Endpoint destination, MemorySegment payload) {
                heard.add("datagram");
            }

            @Override
            public void error(Endpoint local, Endpoint remote, NetworkException error) {
                errors.add(local + " > " + remote + " " + error.reason() + ": " + error.getMessage());
            }
        });
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, Captures.payload(5));
        assertEquals(1, udpA.count(Count.ICMP_ERRORS));
        assertEquals(List.of("192.0.2.10:40001 > 192.0.2.11:5001 CONNECTION_REFUSED: ICMP destination unreachable "
                + "(type 3, code 3) from 192.0.2.11"), errors, "the listener of the port that sent it hears of it");
        assertEquals(List.of(), heard);
        // The same error received by B, whose address is not the quoted source: not ours.
        ipv4.deliver(Ipv4.ICMP, Captures.B, Captures.B, Captures.payload(5));
        assertEquals(0, udp.count(Count.ICMP_ERRORS));
        assertEquals(1, udp.count(Count.ICMP_ERRORS_IGNORED));
        udpA.stop();
        hostA.deliver(Ipv4.ICMP, Captures.B, Captures.A, Captures.payload(5));
        assertEquals(1, udpA.count(Count.ICMP_ERRORS), "stopped, UDP hears no more");
        assertEquals(1, errors.size());
    }

    @Test
    void icmpErrorsMeanWhatLinuxMakesOfThem() {
        Ipv4Address reporter = Captures.A;
        assertEquals(NetworkException.Reason.CONNECTION_REFUSED, UdpLayer.asException(reporter, 3, 3).reason());
        assertEquals(NetworkException.Reason.MESSAGE_TOO_LARGE, UdpLayer.asException(reporter, 3, 4).reason());
        assertEquals(NetworkException.Reason.UNREACHABLE, UdpLayer.asException(reporter, 3, 1).reason());
        assertEquals(NetworkException.Reason.UNREACHABLE, UdpLayer.asException(reporter, 11, 0).reason());
        assertEquals("ICMP parameter problem (type 12, code 0) from 192.0.2.10",
                UdpLayer.asException(reporter, 12, 0).getMessage());
    }
}

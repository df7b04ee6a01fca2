package dev.morgana.testing.net;

import static dev.morgana.testing.net.Frames.ethernet;
import static dev.morgana.testing.net.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.testing.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapRecordingNetworkTest {

    private final VirtualClock clock = new VirtualClock();
    private final SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();

    @TempDir
    Path folder;

    /** The global header and one record, byte for byte, against libpcap's format. */
    @Test
    void goldenBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapRecordingNetwork capture = new PcapRecordingNetwork(lan.port(0), clock, bytes);
        clock.advance(Duration.ofNanos(1_500_002_999L));
        byte[] frame = ethernet(MacAddress.BROADCAST, capture.mac(), 0x88B5, new byte[] {1, 2, 3});
        send(capture, frame);
        capture.close();
        String expected = ""
                // magic (microseconds), version 2.4, zone 0, accuracy 0, snapshot length 262144, LINKTYPE_ETHERNET
                + "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000"
                // 2000-01-01T00:00:01.500002Z: 946684801 s = 0x386d4381, 500002 µs = 0x07a122; 17 bytes twice
                + "81436d38" + "22a10700" + "11000000" + "11000000"
                + "ffffffffffff" + "020000000001" + "88b5" + "010203";
        assertEquals(expected, HexFormat.of().formatHex(bytes.toByteArray()));
        assertEquals(1, capture.recorded());
        capture.close();
    }

    @Test
    void recordsBothDirectionsInTheOrderFramesPassAndPassesThemOn() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapRecordingNetwork capture = new PcapRecordingNetwork(lan.port(0), clock, bytes);
        List<byte[]> got = new ArrayList<>();
        capture.listen(frame -> got.add(frame.toArray(ValueLayout.JAVA_BYTE)));
        byte[] out = ethernet(MacAddress.BROADCAST, capture.mac(), 0x88B5, new byte[46]);
        byte[] in = ethernet(MacAddress.BROADCAST, lan.port(1).mac(), 0x88B5, new byte[50]);
        send(capture, out);
        clock.advance(Duration.ofMillis(1));
        send(lan.port(1), in);
        clock.advance(Duration.ofMillis(1));
        capture.flush();
        assertEquals(1, got.size());
        assertArrayEquals(in, got.get(0));
        assertEquals(lan.port(0).counters(), capture.counters());
        assertEquals(lan.port(0).mtu(), capture.mtu());
        ByteBuffer file = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        file.position(24);
        assertEquals(0, file.getInt(24 + 4), "written at 0 µs");
        assertEquals(60, file.getInt(24 + 8));
        assertEquals(1010, file.getInt(24 + 16 + 60 + 4), "received at 1 ms + 10 µs");
        assertEquals(64, file.getInt(24 + 16 + 60 + 8));
        assertEquals(24 + 16 + 60 + 16 + 64, file.limit());
        capture.close();
        send(capture, out);
        assertEquals(2, capture.recorded(), "frames pass unrecorded after close");
    }

    @Test
    void aFailingFileStopsTheRecordingNotTheTraffic() throws IOException {
        OutputStream broken = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 24) {
                    throw new IOException("disk full");
                }
            }
        };
        PcapRecordingNetwork capture = new PcapRecordingNetwork(lan.port(0), clock, broken);
        byte[] big = ethernet(MacAddress.BROADCAST, capture.mac(), 0x88B5, new byte[1500]);
        for (int i = 0; i < 100; i++) {
            send(capture, big);
        }
        assertEquals(100, capture.counters().framesOut());
        assertThrows(IOException.class, capture::close);
    }

    /**
     * tshark as the real peer: a capture of ARP, IPv4 (UDP and ICMP), IPv6/UDP, an 802.1Q-tagged frame and an
     * experimental EtherType, written and received through a switch, reads back with the right protocols and
     * timestamps and no malformed packet or expert error.
     */
    @Test
    void tsharkReadsTheCaptureWithoutMalformedPackets() throws Exception {
        Tshark tshark = Tshark.require();
        Path file = folder.resolve("capture.pcap");
        Ipv4Address a = Ipv4Address.parse("192.0.2.1");
        Ipv4Address b = Ipv4Address.parse("192.0.2.2");
        MacAddress macA;
        MacAddress macB = lan.port(1).mac();
        // The node on port 1 answers ARP requests for b and echoes UDP, from inside its handler.
        lan.port(1).listen(frame -> {
            byte[] bytes = frame.toArray(ValueLayout.JAVA_BYTE);
            MacAddress from = MacAddress.ofBytes(java.util.Arrays.copyOfRange(bytes, 6, 12));
            int type = (bytes[12] & 0xFF) << 8 | bytes[13] & 0xFF;
            if (type == 0x0806 && bytes[21] == 1) {
                send(lan.port(1), Packets.arp(2, macB, b, from, a));
            } else if (type == 0x0800 && bytes[23] == 17) {
                send(lan.port(1), Packets.udp(macB, from, b, a, 7, 40000, "echo".getBytes(StandardCharsets.US_ASCII)));
            }
        });
        try (PcapRecordingNetwork capture = PcapRecordingNetwork.toFile(lan.port(0), clock, file)) {
            macA = capture.mac();
            capture.listen(frame -> {});
            clock.advance(Duration.ofSeconds(1));
            send(capture, Packets.arp(1, macA, a, new MacAddress(0), b));
            clock.advance(Duration.ofMillis(1));
            send(capture, Packets.udp(macA, macB, a, b, 40000, 7, "hello, tshark".getBytes(StandardCharsets.US_ASCII)));
            clock.advance(Duration.ofMillis(1));
            send(capture, Packets.icmpEcho(macA, macB, a, b));
            send(capture, Packets.ipv6Udp(macA, MacAddress.parse("33:33:00:00:00:01")));
            send(capture, Packets.vlanArp(macA, a, b));
            send(capture, ethernet(MacAddress.BROADCAST, macA, 0x88B5, new byte[46]));
            clock.advance(Duration.ofMillis(1));
            assertEquals(8, capture.recorded());
        }
        List<String> lines = tshark.fields(file, "frame.time_epoch", "frame.protocols");
        List<String> protocols = new ArrayList<>();
        List<String> times = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split("\t", -1);
            times.add(fields[0]);
            protocols.add(fields[1]);
        }
        assertEquals(List.of("eth:ethertype:arp", "eth:ethertype:arp", "eth:ethertype:ip:udp:echo",
                "eth:ethertype:ip:udp:echo", "eth:ethertype:ip:icmp:data", "eth:ethertype:ipv6:udp:data",
                "eth:ethertype:vlan:ethertype:arp", "eth:ethertype:data"), protocols, String.join("\n", lines));
        assertEquals("946684801.000000000", times.get(0));
        assertEquals("946684801.000020000", times.get(1), "the reply 20 µs later: two links each way");
        assertEquals("946684801.001000000", times.get(2));
        assertEquals(List.of(), tshark.problems(file));
        List<String> arp = tshark.read(file, "-Y", "arp.opcode == 2", "-T", "fields", "-e", "arp.src.hw_mac",
                "-e", "arp.src.proto_ipv4");
        assertEquals(List.of(macB + "\t" + b), arp);
    }

    /**
     * The control: the same check finds the faults in a capture of frames truncated on their way out (the
     * recorder sits below a {@link FaultInjectingNetwork}, so it records what the wire carries).
     */
    @Test
    void tsharkFlagsTruncatedFramesSoTheCheckCanFail() throws Exception {
        Tshark tshark = Tshark.require();
        Path file = folder.resolve("truncated.pcap");
        Ipv4Address a = Ipv4Address.parse("192.0.2.1");
        Ipv4Address b = Ipv4Address.parse("192.0.2.2");
        try (PcapRecordingNetwork capture = PcapRecordingNetwork.toFile(lan.port(0), clock, file)) {
            FaultInjectingNetwork cut = FaultInjectingNetwork.builder(capture, clock).seed(5)
                    .outgoing(Faults.builder().truncate(1).build()).build();
            for (int i = 0; i < 5; i++) {
                send(cut, Packets.udp(cut.mac(), lan.port(1).mac(), a, b, 40000, 7, new byte[100]));
            }
        }
        List<String> problems = tshark.problems(file);
        assertTrue(problems.stream().anyMatch(line -> line.contains("Malformed")), String.join("\n", problems));
    }

    /** Well-formed packets, checksums included. */
    static final class Packets {

        private Packets() {}

        static byte[] arp(int operation, MacAddress senderMac, Ipv4Address sender, MacAddress targetMac,
                Ipv4Address target) {
            ByteBuffer arp = ByteBuffer.allocate(28);
            arp.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) operation)
                    .put(senderMac.toBytes()).put(sender.toBytes()).put(targetMac.toBytes()).put(target.toBytes());
            MacAddress destination = operation == 1 ? MacAddress.BROADCAST : targetMac;
            return ethernet(destination, senderMac, 0x0806, arp.array());
        }

        static byte[] vlanArp(MacAddress senderMac, Ipv4Address sender, Ipv4Address target) {
            byte[] untagged = arp(1, senderMac, sender, new MacAddress(0), target);
            ByteBuffer tagged = ByteBuffer.allocate(untagged.length + 4);
            tagged.put(untagged, 0, 12).putShort((short) 0x8100).putShort((short) 42).put(untagged, 12,
                    untagged.length - 12);
            return tagged.array();
        }

        static byte[] ipv4(MacAddress from, MacAddress to, Ipv4Address source, Ipv4Address destination,
                int protocol, byte[] payload) {
            ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                    .put(source.toBytes()).put(destination.toBytes());
            ip.putShort(10, (short) checksum(ip.array(), 0, 20, 0));
            ip.put(payload);
            return ethernet(to, from, 0x0800, ip.array());
        }

        static byte[] udp(MacAddress from, MacAddress to, Ipv4Address source, Ipv4Address destination,
                int sourcePort, int destinationPort, byte[] data) {
            ByteBuffer udp = ByteBuffer.allocate(8 + data.length);
            udp.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + data.length))
                    .putShort((short) 0).put(data);
            ByteBuffer pseudo = ByteBuffer.allocate(12);
            pseudo.put(source.toBytes()).put(destination.toBytes()).put((byte) 0).put((byte) 17)
                    .putShort((short) (8 + data.length));
            int sum = checksum(udp.array(), 0, udp.capacity(), partial(pseudo.array()));
            udp.putShort(6, (short) (sum == 0 ? 0xFFFF : sum));
            return ipv4(from, to, source, destination, 17, udp.array());
        }

        static byte[] icmpEcho(MacAddress from, MacAddress to, Ipv4Address source, Ipv4Address destination) {
            ByteBuffer icmp = ByteBuffer.allocate(8 + 32);
            icmp.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 1);
            for (int i = 0; i < 32; i++) {
                icmp.put((byte) i);
            }
            icmp.putShort(2, (short) checksum(icmp.array(), 0, icmp.capacity(), 0));
            return ipv4(from, to, source, destination, 1, icmp.array());
        }

        /** A UDP datagram from fe80::1 to ff02::1, port 9 (discard) to port 9. */
        static byte[] ipv6Udp(MacAddress from, MacAddress to) {
            byte[] source = HexFormat.of().parseHex("fe800000000000000000000000000001");
            byte[] destination = HexFormat.of().parseHex("ff020000000000000000000000000001");
            byte[] data = "six".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer udp = ByteBuffer.allocate(8 + data.length);
            udp.putShort((short) 9).putShort((short) 9).putShort((short) (8 + data.length)).putShort((short) 0)
                    .put(data);
            ByteBuffer pseudo = ByteBuffer.allocate(40);
            pseudo.put(source).put(destination).putInt(8 + data.length).putInt(17);
            int sum = checksum(udp.array(), 0, udp.capacity(), partial(pseudo.array()));
            udp.putShort(6, (short) (sum == 0 ? 0xFFFF : sum));
            ByteBuffer ip = ByteBuffer.allocate(40 + udp.capacity());
            ip.putInt(0x6000_0000).putShort((short) udp.capacity()).put((byte) 17).put((byte) 1).put(source)
                    .put(destination).put(udp.array());
            return ethernet(to, from, 0x86DD, ip.array());
        }

        private static int partial(byte[] bytes) {
            int sum = 0;
            for (int i = 0; i < bytes.length; i += 2) {
                sum += (bytes[i] & 0xFF) << 8 | (i + 1 < bytes.length ? bytes[i + 1] & 0xFF : 0);
            }
            return sum;
        }

        /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}, plus {@code initial}. */
        static int checksum(byte[] bytes, int offset, int length, int initial) {
            long sum = initial;
            for (int i = 0; i < length; i += 2) {
                sum += (bytes[offset + i] & 0xFF) << 8 | (i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0);
            }
            while (sum >> 16 != 0) {
                sum = (sum & 0xFFFF) + (sum >> 16);
            }
            return (int) (~sum & 0xFFFF);
        }
    }
}

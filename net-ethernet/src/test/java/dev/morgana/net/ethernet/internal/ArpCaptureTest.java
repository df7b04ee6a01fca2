package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.PcapRecordingNetwork;
import dev.morgana.testing.net.SimulatedSwitch;
import dev.morgana.testing.net.Tshark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tshark as the judge of what Morgana's Ethernet and ARP write: three nodes on a simulated switch announce
 * themselves and resolve each other, one of them through a pcap recorder, and tshark reads the capture
 * with the expected ARP exchange and no malformed packet or expert error.
 */
class ArpCaptureTest {

    @TempDir
    Path folder;

    @Test
    void tsharkReadsMorganasArpWithoutMalformedPackets() throws Exception {
        Tshark tshark = Tshark.require();
        Path file = folder.resolve("arp.pcap");
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(3).build();
        List<ArpLayer> nodes = new ArrayList<>();
        List<ArpLayerTest.Outcome> outcomes = new ArrayList<>();
        try (PcapRecordingNetwork capture = PcapRecordingNetwork.toFile(lan.port(0), clock, file)) {
            for (int i = 0; i < 3; i++) {
                EthernetLayer ethernet = new EthernetLayer(i == 0 ? capture : lan.port(i), EthernetConfig.DEFAULT);
                ArpLayer arp = new ArpLayer(ethernet, clock, clock, ArpConfig.DEFAULT);
                ethernet.start();
                arp.start();
                nodes.add(arp);
            }
            for (int i = 0; i < 3; i++) {
                nodes.get(i).addAddress(Ipv4Address.of(192, 0, 2, i + 1));
            }
            clock.advance(Duration.ofMillis(1));
            for (int i = 1; i < 3; i++) {
                ArpLayerTest.Outcome outcome = new ArpLayerTest.Outcome();
                outcomes.add(outcome);
                nodes.get(0).resolve(Ipv4Address.of(192, 0, 2, i + 1), outcome);
            }
            ArpLayerTest.Outcome nobody = new ArpLayerTest.Outcome();
            outcomes.add(nobody);
            nodes.get(0).resolve(Ipv4Address.of(192, 0, 2, 200), nobody);
            clock.advance(Duration.ofSeconds(5));
        }
        assertEquals(List.of(lan.port(1).mac()), outcomes.get(0).told);
        assertEquals(List.of(lan.port(2).mac()), outcomes.get(1).told);
        List<String> lines = tshark.fields(file, "frame.len", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4",
                "arp.dst.proto_ipv4", "arp.isgratuitous");
        MacAddress a = lan.port(0).mac();
        assertEquals(List.of(
                // the three announcements (ours sent, the others' received), gratuitous requests
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.1\t1",
                "60\t1\t" + lan.port(1).mac() + "\t192.0.2.2\t192.0.2.2\t1",
                "60\t1\t" + lan.port(2).mac() + "\t192.0.2.3\t192.0.2.3\t1",
                // three requests at once, then the two answers
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.2\t",
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.3\t",
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.200\t",
                "60\t2\t" + lan.port(1).mac() + "\t192.0.2.2\t192.0.2.1\t",
                "60\t2\t" + lan.port(2).mac() + "\t192.0.2.3\t192.0.2.1\t",
                // the unanswered one, retried three times a second apart
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.200\t",
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.200\t",
                "60\t1\t" + a + "\t192.0.2.1\t192.0.2.200\t"), lines);
        assertEquals(List.of(dev.morgana.api.net.NetworkException.Reason.TIMED_OUT), outcomes.get(2).told);
        assertEquals(List.of(), tshark.problems(file));
    }
}

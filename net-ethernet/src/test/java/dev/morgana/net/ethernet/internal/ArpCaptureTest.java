package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.ethernet.ArpConfig;
import dev.morgana.net.ethernet.EthernetConfig;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.PcapRecordingNetwork;
import dev.morgana.testing.net.SimulatedSwitch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
        Path tshark = Path.of("/usr/bin/tshark");
        if (!Files.isExecutable(tshark)) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("tshark is missing; .ci/run installs it");
            }
            Assumptions.abort("tshark is not installed (Debian package tshark): the capture test is skipped");
        }
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
        List<String> lines = run(tshark.toString(), "-r", file.toString(), "-T", "fields", "-E", "separator=/t",
                "-e", "frame.len", "-e", "arp.opcode", "-e", "arp.src.hw_mac", "-e", "arp.src.proto_ipv4",
                "-e", "arp.dst.proto_ipv4", "-e", "arp.isgratuitous");
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
        List<String> problems = new ArrayList<>();
        for (String line : run(tshark.toString(), "-r", file.toString(), "-T", "fields", "-E", "separator=/t",
                "-e", "frame.number", "-e", "_ws.malformed", "-e", "_ws.expert.severity")) {
            String[] fields = line.split("\t", -1);
            if (!fields[1].isEmpty() || fields[2].contains("8388608")) { // PI_ERROR
                problems.add(line);
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(run(tshark.toString(), "-r", file.toString(), "-q", "-z", "expert,error").stream()
                .allMatch(String::isBlank));
    }

    private static List<String> run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
        return output.lines().toList();
    }
}

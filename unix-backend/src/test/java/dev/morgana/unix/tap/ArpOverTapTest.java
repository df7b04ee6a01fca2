package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.runtime.Unikernel;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.testing.net.Netns;
import dev.morgana.testing.net.Tshark;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Morgana's Ethernet and ARP over a real TAP, judged by the Linux kernel and by {@code arping} in a namespace
 * the test creates (the network rule of TESTING.md): arping gets Morgana's MAC, also for a probe (sender
 * 0.0.0.0); Morgana resolves the namespace's address; Linux's neighbour table learns Morgana's MAC; and
 * {@code tshark} reads tcpdump's capture of the whole exchange without a malformed frame.
 */
class ArpOverTapTest {

    private static final Ipv4Address LINUX = Ipv4Address.parse("192.0.2.1");
    private static final Ipv4Address MORGANA = Ipv4Address.parse("192.0.2.2");
    private static final MacAddress OURS = MacAddress.parse("02:00:5e:10:00:02");

    /** What the node needs from the test: its TAP's name, the namespace, where the capture goes. */
    record Fixture(String tap, Netns netns, Path capture) {}

    /** The Morgana node: asserts while its devices run, so the unikernel's lifecycle starts and stops them. */
    static final class Node implements Application {
        private final Arp arp;
        private final Fixture fixture;

        @Inject
        public Node(Arp arp, Fixture fixture) {
            this.arp = arp;
            this.fixture = fixture;
        }

        @Override
        public void run() throws Exception {
            Netns netns = fixture.netns();
            String tap = fixture.tap();
            netns.adopt(tap, LINUX + "/24");
            Process dump = netns.start(Netns.require("tcpdump"), "-i", tap, "-U", "--immediate-mode", "-n", "-w",
                    fixture.capture().toString(), "arp");
            try {
                Netns.awaitCapturing(dump);
                arp.addAddress(MORGANA);

                CompletableFuture<MacAddress> resolved = new CompletableFuture<>();
                arp.resolve(LINUX, new Arp.Resolution() {
                    @Override
                    public void resolved(MacAddress mac) {
                        resolved.complete(mac);
                    }

                    @Override
                    public void failed(NetworkException error) {
                        resolved.completeExceptionally(error);
                    }
                });
                assertEquals(netns.mac(tap), resolved.get(10, TimeUnit.SECONDS));
                assertEquals(netns.mac(tap), arp.lookup(LINUX).orElseThrow());

                // Linux answered our request for its address, and learned our MAC from it. (Asked first: after
                // arping, Morgana knows Linux's MAC from its requests and sends none.)
                String neighbour = Netns.check(5, "ip", "-n", netns.name(), "neigh", "show", MORGANA.toString(),
                        "dev", tap);
                assertTrue(neighbour.contains("lladdr " + OURS), neighbour);

                String arping = Netns.require("arping");
                Netns.Result reply = netns.exec(15, arping, "-c", "3", "-w", "5", "-i", tap, MORGANA.toString());
                assertEquals(0, reply.exit(), reply.output());
                assertTrue(reply.output().toLowerCase(Locale.ROOT).contains("from " + OURS + " (" + MORGANA + ")"),
                        reply.output());
                Netns.Result probe = netns.exec(15, arping, "-0", "-c", "2", "-w", "5", "-i", tap, MORGANA.toString());
                assertEquals(0, probe.exit(), probe.output());
                assertTrue(probe.output().toLowerCase(Locale.ROOT).contains("from " + OURS), probe.output());
            } finally {
                dump.destroy(); // SIGTERM: tcpdump writes what it has and exits
                if (!dump.waitFor(10, TimeUnit.SECONDS)) {
                    dump.destroyForcibly();
                }
            }
        }
    }

    @Test
    void linuxAndMorganaResolveEachOtherOverTheTap(@TempDir Path folder) throws Exception {
        Netns.requireTapAndNamespaces();
        Tshark tshark = Tshark.require();
        Fixture fixture;
        try (Netns netns = Netns.create("arp")) {
            fixture = new Fixture(Netns.tapName(), netns, folder.resolve("arp.pcap"));
            List<Module> modules = List.of(new JvmModule(),
                    new TapModule(TapConfig.named(fixture.tap()).withMac(OURS)),
                    new EthernetModule(),
                    new ArpModule(),
                    new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(Fixture.class).toInstance(fixture);
                        }
                    });
            Unikernel.of("arp-over-tap", Node.class, modules).run();
        }

        assertTrue(Files.size(fixture.capture()) > 24, "tcpdump captured nothing");
        assertEquals(List.of(), tshark.problems(fixture.capture()));
        List<String> frames = tshark.fields(fixture.capture(), "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4");
        List<String> ours = frames.stream().filter(frame -> frame.contains("\t" + OURS + "\t"))
                .map(frame -> frame.replace("\t" + OURS + "\t", " ")).toList();
        assertTrue(ours.contains("2 " + MORGANA), "no reply of ours in the capture: " + frames); // arping's answers
        assertTrue(ours.contains("1 " + MORGANA), "no request of ours in the capture: " + frames); // gratuitous, query
    }
}

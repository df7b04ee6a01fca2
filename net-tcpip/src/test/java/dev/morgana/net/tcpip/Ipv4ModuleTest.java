package dev.morgana.net.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.Network;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.ipv4.Ipv4Addressing;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The functor ETHERNET + ARP → IPV4: what it exposes, what it needs, and a unikernel that wires it. */
class Ipv4ModuleTest {

    static final Ipv4Address US = Ipv4Address.parse("192.0.2.2");

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void exposesIpv4AndTheAddressingHook() {
        assertEquals(Set.of(Key.get(Ipv4.class), Key.get(Ipv4Addressing.class)),
                exposed(new Ipv4Module(Ipv4Config.of(US, 24))));
    }

    @Test
    void withoutItsInputsItFailsNamingThem() {
        CreationException e = assertThrows(CreationException.class,
                () -> Guice.createInjector(new Ipv4Module(Ipv4Config.of(US, 24))));
        for (Class<?> input : List.of(Ethernet.class, Arp.class, Clock.class, Timers.class)) {
            assertTrue(e.getMessage().contains(input.getName()), e.getMessage());
        }
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(Ipv4Address.parse("192.0.2.0"), 24));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(Ipv4Address.parse("192.0.2.255"), 24));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(Ipv4Address.LOOPBACK, 8));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(US, 24).withGateway(Ipv4Address.parse("10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(US, 24).withGateway(US));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(US, 24).withTtl(0));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Config.of(US, 24).withTtl(256));
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Config.Limits(1 << 20, 1, 64, Duration.ofSeconds(30), 64));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Config.Limits(1 << 20, 64, 64, Duration.ZERO, 64));
        assertEquals(Ipv4Address.parse("192.0.2.0"), Ipv4Config.of(US, 24).network().network());
        Ipv4Config.of(Ipv4Address.parse("192.0.2.0"), 31); // RFC 3021: both addresses of a /31 are hosts
    }

    /** The unikernel's device is port 0 of a switch; port 1 keeps what reaches it. */
    static List<byte[]> wire(VirtualClock clock, List<Module> target, Class<? extends Application> application)
            throws Exception {
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).mode(SimulatedSwitch.Mode.HUB).ports(2).build();
        List<byte[]> frames = new ArrayList<>();
        lan.port(1).listen(frame -> frames.add(frame.toArray(ValueLayout.JAVA_BYTE)));
        Module devices = new AbstractModule() {
            @Override
            protected void configure() {
                bind(Network.class).toInstance(lan.port(0));
                bind(Clock.class).toInstance(clock);
                bind(Timers.class).toInstance(clock);
            }
        };
        List<Module> modules = new ArrayList<>(List.of(devices, new EthernetModule(), new ArpModule()));
        modules.addAll(target);
        String graph = Unikernel.of("ipv4", application, modules).describe();
        assertTrue(graph.contains("Ipv4Module"), graph);
        Unikernel.of("ipv4", application, modules).run();
        clock.advance(Duration.ofSeconds(1));
        return frames;
    }

    /** Sends one broadcast datagram once the lifecycle has started everything below it. */
    static final class Broadcasts implements Application {
        private final Ipv4 ipv4;

        @Inject
        public Broadcasts(Ipv4 ipv4) {
            this.ipv4 = ipv4;
        }

        @Override
        public void run() throws Exception {
            assertEquals(US, ipv4.address());
            assertEquals(1480, ipv4.mtu());
            ipv4.write(Ipv4Address.BROADCAST, Ipv4.UDP, 4, Fill.copyOf(MemorySegment.ofArray(new byte[] {1, 2, 3, 4})));
        }
    }

    @Test
    void aUnikernelStartsEthernetArpAndIpv4InOrder() throws Exception {
        List<byte[]> frames = wire(new VirtualClock(), List.of(new Ipv4Module(Ipv4Config.of(US, 24))), Broadcasts.class);
        assertEquals(2, frames.size(), "ARP's announcement of our address, then the datagram");
        byte[] frame = frames.get(1);
        assertEquals(0x0800, (frame[12] & 0xFF) << 8 | frame[13] & 0xFF);
        assertEquals(0x45, frame[14]);
    }

    /** Is given an address through the hook, as a DHCP client would, and sends from it. */
    static final class Readdresses implements Application {
        private final Ipv4 ipv4;
        private final Ipv4Addressing addressing;

        @Inject
        public Readdresses(Ipv4 ipv4, Ipv4Addressing addressing) {
            this.ipv4 = ipv4;
            this.addressing = addressing;
        }

        @Override
        public void run() throws Exception {
            assertEquals(Ipv4Address.ANY, ipv4.address());
            addressing.assign(US, Ipv4Prefix.parse("192.0.2.0/24"), Optional.empty());
            assertEquals(US, ipv4.address(), "the hook readdresses the layer behind Ipv4");
            ipv4.write(Ipv4Address.parse("192.0.2.255"), Ipv4.UDP, 0, buffer -> 0);
        }
    }

    @Test
    void theHookAndIpv4AreOneLayerInAStrictInjector() throws Exception {
        List<byte[]> frames = wire(new VirtualClock(), List.of(new Ipv4Module(Ipv4Config.unconfigured())),
                Readdresses.class);
        assertEquals(2, frames.size(), "the announcement of the assigned address, then the datagram");
        byte[] datagram = Arrays.copyOfRange(frames.get(1), 14, 34);
        assertEquals(US, Ipv4Address.ofBytes(Arrays.copyOfRange(datagram, 12, 16)), "sent from the assigned address");
    }
}

package dev.morgana.net.ethernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.Application;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.VirtualClock;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The functors: what they expose, what they need, and a strict injector that wires NETWORK → ETHERNET → ARP. */
class ModulesTest {

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void eachExposesExactlyItsSignature() {
        assertEquals(Set.of(Key.get(Ethernet.class)), exposed(new EthernetModule()));
        assertEquals(Set.of(Key.get(Arp.class)), exposed(new ArpModule()));
    }

    @Test
    void withoutItsInputsEachFailsNamingThem() {
        CreationException ethernet = assertThrows(CreationException.class, () -> Guice.createInjector(new EthernetModule()));
        assertTrue(ethernet.getMessage().contains(Network.class.getName()), ethernet.getMessage());
        CreationException arp = assertThrows(CreationException.class, () -> Guice.createInjector(new ArpModule()));
        assertTrue(arp.getMessage().contains(Ethernet.class.getName()), arp.getMessage());
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> EthernetConfig.DEFAULT.withVlan(4095));
        assertThrows(IllegalArgumentException.class, () -> EthernetConfig.DEFAULT.withMulticast(MacAddress.BROADCAST));
        assertThrows(IllegalArgumentException.class,
                () -> EthernetConfig.DEFAULT.withMulticast(MacAddress.parse("02:00:00:00:00:01")));
        assertThrows(IllegalArgumentException.class, () -> ArpConfig.DEFAULT.withBounds(0, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ArpConfig.DEFAULT.withTimers(java.time.Duration.ZERO, 1, java.time.Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> ArpConfig.DEFAULT.withTimers(java.time.Duration.ofSeconds(1), -1, java.time.Duration.ofSeconds(1)));
    }

    /** A device that keeps what is written. */
    static final class Recorder implements Network {
        final List<byte[]> written = new ArrayList<>();
        FrameHandler handler;

        @Override
        public MacAddress mac() {
            return MacAddress.parse("02:00:00:00:00:01");
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void write(int size, Fill fill) {
            MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
            written.add(buffer.asSlice(0, fill.into(buffer)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }

        @Override
        public void listen(FrameHandler handler) {
            this.handler = handler;
        }

        @Override
        public Counters counters() {
            return new Counters(0, 0, written.size(), 0, 0);
        }
    }

    @Test
    void aStrictInjectorWiresArpOverEthernetOverTheDevice() throws Exception {
        Recorder device = new Recorder();
        VirtualClock clock = new VirtualClock();
        Injector injector = Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
            @Override
            protected void configure() {
                binder().requireExplicitBindings();
                binder().disableCircularProxies();
                binder().requireAtInjectOnConstructors();
                binder().requireExactBindingAnnotations();
                bind(Network.class).toInstance(device);
                bind(Clock.class).toInstance(clock);
                bind(Timers.class).toInstance(clock);
            }
        }, new EthernetModule(EthernetConfig.DEFAULT.withVlan(7)), new ArpModule(ArpConfig.DEFAULT.withBounds(8, 2, 8)));
        Ethernet ethernet = injector.getInstance(Ethernet.class);
        Arp arp = injector.getInstance(Arp.class);
        ((Service) ethernet).start();
        ((Service) arp).start();
        assertTrue(device.handler != null, "Ethernet listens once started");
        arp.addAddress(Ipv4Address.parse("192.0.2.1"));
        assertEquals(1, device.written.size(), "the announcement");
        assertEquals(60, device.written.getFirst().length);
        ((Service) arp).stop();
        ((Service) ethernet).stop();
    }

    static final Recorder DEVICE = new Recorder();

    /** Adds an address and checks that Ethernet listens by the time the application runs. */
    static final class AddsAnAddress implements Application {
        private final Arp arp;

        @Inject
        public AddsAnAddress(Arp arp) {
            this.arp = arp;
        }

        @Override
        public void run() {
            assertTrue(DEVICE.handler != null, "the lifecycle started Ethernet before the application ran");
            arp.addAddress(Ipv4Address.parse("192.0.2.1"));
        }
    }

    @Test
    void theLayersAreServicesOfAUnikernel() throws Exception {
        VirtualClock clock = new VirtualClock();
        Module devices = new AbstractModule() {
            @Override
            protected void configure() {
                bind(Network.class).toInstance(DEVICE);
                bind(Clock.class).toInstance(clock);
                bind(Timers.class).toInstance(clock);
            }
        };
        List<Module> target = List.of(devices, new EthernetModule(), new ArpModule());
        String graph = Unikernel.of("arp", AddsAnAddress.class, target).describe();
        assertTrue(graph.contains("EthernetModule") && graph.contains("ArpModule"), graph);
        Unikernel.of("arp", AddsAnAddress.class, target).run();
        assertEquals(1, DEVICE.written.size(), "the announcement");
    }
}

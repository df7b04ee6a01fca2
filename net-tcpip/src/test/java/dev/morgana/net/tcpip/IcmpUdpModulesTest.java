package dev.morgana.net.tcpip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.icmp.Captures;
import dev.morgana.net.tcpip.icmp.TestingIpv4;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.VirtualClock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The functors IPV4 → ICMP and IPV4 + ICMP → UDP: what they expose, what they need, a strict injector, the lifecycle. */
class IcmpUdpModulesTest {

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void eachExposesExactlyItsSignature() {
        assertEquals(Set.of(Key.get(Icmp.class)), exposed(new IcmpModule()));
        assertEquals(Set.of(Key.get(Udp.class)), exposed(new UdpModule()));
    }

    @Test
    void withoutItsInputsEachFailsNamingThem() {
        CreationException icmp = assertThrows(CreationException.class, () -> Guice.createInjector(new IcmpModule()));
        assertTrue(icmp.getMessage().contains(Ipv4.class.getName()), icmp.getMessage());
        assertTrue(icmp.getMessage().contains(Clock.class.getName()), icmp.getMessage());
        CreationException udp = assertThrows(CreationException.class, () -> Guice.createInjector(new UdpModule()));
        assertTrue(udp.getMessage().contains(Ipv4.class.getName()), udp.getMessage());
        assertTrue(udp.getMessage().contains(Icmp.class.getName()), udp.getMessage());
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new IcmpConfig(0, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new IcmpConfig(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new IcmpConfig(Integer.MAX_VALUE, Duration.ofDays(365 * 300)));
        assertThrows(NullPointerException.class, () -> new IcmpModule(null));
    }

    private static AbstractModule below(Ipv4 ipv4, Clock clock) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(Ipv4.class).toInstance(ipv4);
                bind(Clock.class).toInstance(clock);
            }
        };
    }

    @Test
    void aStrictInjectorWiresUdpOverIcmpOverIpv4() throws Exception {
        TestingIpv4 ipv4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));
        Injector injector = Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
            @Override
            protected void configure() {
                binder().requireExplicitBindings();
                binder().disableCircularProxies();
                binder().requireAtInjectOnConstructors();
                binder().requireExactBindingAnnotations();
            }
        }, below(ipv4, new VirtualClock()), new IcmpModule(new IcmpConfig(1, Duration.ofSeconds(1))), new UdpModule());
        Icmp icmp = injector.getInstance(Icmp.class);
        Udp udp = injector.getInstance(Udp.class);
        ((Service) icmp).start();
        ((Service) udp).start();
        // The UDP layer's ICMP is the exposed one: its port unreachables spend the same rate limit of 1.
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(4));
        ipv4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(4));
        assertEquals(1, ipv4.takeWritten().size());
        ipv4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(1));
        assertArrayEquals(Captures.payload(2), ipv4.takeWritten().getFirst().payload());
        ((Service) udp).stop();
        ((Service) icmp).stop();
    }

    static final TestingIpv4 IPV4 = new TestingIpv4(Captures.B, Ipv4Prefix.parse("192.0.2.0/24"));

    /** Listens on 5000, and checks that UDP and ICMP receive by the time the application runs. */
    static final class Listens implements Application {
        private final Udp udp;

        @Inject
        public Listens(Udp udp) {
            this.udp = udp;
        }

        @Override
        public void run() throws Exception {
            udp.listen(5000, (source, destination, payload) -> { });
            IPV4.deliver(Ipv4.UDP, Captures.A, Captures.B, Captures.payload(3));
            IPV4.deliver(Ipv4.ICMP, Captures.A, Captures.B, Captures.payload(1));
        }
    }

    @Test
    void theLayersAreServicesOfAUnikernel() throws Exception {
        List<Module> target = List.of(below(IPV4, new VirtualClock()), new IcmpModule(), new UdpModule());
        String graph = Unikernel.of("udp", Listens.class, target).describe();
        assertTrue(graph.contains("IcmpModule") && graph.contains("UdpModule"), graph);
        Unikernel.of("udp", Listens.class, target).run();
        List<TestingIpv4.Written> written = IPV4.takeWritten();
        assertEquals(1, written.size(), "the echo answered; the datagram delivered, not refused");
        assertArrayEquals(Captures.payload(2), written.getFirst().payload());
    }
}

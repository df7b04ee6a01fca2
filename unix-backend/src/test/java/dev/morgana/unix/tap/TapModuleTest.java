package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.Application;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.runtime.Unikernel;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The functor: what it exposes, what it needs, and two TAPs in one unikernel through the real lifecycle. */
class TapModuleTest {

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void exposesOneNetworkUnqualifiedOrUnderItsName() {
        TapModule module = new TapModule(TapConfig.named("mt0"));
        assertEquals(Set.of(Key.get(Network.class)), exposed(module));
        assertEquals(Set.of(Key.get(Network.class, Names.named("lan"))), exposed(module.named("lan")));
        assertThrows(IllegalArgumentException.class, () -> module.named(" "));
    }

    static final class NeedsANetwork implements Application {
        @Inject
        public NeedsANetwork(Network network) {}

        @Override
        public void run() {}
    }

    @Test
    void withoutEntropyAndConsoleTheInjectorSaysWhatIsMissing() {
        Exception e = assertThrows(Exception.class, () -> Unikernel.of("tap", NeedsANetwork.class,
                List.of(new TapModule(TapConfig.named("mt0")), new AbstractModule() {})).describe());
        assertTrue(e.getMessage().contains("Entropy") || e.getMessage().contains("Console"), e.getMessage());
    }

    /** Two TAPs under two names, checked while the unikernel runs; their stop closes both. */
    static final class TwoLinks implements Application {
        static final MacAddress FIXED = MacAddress.parse("02:00:5e:10:00:01");
        static Network seenUplink;

        private final Network uplink;
        private final Network downlink;

        @Inject
        public TwoLinks(@Named("up") Network uplink, @Named("down") Network downlink) {
            this.uplink = uplink;
            this.downlink = downlink;
        }

        @Override
        public void run() throws Exception {
            assertEquals(FIXED, uplink.mac());
            assertTrue(downlink.mac().isLocallyAdministered() && !downlink.mac().isMulticast(), downlink.mac().toString());
            assertNotEquals(uplink.mac(), downlink.mac());
            assertEquals(1400, uplink.mtu());
            assertEquals(9000, downlink.mtu());
            seenUplink = uplink;
        }
    }

    @Test
    void twoTapsUnderTwoNamesStartWithTheUnikernelAndStopWithIt() throws Exception {
        Netns.requireTapAndNamespaces();
        List<Module> modules = List.of(new JvmModule(),
                new TapModule(TapConfig.named(Netns.tapName()).withMtu(1400).withMac(TwoLinks.FIXED)).named("up"),
                new TapModule(TapConfig.named(Netns.tapName()).withMtu(9000)).named("down"));
        Unikernel.of("taps", TwoLinks.class, modules).run();
        NetworkException closed = assertThrows(NetworkException.class, () -> TwoLinks.seenUplink.write(60, b -> 60));
        assertEquals(NetworkException.Reason.CLOSED, closed.reason());
    }
}

package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import java.util.BitSet;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 6056 Algorithm 4 ephemeral ports: in range, moving on per destination, bounded when exhausted. */
class EphemeralPortsTest {

    private static final Ipv4Address LOCAL = Ipv4Address.parse("192.0.2.10");
    private static final Ipv4Address REMOTE = Ipv4Address.parse("192.0.2.11");
    private static final int RANGE = EphemeralPorts.LAST - EphemeralPorts.FIRST + 1;

    private static int port(EphemeralPorts ports, Ipv4Address remote, int remotePort) {
        OptionalInt port = ports.choose(LOCAL, remote, remotePort, candidate -> false);
        assertTrue(port.isPresent());
        return port.getAsInt();
    }

    @Test
    void consecutiveConnectsToOneDestinationGetDifferentPortsInRange() {
        EphemeralPorts ports = new EphemeralPorts(InitialSequenceNumbersTest.seeded(1));
        int first = port(ports, REMOTE, 80);
        int second = port(ports, REMOTE, 80);
        assertNotEquals(first, second);
        Set<Integer> seen = new HashSet<>();
        seen.add(first);
        seen.add(second);
        for (int i = 0; i < 1000; i++) {
            int port = port(ports, REMOTE, 80);
            assertTrue(port >= 49_152 && port <= 65_535, "port " + port);
            seen.add(port);
        }
        assertEquals(1002, seen.size(), "a thousand connections before the range comes round");
    }

    @Test
    void destinationsStartAtUnrelatedPlaces() {
        // F differs per destination, so the port towards one says nothing of the port towards another.
        EphemeralPorts ports = new EphemeralPorts(InitialSequenceNumbersTest.seeded(2));
        Set<Integer> firsts = new HashSet<>();
        for (int remotePort = 1; remotePort <= 50; remotePort++) {
            firsts.add(port(ports, REMOTE, remotePort));
        }
        assertTrue(firsts.size() >= 48, firsts.size() + " distinct first ports of 50 destinations");
        assertNotEquals(port(new EphemeralPorts(InitialSequenceNumbersTest.seeded(3)), REMOTE, 80),
                port(new EphemeralPorts(InitialSequenceNumbersTest.seeded(4)), REMOTE, 80), "another key");
    }

    @Test
    void portsInUseAreSkipped() {
        EphemeralPorts ports = new EphemeralPorts(InitialSequenceNumbersTest.seeded(5));
        // Reserve every port but one: the search walks the range until it finds it.
        int free = 50_000;
        OptionalInt port = ports.choose(LOCAL, REMOTE, 443, candidate -> candidate != free);
        assertEquals(OptionalInt.of(free), port);
    }

    @Test
    void anExhaustedRangeIsEmptyAfterTryingEachPortOnce() {
        EphemeralPorts ports = new EphemeralPorts(InitialSequenceNumbersTest.seeded(6));
        BitSet tried = new BitSet();
        int[] tries = {0};
        OptionalInt port = ports.choose(LOCAL, REMOTE, 443, candidate -> {
            tries[0]++;
            tried.set(candidate);
            return true;
        });
        assertEquals(OptionalInt.empty(), port);
        assertEquals(RANGE, tries[0]);
        assertEquals(RANGE, tried.cardinality(), "every port once");
        assertEquals(EphemeralPorts.FIRST, tried.nextSetBit(0));
        assertEquals(EphemeralPorts.LAST, tried.length() - 1);
        // Other destinations are still served.
        assertTrue(ports.choose(LOCAL, Ipv4Address.parse("192.0.2.12"), 443, candidate -> false).isPresent());
    }
}

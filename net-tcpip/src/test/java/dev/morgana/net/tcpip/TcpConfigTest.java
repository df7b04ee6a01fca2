package dev.morgana.net.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The defaults and the checks of {@link TcpConfig}. */
class TcpConfigTest {

    @Test
    void defaults() {
        TcpConfig d = TcpConfig.DEFAULTS;
        assertEquals(TcpConfig.MAX_SEGMENT_SIZE, d.maxSegmentSize()); // the MTU decides
        assertEquals(Duration.ofSeconds(60), d.timeWait());
        assertEquals(Duration.ofSeconds(1), d.minRetransmissionTimeout());
        assertEquals(Duration.ofSeconds(1), d.initialRetransmissionTimeout());
        assertTrue(d.delayedAckTimeout().compareTo(Duration.ofMillis(200)) <= 0);
        assertFalse(d.keepAlive());
        assertFalse(d.noDelay());
        assertTrue(d.windowScaling() && d.timestamps());
    }

    @Test
    void withersChangeOnlyTheirComponents() {
        TcpConfig c = TcpConfig.DEFAULTS.withBuffers(10, 20).withMaxSegmentSize(536)
                .withKeepAlive(Duration.ofSeconds(5), Duration.ofSeconds(1), 3).withTimeWait(Duration.ofSeconds(2));
        assertEquals(new TcpConfig(536, 10, 20, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(120), 15, 6, Duration.ofMillis(40), true, Duration.ofSeconds(5),
                Duration.ofSeconds(1), 3, false, true, true), c);
    }

    @Test
    void checks() {
        TcpConfig d = TcpConfig.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSegmentSize(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSegmentSize(TcpConfig.MAX_SEGMENT_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> d.withBuffers(0, 10));
        assertThrows(IllegalArgumentException.class, () -> d.withBuffers(10, TcpConfig.MAX_BUFFER_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> d.withTimeWait(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class,
                () -> d.withRetransmission(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1), 3));
        assertThrows(IllegalArgumentException.class,
                () -> d.withRetransmission(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1), 3));
        assertThrows(IllegalArgumentException.class,
                () -> d.withRetransmission(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 3));
        assertThrows(IllegalArgumentException.class,
                () -> d.withRetransmission(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> d.withKeepAlive(Duration.ZERO, Duration.ofSeconds(1), 1));
        assertThrows(NullPointerException.class, () -> d.withAcking(null, true));
    }

    @Test
    void aFlowsOptionsReplaceNoDelayAndKeepAlive() {
        TcpConfig keeping = TcpConfig.DEFAULTS.withKeepAlive(Duration.ofMinutes(5), Duration.ofSeconds(10), 3);
        TcpConfig plain = keeping.with(dev.morgana.api.net.Tcp.Options.DEFAULT.withNoDelay(true));
        assertTrue(plain.noDelay());
        assertFalse(plain.keepAlive(), "no keep-alive in the options turns it off");
        TcpConfig probing = TcpConfig.DEFAULTS.with(dev.morgana.api.net.Tcp.Options.DEFAULT
                .withKeepAlive(Duration.ofMinutes(1)));
        assertTrue(probing.keepAlive());
        assertEquals(Duration.ofMinutes(1), probing.keepAliveIdle());
        assertEquals(TcpConfig.DEFAULTS.keepAliveInterval(), probing.keepAliveInterval());
        assertFalse(probing.noDelay());
        assertEquals(TcpConfig.DEFAULTS.maxSegmentSize(), probing.maxSegmentSize());
    }
}

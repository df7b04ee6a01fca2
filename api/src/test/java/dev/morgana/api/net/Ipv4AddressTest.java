package dev.morgana.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {

    @Test
    void parsesAndFormatsDottedQuads() throws Exception {
        Ipv4Address address = Ipv4Address.parse("192.0.2.255");
        assertEquals(0xC00002FF, address.bits());
        assertEquals("192.0.2.255", address.toString());
        assertEquals(Ipv4Address.of(192, 0, 2, 255), address);
        assertEquals(InetAddress.getByName("192.0.2.255"), address.toInetAddress());
        assertEquals(address, Ipv4Address.of(address.toInetAddress()));
        assertEquals("0.0.0.0", Ipv4Address.ANY.toString());
        assertEquals("255.255.255.255", Ipv4Address.BROADCAST.toString());
    }

    @Test
    void ordersAsUnsignedNumbers() {
        assertTrue(Ipv4Address.parse("10.0.0.1").compareTo(Ipv4Address.parse("192.0.2.1")) < 0);
        assertTrue(Ipv4Address.parse("255.0.0.0").compareTo(Ipv4Address.parse("127.0.0.1")) > 0);
    }

    @Test
    void classifies() {
        assertTrue(Ipv4Address.parse("127.3.2.1").isLoopback());
        assertTrue(Ipv4Address.parse("239.255.255.250").isMulticast());
        assertTrue(Ipv4Address.BROADCAST.isBroadcast());
        assertTrue(Ipv4Address.ANY.isUnspecified());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.4.",
        ".1.2.3", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1.2.3.+4", "0x1.2.3.4", "1.2.3.٣", "1234.1.1.1", "1.2.3.4/8"})
    void rejectsWithTheExpectedForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
        assertTrue(e.getMessage().contains("without leading zeros"), e.getMessage());
    }
}

package dev.morgana.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4PrefixTest {

    @Test
    void parsesCidr() {
        Ipv4Prefix prefix = Ipv4Prefix.parse("192.0.2.0/24");
        assertEquals(Ipv4Address.parse("192.0.2.0"), prefix.network());
        assertEquals(24, prefix.length());
        assertEquals("255.255.255.0", prefix.netmask().toString());
        assertEquals("192.0.2.255", prefix.broadcast().toString());
        assertTrue(prefix.contains(Ipv4Address.parse("192.0.2.77")));
        assertFalse(prefix.contains(Ipv4Address.parse("192.0.3.1")));
        assertEquals("192.0.2.0/24", prefix.toString());
    }

    @Test
    void handlesTheExtremes() {
        Ipv4Prefix everything = Ipv4Prefix.parse("0.0.0.0/0");
        assertTrue(everything.contains(Ipv4Address.BROADCAST));
        assertEquals("0.0.0.0", everything.netmask().toString());
        Ipv4Prefix one = Ipv4Prefix.parse("192.0.2.7/32");
        assertTrue(one.contains(Ipv4Address.parse("192.0.2.7")));
        assertEquals("192.0.2.7", one.broadcast().toString());
    }

    @Test
    void refusesHostBitsWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse("192.0.2.7/24"));
        assertTrue(e.getMessage().contains("the network is 192.0.2.0/24"), e.getMessage());
        assertEquals(Ipv4Prefix.parse("192.0.2.0/24"), Ipv4Prefix.containing(Ipv4Address.parse("192.0.2.7"), 24));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.0", "192.0.2.0/", "192.0.2.0/33", "192.0.2.0/024", "192.0.2.0/-1", "/24",
        "192.0.2.0/2 4", "192.0.2.0/24/24", "192.0.2/24"})
    void rejectsMalformedText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse(text));
        assertFalse(e.getMessage().isBlank());
    }
}

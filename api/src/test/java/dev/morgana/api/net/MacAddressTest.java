package dev.morgana.api.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesAndFormatsLowerCase() {
        MacAddress mac = MacAddress.parse("02:00:5E:10:00:0a");
        assertEquals(0x02005E10000AL, mac.bits());
        assertEquals("02:00:5e:10:00:0a", mac.toString());
        assertArrayEquals(new byte[] {0x02, 0x00, 0x5E, 0x10, 0x00, 0x0A}, mac.toBytes());
        assertEquals(mac, MacAddress.ofBytes(mac.toBytes()));
    }

    @Test
    void classifiesBits() {
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isMulticast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:5e:10:00", "02:00:5e:10:00:0a:0b", "02-00-5e-10-00-0a", "02:00:5e:10:00:0g",
        "2:00:5e:10:00:0a0", "02:00:5e:10:00: a", " 02:00:5e:10:00:0a", "０2:00:5e:10:00:0a", "02:00:5e:10:000a:"})
    void rejectsWithTheExpectedForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains("expected six two-digit hex bytes"), e.getMessage());
    }

    @Test
    void rejectsBitsBeyond48AndWrongByteCounts() {
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(-1));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.ofBytes(new byte[5]));
    }
}

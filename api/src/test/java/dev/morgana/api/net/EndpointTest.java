package dev.morgana.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    @Test
    void parsesAndFormats() {
        Endpoint endpoint = Endpoint.parse("192.0.2.1:8080");
        assertEquals(new Endpoint(Ipv4Address.parse("192.0.2.1"), 8080), endpoint);
        assertEquals("192.0.2.1:8080", endpoint.toString());
        assertEquals(0, Endpoint.parse("0.0.0.0:0").port());
        assertEquals(65535, Endpoint.parse("0.0.0.0:65535").port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:080", "192.0.2.1:-1",
        "192.0.2.1:99999999999", ":80", "192.0.2:80", "[::1]:80", "192.0.2.1:8 0"})
    void rejectsMalformedText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text));
        assertTrue(e.getMessage().contains(text) || e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Ipv4Address.ANY, 65536));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Ipv4Address.ANY, -1));
        assertThrows(NullPointerException.class, () -> new Endpoint(null, 80));
    }
}

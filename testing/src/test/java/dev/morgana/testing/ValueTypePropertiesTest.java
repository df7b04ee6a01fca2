package dev.morgana.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.morgana.api.block.BlockInfo;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** Every value type: format then parse is the identity; any other text parses or is refused, nothing else. */
class ValueTypePropertiesTest {

    @Property
    void macAddressesRoundTrip(RandomGenerator random) {
        MacAddress mac = ApiGen.macAddresses().next(random);
        assertEquals(mac, MacAddress.parse(mac.toString()));
        assertEquals(mac, MacAddress.parse(mac.toString().toUpperCase(java.util.Locale.ROOT)));
        assertEquals(mac, MacAddress.ofBytes(mac.toBytes()));
    }

    @Property
    void ipv4AddressesRoundTrip(RandomGenerator random) {
        Ipv4Address address = ApiGen.ipv4Addresses().next(random);
        assertEquals(address, Ipv4Address.parse(address.toString()));
        assertEquals(address, Ipv4Address.ofBytes(address.toBytes()));
        assertEquals(address, Ipv4Address.of(address.toInetAddress()));
    }

    @Property
    void ipv4PrefixesRoundTripAndContainTheirEnds(RandomGenerator random) {
        Ipv4Prefix prefix = ApiGen.ipv4Prefixes().next(random);
        assertEquals(prefix, Ipv4Prefix.parse(prefix.toString()));
        assertEquals(prefix, Ipv4Prefix.containing(prefix.broadcast(), prefix.length()));
        assertEquals(prefix.network(), new Ipv4Address(prefix.broadcast().bits() & prefix.netmask().bits()));
    }

    @Property
    void endpointsRoundTrip(RandomGenerator random) {
        Endpoint endpoint = ApiGen.endpoints().next(random);
        assertEquals(endpoint, Endpoint.parse(endpoint.toString()));
    }

    @Property
    void keysRoundTripThroughTextAndSegments(RandomGenerator random) {
        KvKey key = ApiGen.kvKeys().next(random);
        assertEquals(key, KvKey.parse(key.toString()));
        assertEquals(key, KvKey.of(key.segments()));
        if (!key.isRoot()) {
            assertEquals(key, key.parent().resolve(key.name()));
            assertEquals(key, KvKey.parse(key.toString().substring(1)), "the leading slash is optional");
        }
    }

    @Property
    void blockGeometriesRoundTrip(RandomGenerator random) {
        BlockInfo info = ApiGen.blockInfos().next(random);
        assertEquals(info, BlockInfo.parse(info.toString()));
    }

    /** Parsers take untrusted text: either a value that formats back to a canonical equal, or IllegalArgumentException. */
    @Property(tries = 2000)
    void nearlyValidTextParsesOrIsRefusedWithAMessage(RandomGenerator random) {
        String text = ApiGen.nearlyValidText().next(random);
        for (Function<String, Object> parser : PARSERS) {
            try {
                Object value = parser.apply(text);
                assertEquals(value, parser.apply(value.toString()), "accepted \"" + text + "\" but not its canonical form");
            } catch (IllegalArgumentException refused) {
                assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "refusals explain themselves");
            }
        }
    }

    static final List<Function<String, Object>> PARSERS = List.of(MacAddress::parse, Ipv4Address::parse,
            Ipv4Prefix::parse, Endpoint::parse, KvKey::parse, BlockInfo::parse);
}

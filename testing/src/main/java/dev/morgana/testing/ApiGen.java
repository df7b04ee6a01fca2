package dev.morgana.testing;

import dev.morgana.api.block.BlockInfo;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Generators for the api's value types, covering their edges (broadcast and zero addresses, prefix
 * lengths 0 and 32, port 0 and 65535, keys at their length limits, non-ASCII key segments).
 */
public final class ApiGen {

    /** Characters key segments are drawn from: ASCII, punctuation, accents, CJK, and an emoji (a surrogate pair). */
    private static final String SEGMENT_ALPHABET = "abcxyzABCXYZ0189-_.~ %+:;,'()[]@!$&=éüñßЖ中文字😀";

    private ApiGen() {}

    /**
     * Any MAC address, with broadcast and all-zero ones drawn often.
     *
     * @return the generator
     */
    public static Gen<MacAddress> macAddresses() {
        return random -> switch (random.nextInt(8)) {
            case 0 -> MacAddress.BROADCAST;
            case 1 -> new MacAddress(0);
            default -> new MacAddress(random.nextLong(1L << 48));
        };
    }

    /**
     * Any IPv4 address, with the special ones drawn often.
     *
     * @return the generator
     */
    public static Gen<Ipv4Address> ipv4Addresses() {
        return random -> switch (random.nextInt(10)) {
            case 0 -> Ipv4Address.ANY;
            case 1 -> Ipv4Address.BROADCAST;
            case 2 -> Ipv4Address.LOOPBACK;
            default -> new Ipv4Address(random.nextInt());
        };
    }

    /**
     * Any IPv4 prefix: a random length 0–32 and a random network of that length.
     *
     * @return the generator
     */
    public static Gen<Ipv4Prefix> ipv4Prefixes() {
        return random -> Ipv4Prefix.containing(ipv4Addresses().next(random), random.nextInt(33));
    }

    /**
     * Any endpoint, ports 0 and 65535 drawn often.
     *
     * @return the generator
     */
    public static Gen<Endpoint> endpoints() {
        Gen<Integer> ports = Gen.either(Gen.oneOf(0, 1, Endpoint.MAX_PORT), Gen.integers(0, Endpoint.MAX_PORT));
        return random -> new Endpoint(ipv4Addresses().next(random), ports.next(random));
    }

    /**
     * Valid key segments: short names from a mixed alphabet, sometimes at the length limit.
     *
     * @return the generator
     */
    public static Gen<String> kvSegments() {
        Gen<String> names = Gen.strings(SEGMENT_ALPHABET, 1, 12);
        Gen<String> longest = Gen.strings("abcdefghij", KvKey.MAX_SEGMENT_BYTES, KvKey.MAX_SEGMENT_BYTES);
        return random -> {
            String segment = random.nextInt(20) == 0 ? longest.next(random) : names.next(random);
            return segment.equals(".") || segment.equals("..") ? segment + "x" : segment;
        };
    }

    /**
     * Valid keys of 0 to 8 segments, the root included.
     *
     * @return the generator
     */
    public static Gen<KvKey> kvKeys() {
        return random -> {
            int depth = random.nextInt(9);
            List<String> segments = new ArrayList<>();
            int bytes = 0;
            for (int i = 0; i < depth; i++) {
                String segment = kvSegments().next(random);
                int length = 1 + segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (bytes + length > KvKey.MAX_KEY_BYTES) {
                    break;
                }
                bytes += length;
                segments.add(segment);
            }
            return KvKey.of(segments);
        };
    }

    /**
     * Valid block geometries: every sector size, counts from 0 to the largest that fits.
     *
     * @return the generator
     */
    public static Gen<BlockInfo> blockInfos() {
        return random -> {
            int sectorSize = BlockInfo.MIN_SECTOR_SIZE << random.nextInt(8);
            long count = random.nextBoolean() ? random.nextLong(1 << 20) : random.nextLong(Long.MAX_VALUE / sectorSize + 1);
            return new BlockInfo(sectorSize, count, random.nextBoolean());
        };
    }

    /**
     * Strings near the textual forms of the value types: valid forms with a character inserted, removed or
     * replaced, or random junk over their alphabets. Most do not parse; a parser must reject those with
     * {@link IllegalArgumentException} and nothing else.
     *
     * @return the generator
     */
    public static Gen<String> nearlyValidText() {
        Gen<String> valid = random -> switch (random.nextInt(6)) {
            case 0 -> macAddresses().next(random).toString();
            case 1 -> ipv4Addresses().next(random).toString();
            case 2 -> ipv4Prefixes().next(random).toString();
            case 3 -> endpoints().next(random).toString();
            case 4 -> kvKeys().next(random).toString();
            default -> blockInfos().next(random).toString();
        };
        Gen<String> junk = Gen.strings("0123456789abcdefx.:/ -+\u0000\u00a0٣", 0, 24);
        return random -> random.nextInt(4) == 0 ? junk.next(random) : mutate(valid.next(random), random);
    }

    private static String mutate(String text, RandomGenerator random) {
        StringBuilder out = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = out.isEmpty() ? 0 : random.nextInt(out.length());
            char c = "0123456789abcdefABCDEF.:/x \u0000-+٣".charAt(random.nextInt(30));
            switch (random.nextInt(3)) {
                case 0 -> out.insert(at, c);
                case 1 -> {
                    if (!out.isEmpty()) {
                        out.deleteCharAt(at);
                    }
                }
                default -> {
                    if (!out.isEmpty()) {
                        out.setCharAt(at, c);
                    }
                }
            }
        }
        return out.toString();
    }
}

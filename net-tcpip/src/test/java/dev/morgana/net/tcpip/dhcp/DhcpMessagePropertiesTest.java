package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/** Seeded properties of the DHCP wire format (replay a failure with -Dmorgana.seed=N). */
class DhcpMessagePropertiesTest {

    static List<Ipv4Address> addresses(RandomGenerator random) {
        List<Ipv4Address> addresses = new ArrayList<>();
        for (int i = random.nextInt(1, 5); i > 0; i--) {
            addresses.add(ApiGen.ipv4Addresses().next(random));
        }
        return addresses;
    }

    static long seconds(RandomGenerator random) {
        return random.nextInt(8) == 0 ? DhcpOption.INFINITE : random.nextLong(0, DhcpOption.INFINITE + 1);
    }

    static DhcpOption option(RandomGenerator random) {
        return switch (random.nextInt(13)) {
            case 0 -> new DhcpOption.SubnetMask(new Ipv4Address(random.nextInt(33) == 0 ? 0 : -1 << random.nextInt(32)));
            case 1 -> new DhcpOption.Routers(addresses(random));
            case 2 -> new DhcpOption.DnsServers(addresses(random));
            case 3 -> new DhcpOption.InterfaceMtu(random.nextInt(68, 0x10000));
            case 4 -> new DhcpOption.RequestedAddress(ApiGen.ipv4Addresses().next(random));
            case 5 -> new DhcpOption.LeaseTime(seconds(random));
            case 6 -> new DhcpOption.ServerIdentifier(ApiGen.ipv4Addresses().next(random));
            case 7 -> new DhcpOption.ParameterRequestList(Gen.lists(Gen.integers(1, 254), 1, 20).next(random));
            case 8 -> new DhcpOption.MaxMessageSize(random.nextInt(576, 0x10000));
            case 9 -> new DhcpOption.RenewalTime(seconds(random));
            case 10 -> new DhcpOption.RebindingTime(seconds(random));
            case 11 -> new DhcpOption.ClientIdentifier(Gen.bytes(2, 20).next(random));
            default -> {
                int code;
                do {
                    code = random.nextInt(1, 255);
                } while (code == DhcpOption.OVERLOAD || code == DhcpOption.MESSAGE_TYPE || DhcpOption.isDecoded(code));
                // now and then longer than one option can hold, to be split and joined (RFC 3396)
                yield new DhcpOption.Unknown(code, Gen.bytes(0, random.nextInt(10) == 0 ? 600 : 40).next(random));
            }
        };
    }

    static DhcpMessage message(RandomGenerator random) {
        List<DhcpOption> options = new ArrayList<>();
        Set<Integer> codes = new HashSet<>();
        for (int i = random.nextInt(0, 12); i > 0; i--) {
            DhcpOption option = option(random);
            if (codes.add(option.code())) {
                options.add(option);
            }
        }
        Gen<Ipv4Address> ip = ApiGen.ipv4Addresses();
        return new DhcpMessage(random.nextBoolean() ? DhcpPacket.BOOTREQUEST : DhcpPacket.BOOTREPLY,
                Type.values()[random.nextInt(Type.values().length)], random.nextInt(), random.nextInt(0x10000),
                random.nextInt(0x10000), ip.next(random), ip.next(random), ip.next(random), ip.next(random),
                ApiGen.macAddresses().next(random), options);
    }

    /** A valid message's bytes, sometimes with overload, pads and trailing bytes, then damaged or not. */
    static byte[] nearlyValid(RandomGenerator random) {
        DhcpMessage message = message(random);
        byte[] bytes = new byte[message.length() + (random.nextBoolean() ? 0 : random.nextInt(40))];
        message.emit(MemorySegment.ofArray(bytes));
        if (random.nextInt(4) == 0) {
            // Move the options field's end into 'file' and 'sname' by overload: 52 replaces the end option,
            // and the fields get options of their own, or none (no end option: refused).
            int end = endOfOptions(bytes);
            if (end >= 0 && end + 4 <= bytes.length) {
                int which = random.nextInt(1, 4);
                bytes[end] = 52;
                bytes[end + 1] = 1;
                bytes[end + 2] = (byte) which;
                bytes[end + 3] = (byte) 255;
                if (random.nextInt(5) != 0) {
                    bytes[DhcpPacket.FILE] = (byte) 255;
                    bytes[DhcpPacket.SNAME] = (byte) 255;
                }
                if (random.nextBoolean()) {
                    bytes[DhcpPacket.FILE] = 51;
                    bytes[DhcpPacket.FILE + 1] = 4;
                    bytes[DhcpPacket.FILE + 6] = (byte) 255;
                }
            }
        }
        return damage(bytes, random);
    }

    private static int endOfOptions(byte[] bytes) {
        int at = DhcpPacket.OPTIONS;
        while (at < bytes.length) {
            int code = bytes[at] & 0xFF;
            if (code == 255) {
                return at;
            }
            at += code == 0 ? 1 : 2 + (bytes[at + 1] & 0xFF);
        }
        return -1;
    }

    static byte[] damage(byte[] bytes, RandomGenerator random) {
        switch (random.nextInt(4)) {
            case 0 -> {
                return bytes;
            }
            case 1 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            case 2 -> {
                for (int i = random.nextInt(1, 4); i > 0; i--) {
                    // mostly in the options, where the structure is
                    int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length)
                            : random.nextInt(Math.min(DhcpPacket.OPTIONS, bytes.length - 1), bytes.length);
                    bytes[at] = (byte) random.nextInt(256);
                }
                return bytes;
            }
            default -> {
                int at = random.nextInt(bytes.length);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
                return bytes;
            }
        }
    }

    static byte[] emit(DhcpMessage message) {
        byte[] bytes = new byte[message.length()];
        message.emit(MemorySegment.ofArray(bytes));
        return bytes;
    }

    @Property(tries = 300)
    void parseOfEmitIsIdentity(RandomGenerator random) {
        DhcpMessage message = message(random);
        byte[] bytes = emit(message);
        assertEquals(message, DhcpMessage.parse(MemorySegment.ofArray(bytes).asReadOnly()));
        assertEquals(Math.max(DhcpPacket.MIN_LENGTH, bytes.length), bytes.length);
    }

    @Property(tries = 500)
    void anyBytesParseCanonicallyOrAreRefused(RandomGenerator random) {
        byte[] bytes = random.nextInt(4) == 0 ? Gen.bytes(0, 400).next(random) : nearlyValid(random);
        assertParsedCanonicallyOrRefused(bytes);
    }

    /**
     * Parse throws {@link MalformedPacketException} and nothing else, or gives a message that emits to bytes
     * which parse to the same message and emit to the same bytes again.
     */
    static void assertParsedCanonicallyOrRefused(byte[] bytes) {
        DhcpMessage message;
        try {
            message = DhcpMessage.parse(MemorySegment.ofArray(bytes).asReadOnly());
        } catch (MalformedPacketException refused) {
            return;
        }
        byte[] emitted = emit(message);
        DhcpMessage again = DhcpMessage.parse(MemorySegment.ofArray(emitted).asReadOnly());
        assertEquals(message, again);
        assertArrayEquals(emitted, emit(again));
    }
}

package dev.morgana.net.tcpip.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    private static MemorySegment hex(String bytes) {
        return MemorySegment.ofArray(HexFormat.of().parseHex(bytes.replace(" ", "")));
    }

    /** RFC 1071, section 3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2. */
    @Test
    void rfc1071Example() {
        MemorySegment data = hex("0001 f203 f4f5 f6f7");
        assertEquals(0xddf2, InternetChecksum.sum(data, 0, 8, 0));
        assertEquals(0x220d, InternetChecksum.of(data, 0, 8, 0));
    }

    /** A real IPv4 header (UDP, 192.168.0.1 → 192.168.0.199): its checksum is b861, and checking it gives 0. */
    @Test
    void ipv4HeaderFromACapture() {
        MemorySegment header = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertEquals(0, InternetChecksum.of(header, 0, 20, 0));
        MemorySegment zeroed = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, InternetChecksum.of(zeroed, 0, 20, 0));
    }

    @Test
    void anOddLastByteIsTheHighHalfOfAWord() {
        assertEquals(0xab00, InternetChecksum.sum(hex("ab"), 0, 1, 0));
        assertEquals(0x0102 + 0x0300, InternetChecksum.sum(hex("010203"), 0, 3, 0));
        assertEquals(0, InternetChecksum.sum(hex(""), 0, 0, 0));
    }

    @Test
    void aRangeOutsideTheDataIsRefused() {
        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.sum(hex("0102"), 1, 2, 0));
    }

    /** The straightforward definition: 16-bit words, one end-around carry at a time. */
    private static int naive(byte[] bytes, int offset, int length, int initial) {
        int sum = initial;
        for (int i = 0; i < length; i += 2) {
            int word = (bytes[offset + i] & 0xFF) << 8;
            if (i + 1 < length) {
                word |= bytes[offset + i + 1] & 0xFF;
            }
            sum += word;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Property
    void agreesWithTheDefinitionAtAnyOffsetAndLength(RandomGenerator random) {
        byte[] bytes = Gen.bytes(0, 2000).next(random);
        int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        int length = random.nextInt(bytes.length - offset + 1);
        int initial = random.nextInt(0x10000);
        assertEquals(naive(bytes, offset, length, initial),
                InternetChecksum.sum(MemorySegment.ofArray(bytes), offset, length, initial));
    }

    @Property
    void aSumSplitAtAnEvenOffsetIsItsPartsAdded(RandomGenerator random) {
        byte[] bytes = Gen.bytes(0, 2000).next(random);
        MemorySegment data = MemorySegment.ofArray(bytes);
        int split = random.nextInt(bytes.length / 2 + 1) * 2;
        int first = InternetChecksum.sum(data, 0, split, 0);
        assertEquals(InternetChecksum.sum(data, 0, bytes.length, 0),
                InternetChecksum.sum(data, split, bytes.length - split, first));
    }

    @Property
    void dataWithItsOwnChecksumChecksToZero(RandomGenerator random) {
        byte[] bytes = Gen.bytes(2, 1500).next(random);
        bytes[0] = 0;
        bytes[1] = 0;
        MemorySegment data = MemorySegment.ofArray(bytes);
        int checksum = InternetChecksum.of(data, 0, bytes.length, 0);
        bytes[0] = (byte) (checksum >>> 8);
        bytes[1] = (byte) checksum;
        assertEquals(0, InternetChecksum.of(data, 0, bytes.length, 0) % 0xFFFF); // 0, or -0 (ffff) for all-zero data
    }
}

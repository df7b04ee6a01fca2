package dev.morgana.net.tcpip.icmp;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** The damage the properties and fuzz corpora of ICMP and UDP do to valid messages: none, a cut, bytes replaced, a bit flipped. */
public final class Damage {

    private Damage() {}

    /**
     * Damages {@code bytes} one way, or not at all, as the seeded generator says.
     *
     * @param bytes a valid message, changed in place unless cut
     * @param random the property's generator
     * @return the damaged bytes
     */
    public static byte[] damage(byte[] bytes, RandomGenerator random) {
        switch (random.nextInt(4)) {
            case 0 -> {
                return bytes;
            }
            case 1 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            case 2 -> {
                for (int i = random.nextInt(1, 4); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return bytes;
            }
            default -> {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                return bytes;
            }
        }
    }
}

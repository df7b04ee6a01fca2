package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.Entropy;
import dev.morgana.api.net.Ipv4Address;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

/**
 * The local port of an outgoing connection, chosen by RFC 6056 §3.3.4, Algorithm 4 ("Double-Hash Port
 * Selection"), in the IANA dynamic range 49152–65535 (RFC 6335), the range UDP's ephemeral ports use too.
 *
 * <p>port = first + (F(local, remote, remote port, key1) + table[G(local, remote, remote port, key2)]) mod
 * 16384, the table entry incremented at every try. F spreads the destinations over the range so that the
 * ports used towards one say nothing about the ports used towards another; G picks a counter shared by
 * the destinations that hash alike, so that successive connections to one destination move on through the
 * range instead of reusing a port whose old connection may linger in TIME-WAIT. F and G are SipHash-2-4
 * under two 128-bit keys; the 256 counters start at random values.
 *
 * <p>Not thread-safe: one stack's event loop owns it.
 */
public final class EphemeralPorts {

    /** The first ephemeral port. */
    public static final int FIRST = 49_152;
    /** The last ephemeral port. */
    public static final int LAST = 65_535;

    private static final int COUNT = LAST - FIRST + 1;
    private static final int TABLE_LENGTH = 256;

    private final SipHash f;
    private final SipHash g;
    private final int[] table = new int[TABLE_LENGTH];

    /**
     * Draws the keys and the counters' starting values.
     *
     * @param entropy the source of randomness; used only here
     */
    public EphemeralPorts(Entropy entropy) {
        this.f = new SipHash(entropy.nextLong(), entropy.nextLong());
        this.g = new SipHash(entropy.nextLong(), entropy.nextLong());
        byte[] starts = new byte[2 * TABLE_LENGTH];
        entropy.fill(starts);
        for (int i = 0; i < TABLE_LENGTH; i++) {
            table[i] = (starts[2 * i] & 0xFF) << 8 | starts[2 * i + 1] & 0xFF;
        }
    }

    /**
     * Chooses the local port of a connection from {@code localAddress} to {@code remoteAddress}:
     * {@code remotePort}, trying at most every port of the range once.
     *
     * @param localAddress our address
     * @param remoteAddress the peer's address
     * @param remotePort the peer's port, 0–65535
     * @param inUse tells whether a local port cannot be used towards this peer (its 4-tuple is taken, or
     *     the caller reserves it)
     * @return the port, or empty when every port of the range is in use towards this peer
     */
    public OptionalInt choose(Ipv4Address localAddress, Ipv4Address remoteAddress, int remotePort, IntPredicate inUse) {
        int offset = (int) f.hash(localAddress.bits(), remoteAddress.bits(), remotePort);
        int index = (int) Long.remainderUnsigned(g.hash(localAddress.bits(), remoteAddress.bits(), remotePort),
                TABLE_LENGTH);
        for (int tries = 0; tries < COUNT; tries++) {
            // COUNT is a power of two, so the mask is the unsigned remainder of the sum, however it wraps.
            int port = FIRST + (offset + table[index] & COUNT - 1);
            table[index]++;
            if (!inUse.test(port)) {
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }
}

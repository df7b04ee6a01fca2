package dev.morgana.net.tcpip.tcp;

import dev.morgana.api.Entropy;
import dev.morgana.api.net.Ipv4Address;

/**
 * Initial sequence numbers as RFC 6528 §3 has them chosen: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer that ticks every 4 microseconds and F is SipHash-2-4 under a
 * 128-bit key drawn once from {@link Entropy}. An off-path attacker cannot predict a connection's ISN from
 * another's, yet successive connections of one 4-tuple get increasing ISNs, as the 4-µs clock of RFC 9293
 * §3.4.1 would give them, so that a new incarnation's segments are not taken for an old one's.
 *
 * <p>The key is never changed: RFC 6528 suggests changing it from time to time, but doing so breaks the
 * increase per 4-tuple that M provides. The clock is not read here: {@code now} is passed in, which keeps
 * this deterministic under a virtual clock.
 */
public final class InitialSequenceNumbers {

    /** Nanoseconds per tick of M (RFC 6528 §3: "a timer that is incremented every 4 microseconds"). */
    static final long TICK_NANOS = 4_000;

    private final SipHash f;

    /**
     * Draws the secret key.
     *
     * @param entropy the source of the 128-bit key; used only here
     */
    public InitialSequenceNumbers(Entropy entropy) {
        this.f = new SipHash(entropy.nextLong(), entropy.nextLong());
    }

    /**
     * Returns the initial sequence number of a connection.
     *
     * @param localAddress our address
     * @param localPort our port, 0–65535
     * @param remoteAddress the peer's address
     * @param remotePort the peer's port, 0–65535
     * @param now the time in nanoseconds, from the stack's clock
     * @return the ISN, an unsigned 32-bit value in an {@code int}
     */
    public int next(Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort, long now) {
        int m = (int) Math.floorDiv(now, TICK_NANOS);
        return m + (int) f.hash(localAddress.bits(), remoteAddress.bits(), localPort << 16 | remotePort & 0xFFFF);
    }
}

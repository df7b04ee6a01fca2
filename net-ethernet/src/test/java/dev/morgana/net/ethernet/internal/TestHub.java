package dev.morgana.net.ethernet.internal;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A hub for the tests of this module: ports are {@link Network}s, every frame written goes to every other
 * port one microsecond later on the virtual clock, each copy lost with the given probability. The
 * written frames are kept for inspection.
 */
final class TestHub {

    static final long LATENCY_NANOS = 1_000;

    private final VirtualClock clock;
    private final RandomGenerator random;
    private final double loss;
    private final List<Port> ports = new ArrayList<>();
    final List<byte[]> written = new ArrayList<>();

    TestHub(VirtualClock clock, RandomGenerator random, double loss) {
        this.clock = clock;
        this.random = random;
        this.loss = loss;
    }

    Port port(MacAddress mac) {
        Port port = new Port(mac);
        ports.add(port);
        return port;
    }

    final class Port implements Network {
        private final MacAddress mac;
        private volatile FrameHandler handler = frame -> {};
        long writes;

        Port(MacAddress mac) {
            this.mac = mac;
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void write(int size, Fill fill) throws NetworkException {
            if (size > mtu() + 14) {
                throw new IllegalArgumentException("frame of " + size + " bytes");
            }
            byte[] buffer = new byte[size];
            java.util.Arrays.fill(buffer, (byte) 0xEE); // not zeroed, as a device's buffers are not
            int length = fill.into(MemorySegment.ofArray(buffer));
            byte[] frame = java.util.Arrays.copyOf(buffer, length);
            writes++;
            synchronized (TestHub.this) {
                written.add(frame);
                for (Port other : ports) {
                    if (other != this && (loss == 0 || random.nextDouble() >= loss)) {
                        clock.schedule(clock.monotonicNanos() + LATENCY_NANOS,
                                () -> other.handler.frame(MemorySegment.ofArray(frame).asReadOnly()));
                    }
                }
            }
        }

        @Override
        public void listen(FrameHandler handler) {
            this.handler = handler;
        }

        @Override
        public Counters counters() {
            return new Counters(0, 0, writes, 0, 0);
        }
    }
}

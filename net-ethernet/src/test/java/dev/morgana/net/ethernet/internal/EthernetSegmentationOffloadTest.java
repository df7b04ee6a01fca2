package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.net.ethernet.EthernetConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layer passes TCP super-segments through to a device that segments them, header written, limit less it. */
class EthernetSegmentationOffloadTest {

    static final MacAddress US = EthernetHeaderTest.B;
    static final MacAddress OTHER = EthernetHeaderTest.A;

    /** A device that records what it is asked to write; offloads when {@code limit} is not 0. */
    static final class Device implements Network {
        final int limit;
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> segmentSizes = new ArrayList<>();

        Device(int limit) {
            this.limit = limit;
        }

        @Override
        public MacAddress mac() {
            return US;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void write(int size, Fill fill) {
            throw new AssertionError("an offloaded frame went through the ordinary write");
        }

        @Override
        public int tcpSegmentationLimit() {
            return limit;
        }

        @Override
        public void writeTcpSegments(int size, int segmentSize, Fill fill) {
            assertEquals(true, size <= limit, "within the device's limit");
            MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
            int length = fill.into(buffer);
            frames.add(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
            segmentSizes.add(segmentSize);
        }

        @Override
        public void listen(FrameHandler handler) {}

        @Override
        public Counters counters() {
            return new Counters(0, 0, 0, 0, 0);
        }
    }

    @Test
    void aSuperSegmentGetsTheIpv4HeaderAndGoesToTheDeviceWhole() throws Exception {
        Device device = new Device(0xFFFF + 14);
        EthernetLayer layer = new EthernetLayer(device, EthernetConfig.DEFAULT);
        assertEquals(0xFFFF, layer.tcpSegmentationLimit(), "the largest IPv4 datagram");
        byte[] datagram = new byte[5000];
        Arrays.fill(datagram, (byte) 0x77);
        layer.writeTcpSegments(OTHER, 6000, 1448, Fill.copyOf(MemorySegment.ofArray(datagram)));
        byte[] frame = device.frames.getFirst();
        assertEquals(14 + 5000, frame.length);
        assertArrayEquals(OTHER.toBytes(), Arrays.copyOfRange(frame, 0, 6));
        assertArrayEquals(US.toBytes(), Arrays.copyOfRange(frame, 6, 12));
        assertArrayEquals(new byte[] {0x08, 0x00}, Arrays.copyOfRange(frame, 12, 14));
        assertArrayEquals(datagram, Arrays.copyOfRange(frame, 14, frame.length));
        assertEquals(List.of(1448), device.segmentSizes);
        assertEquals(1, layer.counters().sent());
    }

    @Test
    void aDeviceWithLessRoomLimitsTheDatagram() {
        assertEquals(9000 - 14, new EthernetLayer(new Device(9000), EthernetConfig.DEFAULT).tcpSegmentationLimit());
    }

    @Test
    void withoutADeviceThatOffloadsThereIsNoLimitAndNoWrite() {
        EthernetLayer layer = new EthernetLayer(new Device(0), EthernetConfig.DEFAULT);
        assertEquals(0, layer.tcpSegmentationLimit());
        assertThrows(UnsupportedOperationException.class,
                () -> layer.writeTcpSegments(OTHER, 3000, 1448, Fill.copyOf(MemorySegment.ofArray(new byte[3000]))));
    }

    @Test
    void beyondTheLimitIsRefused() {
        EthernetLayer layer = new EthernetLayer(new Device(0xFFFF + 14), EthernetConfig.DEFAULT);
        assertThrows(IllegalArgumentException.class,
                () -> layer.writeTcpSegments(OTHER, 0x10000, 1448, buffer -> 0));
        assertThrows(IllegalArgumentException.class,
                () -> layer.writeTcpSegments(OTHER, 3000, 0, buffer -> 0));
    }
}

package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * NETWORK: a device that sends and receives whole Ethernet frames — a TAP device, a Xen netfront, a port
 * of a simulated switch.
 *
 * <p>Thread safety: {@link #write} may be called from any thread; frames are delivered to the one
 * {@link FrameHandler} on the device's receive thread, one at a time.
 */
public interface Network {

    /**
     * Returns the device's own MAC address.
     *
     * @return the address, fixed for the device's lifetime
     */
    MacAddress mac();

    /**
     * Returns the largest Ethernet payload the device carries, in bytes: the frame without its 14-byte
     * header (1500 on most links).
     *
     * @return the MTU in bytes
     */
    int mtu();

    /**
     * Sends one frame. The device allocates a buffer of {@code size} bytes and {@code fill} writes the whole
     * frame, header included, into it; the frame is queued for the wire before this method returns.
     *
     * @param size the largest frame {@code fill} may write, at most {@code mtu() + 14}
     * @param fill writes the frame and returns its actual length
     * @throws NetworkException {@link NetworkException.Reason#CLOSED} after the device is closed,
     *     {@link NetworkException.Reason#DEVICE_FAILED} when the device reports an error
     * @throws IllegalArgumentException when {@code size} exceeds {@code mtu() + 14}
     */
    void write(int size, Fill fill) throws NetworkException;

    /**
     * Returns the largest frame {@link #writeTcpSegments} takes, in bytes, header included; 0 when the device
     * does not segment TCP itself (the default).
     *
     * @return the limit, above {@code mtu() + 14}, or 0
     */
    default int tcpSegmentationLimit() {
        return 0;
    }

    /**
     * Sends one frame carrying an IPv4 TCP "super-segment" longer than the MTU allows, which the device (or the
     * host behind it) cuts into segments of {@code segmentSize} bytes of data, each with a copy of the headers
     * (TCP segmentation offload). {@code fill} writes the whole frame as for {@link #write}: the Ethernet header
     * (EtherType IPv4), an IPv4 header whose total length is the whole datagram's, with DF set and its own
     * header checksum, then the TCP header and all the data. The device fixes each segment's IPv4 total length,
     * identification and checksum, its TCP sequence number, and clears FIN and PSH on all but the last.
     *
     * <p><b>Checksum convention.</b> The TCP checksum field holds the one's-complement sum of the
     * pseudo-header for the whole segment's TCP length (header and all the data), folded to 16 bits and
     * <em>not</em> complemented ({@link Ipv4#pseudoHeaderSum}): Linux's {@code CHECKSUM_PARTIAL} convention, as
     * its {@code __tcp_v4_send_check} leaves it. The device completes each segment's checksum.
     *
     * @param size the largest frame {@code fill} may write, at most {@link #tcpSegmentationLimit()}
     * @param segmentSize the TCP data per segment: the connection's MSS, options excluded
     * @param fill writes the frame and returns its actual length
     * @throws NetworkException as {@link #write} does
     * @throws IllegalArgumentException when {@code size} exceeds the limit, or {@code segmentSize} is not positive
     * @throws UnsupportedOperationException when {@link #tcpSegmentationLimit()} is 0
     */
    default void writeTcpSegments(int size, int segmentSize, Fill fill) throws NetworkException {
        throw new UnsupportedOperationException("this device does not segment TCP");
    }

    /**
     * Sets the handler that receives every frame from now on, replacing any previous one. Frames that
     * arrive while no handler is set are dropped and counted.
     *
     * @param handler called on the receive thread for each frame
     */
    void listen(FrameHandler handler);

    /**
     * Returns the device's counters since it started.
     *
     * @return a snapshot
     */
    Counters counters();

    /** Receives frames from a {@link Network}. */
    @FunctionalInterface
    interface FrameHandler {

        /**
         * Handles one received frame. Must not block.
         *
         * @param frame the whole frame from the destination MAC on, without the FCS; read-only, owned by
         *     the device and valid only during this call
         */
        void frame(MemorySegment frame);
    }

    /**
     * A device's traffic counters.
     *
     * @param framesIn frames received and delivered
     * @param bytesIn bytes of those frames
     * @param framesOut frames sent
     * @param bytesOut bytes of those frames
     * @param drops frames lost in the device: receive buffers full, no handler set, send queue full
     */
    record Counters(long framesIn, long bytesIn, long framesOut, long bytesOut, long drops) {}
}

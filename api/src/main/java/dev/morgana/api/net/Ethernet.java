package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * ETHERNET: Ethernet II framing over a {@link Network}, and dispatch of received frames by EtherType.
 *
 * <p>Thread safety: {@link #write} may be called from any thread; handlers run on the device's receive
 * thread.
 */
public interface Ethernet {

    /** EtherType of IPv4. */
    int IPV4 = 0x0800;

    /** EtherType of ARP. */
    int ARP = 0x0806;

    /**
     * Returns the MAC address frames are sent from.
     *
     * @return the device's address
     */
    MacAddress mac();

    /**
     * Returns the largest payload one frame carries, in bytes.
     *
     * @return the device's MTU
     */
    int mtu();

    /**
     * Sends one frame: writes the header, then lets {@code fill} write the payload in place. Short frames
     * are padded to the Ethernet minimum.
     *
     * @param destination the destination MAC
     * @param etherType the EtherType, 0x0600–0xFFFF
     * @param size the largest payload {@code fill} may write, at most {@link #mtu()}
     * @param fill writes the payload and returns its actual length
     * @throws NetworkException as {@link Network#write} does
     * @throws IllegalArgumentException when {@code size} exceeds the MTU or {@code etherType} is not an
     *     EtherType
     */
    void write(MacAddress destination, int etherType, int size, Fill fill) throws NetworkException;

    /**
     * Returns the largest payload {@link #writeTcpSegments} takes, in bytes; 0 when the device below does not
     * segment TCP (the default).
     *
     * @return the limit, above {@link #mtu()}, or 0
     */
    default int tcpSegmentationLimit() {
        return 0;
    }

    /**
     * Sends one IPv4 datagram carrying a TCP super-segment longer than the MTU, for the device to cut into
     * segments of {@code segmentSize} bytes of data: {@link Network#writeTcpSegments} with the Ethernet header
     * written. The EtherType is IPv4's, the only one TCP segmentation offload knows; {@code fill} writes the
     * IPv4 datagram, with the checksum convention {@link Network#writeTcpSegments} describes.
     *
     * @param destination the destination MAC
     * @param size the largest payload {@code fill} may write, at most {@link #tcpSegmentationLimit()}
     * @param segmentSize the TCP data per segment
     * @param fill writes the datagram and returns its actual length
     * @throws NetworkException as {@link Network#write} does
     * @throws IllegalArgumentException when {@code size} exceeds the limit, or {@code segmentSize} is not positive
     * @throws UnsupportedOperationException when {@link #tcpSegmentationLimit()} is 0
     */
    default void writeTcpSegments(MacAddress destination, int size, int segmentSize, Fill fill)
            throws NetworkException {
        throw new UnsupportedOperationException("this link does not segment TCP");
    }

    /**
     * Sets the handler for received frames of one EtherType, replacing any previous one. Frames of other
     * EtherTypes, and frames addressed to other unicast MACs, are dropped and counted.
     *
     * @param etherType the EtherType to receive
     * @param handler called on the receive thread for each frame of that type
     */
    void register(int etherType, PayloadHandler handler);

    /** Receives the payloads of one EtherType. */
    @FunctionalInterface
    interface PayloadHandler {

        /**
         * Handles one payload. Must not block.
         *
         * @param source the sender's MAC
         * @param destination the MAC the frame was sent to (ours, broadcast or a group)
         * @param payload the frame after the Ethernet header; read-only and valid only during this call
         */
        void payload(MacAddress source, MacAddress destination, MemorySegment payload);
    }
}

package dev.morgana.api.net;

import java.lang.foreign.MemorySegment;

/**
 * IPV4 (RFC 791): datagrams to and from this host's address, routed on-link or through a gateway,
 * fragmented and reassembled as needed.
 *
 * <p>Thread safety: {@link #write} may be called from any thread; handlers run on the stack's event-loop
 * thread.
 */
public interface Ipv4 {

    /** Protocol number of ICMP. */
    int ICMP = 1;

    /** Protocol number of TCP. */
    int TCP = 6;

    /** Protocol number of UDP. */
    int UDP = 17;

    /**
     * Returns this host's address.
     *
     * @return the address; {@link Ipv4Address#ANY} while none is configured (before a DHCP lease)
     */
    Ipv4Address address();

    /**
     * Returns the on-link network.
     *
     * @return the prefix this host's address belongs to
     */
    Ipv4Prefix network();

    /**
     * Returns the largest payload of one datagram sent without fragmentation, in bytes.
     *
     * @return the link MTU less the IPv4 header
     */
    int mtu();

    /**
     * Sends one datagram from {@link #address()}. The layer writes the header and lets {@code fill} write
     * the payload in place; payloads larger than {@link #mtu()} are fragmented.
     *
     * @param destination where to send it
     * @param protocol the protocol number, 0–255
     * @param size the largest payload {@code fill} may write, at most 65515
     * @param fill writes the payload and returns its actual length
     * @throws NetworkException {@link NetworkException.Reason#UNREACHABLE} when there is no route or the
     *     next hop does not resolve, and as {@link Network#write} does
     */
    void write(Ipv4Address destination, int protocol, int size, Fill fill) throws NetworkException;

    /**
     * Returns the largest TCP segment (header and data) {@link #writeTcpSegments} takes, in bytes; 0 when the
     * link below does not segment TCP (the default).
     *
     * @return the limit, above {@link #mtu()}, or 0
     */
    default int tcpSegmentationLimit() {
        return 0;
    }

    /**
     * Sends one TCP super-segment longer than the MTU in one datagram, with DF set, for the device to cut into
     * segments of {@code segmentSize} bytes of data (TCP segmentation offload). The layer writes the IPv4
     * header and lets {@code fill} write the TCP segment in place, its checksum field holding the pseudo-header
     * sum over the whole segment's length, folded and not complemented, as {@link Network#writeTcpSegments}
     * describes; the device completes each segment's checksum.
     *
     * @param destination where to send it: a unicast address
     * @param size the largest segment {@code fill} may write, at most {@link #tcpSegmentationLimit()}
     * @param segmentSize the TCP data per segment: the connection's MSS, options excluded
     * @param fill writes the TCP segment and returns its actual length
     * @throws NetworkException {@link NetworkException.Reason#UNREACHABLE} when there is no route, or the next
     *     hop is not resolved yet (nothing is queued: the caller sends the data in segments of the MSS through
     *     {@link #write} instead, which waits for the resolution), and as {@link Network#write} does
     * @throws IllegalArgumentException when {@code size} exceeds the limit, or {@code segmentSize} is not positive
     * @throws UnsupportedOperationException when {@link #tcpSegmentationLimit()} is 0
     */
    default void writeTcpSegments(Ipv4Address destination, int size, int segmentSize, Fill fill)
            throws NetworkException {
        throw new UnsupportedOperationException("this link does not segment TCP");
    }

    /**
     * Sets the handler for received datagrams of one protocol, replacing any previous one.
     *
     * @param protocol the protocol number, 0–255
     * @param handler called on the event-loop thread with each reassembled datagram
     */
    void register(int protocol, DatagramHandler handler);

    /**
     * Returns the one's-complement sum of the pseudo-header that UDP and TCP checksums cover (RFC 768,
     * RFC 9293 §3.1), folded to 16 bits and not inverted.
     *
     * @param source the source address
     * @param destination the destination address
     * @param protocol the protocol number
     * @param length the length of the UDP or TCP header plus payload, in bytes
     * @return the partial sum, 0–0xFFFF
     */
    default int pseudoHeaderSum(Ipv4Address source, Ipv4Address destination, int protocol, int length) {
        long sum = (source.bits() >>> 16) + (source.bits() & 0xFFFF)
                + (destination.bits() >>> 16) + (destination.bits() & 0xFFFF)
                + protocol + length;
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** Receives the datagrams of one protocol. */
    @FunctionalInterface
    interface DatagramHandler {

        /**
         * Handles one datagram. Must not block.
         *
         * @param source the sender's address
         * @param destination our address, or a broadcast or multicast address
         * @param payload the datagram after the IPv4 header; read-only and valid only during this call
         */
        void datagram(Ipv4Address source, Ipv4Address destination, MemorySegment payload);
    }
}

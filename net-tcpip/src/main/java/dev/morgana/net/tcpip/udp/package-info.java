/**
 * UDP (RFC 768, RFC 1122 §4.1): the wire format as a view ({@link dev.morgana.net.tcpip.udp.UdpPacket}) and
 * a validated header ({@link dev.morgana.net.tcpip.udp.UdpHeader}), and the layer over {@code Ipv4} and
 * {@code Icmp} that implements the {@code Udp} signature.
 *
 * <p>Receiving reads the header in place, verifies the checksum over the pseudo-header, and hands the
 * listener a slice of the received frame; sending writes header and payload straight into the buffer IPv4
 * allocated for the frame, so the payload is copied once, into the frame.
 */
package dev.morgana.net.tcpip.udp;

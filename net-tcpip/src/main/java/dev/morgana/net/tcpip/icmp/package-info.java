/**
 * ICMPv4 (RFC 792, RFC 1122 §3.2.2): the wire format as a view ({@link dev.morgana.net.tcpip.icmp.IcmpPacket})
 * and a sealed family of validated headers ({@link dev.morgana.net.tcpip.icmp.IcmpMessage}), and the layer
 * over {@code Ipv4} that answers echoes, sends rate-limited destination unreachables for the transports and
 * passes the errors it receives to the transport of the quoted datagram.
 *
 * <p>The rules of RFC 1122 about when not to send an error are applied in one place,
 * {@code IcmpLayer.sendUnreachable}, whoever asks: the transports and IPv4 need not repeat them. The rate
 * limit is a token bucket on the stack's {@code Clock}, so tests drive it with virtual time.
 */
package dev.morgana.net.tcpip.icmp;

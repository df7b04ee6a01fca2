/**
 * TCP (RFC 9293): the wire format and the connection's state machine.
 *
 * <p>{@link dev.morgana.net.tcpip.tcp.TcpHeader} and {@link dev.morgana.net.tcpip.tcp.TcpOptions} are what the
 * stack acts on; {@link dev.morgana.net.tcpip.tcp.Seq} compares the wrapping 32-bit sequence numbers every
 * part of TCP compares.
 *
 * <p>The wire format: {@link dev.morgana.net.tcpip.tcp.TcpPacket} is the view of a segment (fields at constant
 * offsets, the options area and the payload as slices, a lookup of one option in place);
 * {@code TcpHeader.parse} checks the checksum and the options (MSS, window scale, SACK-permitted, SACK,
 * timestamps; others skipped) and builds the record, {@code TcpHeader.validate} checks the same without
 * allocating, and {@code TcpHeader.emit} writes a header in front of its data with the options in the layout
 * Linux sends.
 *
 * <p>Choosing what a new connection starts from: {@link dev.morgana.net.tcpip.tcp.InitialSequenceNumbers}
 * (RFC 6528: a 4-µs clock plus a keyed hash of the 4-tuple) and {@link dev.morgana.net.tcpip.tcp.EphemeralPorts}
 * (RFC 6056 Algorithm 4, double-hash port selection in 49152–65535), both keyed by SipHash-2-4 under secrets
 * drawn from {@link dev.morgana.api.Entropy}.
 */
package dev.morgana.net.tcpip.tcp;

/**
 * TCP (RFC 9293): the wire format, the connection's state machine, and the layer that gives applications
 * {@code Tcp} and {@code Flow} over {@code Ipv4}.
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
 *
 * <p>The connection: {@link dev.morgana.net.tcpip.tcp.TcpConnection} is sans-IO: it takes {@code now} and a
 * segment, a timer tick or an application's call, and answers with segments to send through its
 * {@code Output} and a state the caller reads (readable bytes, room to write, the failure, the next deadline).
 * It holds the whole of RFC 9293 §3.10's state machine, the RFC 6298 retransmission timer, RFC 5681/6582
 * congestion control, RFC 7323 window scaling and timestamps, delayed ACKs, Nagle, zero-window probes,
 * keep-alive and RFC 5961's challenge ACKs, over two bounded {@link dev.morgana.net.tcpip.tcp.ByteRing}s.
 *
 * <p>The layer: {@link dev.morgana.net.tcpip.tcp.TcpLayer} does the cores' I/O (demultiplexing by 4-tuple,
 * listeners with a bounded half-open queue, RSTs for segments nobody expects, one timer per connection on
 * {@code Timers}, ICMP errors to the connection they quote) under one lock until the stack has its event loop;
 * {@link dev.morgana.net.tcpip.tcp.TcpFlow} is a connection as a blocking {@code Flow} that parks on that lock's
 * condition.
 */
package dev.morgana.net.tcpip.tcp;

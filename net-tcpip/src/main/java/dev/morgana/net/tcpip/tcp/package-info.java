/**
 * TCP (RFC 9293): the wire format and the connection's state machine.
 *
 * <p>{@link dev.morgana.net.tcpip.tcp.TcpHeader} and {@link dev.morgana.net.tcpip.tcp.TcpOptions} are what the
 * stack acts on; {@link dev.morgana.net.tcpip.tcp.Seq} compares the wrapping 32-bit sequence numbers every
 * part of TCP compares.
 */
package dev.morgana.net.tcpip.tcp;

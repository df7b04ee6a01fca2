/**
 * IPv4 (RFC 791, with RFC 1122's host requirements): the wire format, the reassembly core and the layer.
 *
 * <p>{@link dev.morgana.net.tcpip.ipv4.Ipv4Packet} is the view (static accessors over a segment, and
 * {@code problem}, which says without throwing what is wrong with untrusted bytes);
 * {@link dev.morgana.net.tcpip.ipv4.Ipv4Header} the validated record. A received datagram is read in place,
 * its payload handed up as a slice of the frame with Ethernet's padding left out; options are skipped.
 *
 * <p>{@link dev.morgana.net.tcpip.ipv4.Reassembly} is sans-IO: it takes the time and a fragment and returns
 * the whole payload once complete. Everything it holds is bounded (bytes, fragments per datagram, datagrams
 * in flight, time), and a fragment that overlaps another drops the whole datagram.
 *
 * <p>{@link dev.morgana.net.tcpip.ipv4.Ipv4Layer} is the shell over Ethernet, ARP, the clock and timers:
 * checks, routing (on-link or the gateway, broadcast and multicast without ARP), fragmentation on send, a
 * bounded queue of datagrams waiting on ARP, and a counter for every drop. Its
 * {@link dev.morgana.net.tcpip.ipv4.Ipv4Addressing} face is the hook through which DHCP readdresses it.
 *
 * <p>Not exported: other layers and applications see {@code dev.morgana.api.net.Ipv4} only.
 */
package dev.morgana.net.tcpip.ipv4;

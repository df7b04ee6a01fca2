/**
 * Morgana's own TCP/IP stack: IPv4 (fragmentation, reassembly, routing), ICMP, UDP, TCP (RFC 9293) and a
 * DHCP client, as sans-IO cores driven by one event loop per stack: the functors ETHERNET + ARP → IPV4 →
 * UDP/TCP → STACK.
 *
 * <p>Nothing lives here yet; issues #7 and #8 bring the protocols.
 */
package dev.morgana.net.tcpip;

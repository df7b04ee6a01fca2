/**
 * Morgana's own TCP/IP stack: IPv4 (fragmentation, reassembly, routing), ICMP, UDP, TCP (RFC 9293) and a
 * DHCP client, as sans-IO cores driven by one event loop per stack: the functors ETHERNET + ARP → IPV4 →
 * UDP/TCP → STACK.
 *
 * <p>Here so far: {@link dev.morgana.net.tcpip.IcmpModule} (IPV4 → ICMP) and
 * {@link dev.morgana.net.tcpip.UdpModule} (IPV4 + ICMP → UDP). Issues #7 and #8 bring the rest.
 */
package dev.morgana.net.tcpip;

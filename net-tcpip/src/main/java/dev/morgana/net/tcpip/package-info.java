/**
 * Morgana's own TCP/IP stack: IPv4 (fragmentation, reassembly, routing), ICMP, UDP, TCP (RFC 9293) and a
 * DHCP client, as sans-IO cores (each behind a lock until the stack has its one event loop; see README's
 * notes on DESIGN §5): the functors ETHERNET + ARP → IPV4 → UDP/TCP → STACK.
 *
 * <h2>IPv4</h2>
 * <p>{@link dev.morgana.net.tcpip.Ipv4Module} (ETHERNET + ARP → IPV4) is configured by
 * {@link dev.morgana.net.tcpip.Ipv4Config}: an address and on-link network, a default gateway, the TTL, and
 * the bounds of reassembly and of the queue of datagrams waiting on ARP. A stack addressed by DHCP starts
 * {@link dev.morgana.net.tcpip.Ipv4Config#unconfigured() unconfigured}, sends and receives broadcasts from
 * 0.0.0.0, and is readdressed at run time through the module-internal {@code Ipv4Addressing} hook, which the
 * module exposes beside {@code Ipv4}. See the {@code ipv4} package for how datagrams are checked, routed,
 * fragmented and reassembled.
 *
 * <h2>ICMP and UDP</h2>
 * <p>{@link dev.morgana.net.tcpip.IcmpModule} (IPV4 → ICMP) answers echo requests and sends rate-limited
 * errors; {@link dev.morgana.net.tcpip.UdpModule} (IPV4 + ICMP → UDP) carries datagrams, with port
 * unreachables for closed ports. See the {@code icmp} and {@code udp} packages.
 *
 * <h2>DHCP</h2>
 * <p>{@link dev.morgana.net.tcpip.DhcpModule} addresses an unconfigured IPv4 layer: a client on UDP port 68
 * that leases an address, renews and rebinds it, gives it up when refused or expired, and releases it when
 * stopped. The {@code direct} target applies it for {@code --dhcp}:
 * <pre>{@code
 * new Ipv4Module(Ipv4Config.unconfigured()), new IcmpModule(), new UdpModule(), new DhcpModule()
 * }</pre>
 * See the {@code dhcp} package.
 */
package dev.morgana.net.tcpip;

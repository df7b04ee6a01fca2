/**
 * The DHCP client (RFC 2131, options of RFC 2132): the wire format and a core that does no I/O.
 *
 * <p>{@link dev.morgana.net.tcpip.dhcp.DhcpPacket} is the view of a message's fixed part and
 * {@link dev.morgana.net.tcpip.dhcp.DhcpMessage} the validated record, with its options as
 * {@link dev.morgana.net.tcpip.dhcp.DhcpOption}s in the order they came. A client meets hostile bytes from
 * anyone on its link, so parsing checks everything it reads and throws only
 * {@link dev.morgana.api.net.MalformedPacketException}.
 *
 * <p>{@link dev.morgana.net.tcpip.dhcp.DhcpCore} is the client's state machine. It is fed the time and
 * what happened (started, a message received, a timer, an address conflict, stopped) and answers with
 * {@link dev.morgana.net.tcpip.dhcp.DhcpCore.Actions}: messages to send from port 68 to port 67 with their
 * IPv4 source and destination (0.0.0.0 to 255.255.255.255 until bound; unicast to the server when
 * renewing and releasing), {@link dev.morgana.net.tcpip.dhcp.DhcpCore.LeaseEvent}s that say how to
 * configure IPv4 ({@link dev.morgana.net.tcpip.dhcp.DhcpLease}: address, prefix, routers, DNS servers,
 * MTU), and when to call it next. The shell that wires it to UDP and IPv4 reads no more than that: the
 * core owns every RFC timer, and a seeded random generator makes it replayable in simulations.
 *
 * <p>{@link dev.morgana.net.tcpip.dhcp.DhcpLayer} is that shell, a service applied by
 * {@code dev.morgana.net.tcpip.DhcpModule}: port 68 on the stack's UDP, the core's deadlines on the
 * target's {@code Timers}, lease events applied through the IPv4 layer's module-internal
 * {@code Ipv4Addressing} and reported on the {@code Console}.
 */
package dev.morgana.net.tcpip.dhcp;

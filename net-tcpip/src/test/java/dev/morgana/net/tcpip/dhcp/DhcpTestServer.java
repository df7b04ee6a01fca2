package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small DHCP server (RFC 2131 §4.3) for the simulations, as a function of time and request: one binding per
 * client, addresses handed out in order from 10.0.0.10 in 10.0.0.0/24, with itself as the router; it refuses
 * with a NAK what it does not know (a lost binding, an address it did not offer) and ignores requests for
 * another server. It does no I/O: {@link DhcpSimulationPropertiesTest} feeds it bytes off a simulated channel,
 * {@link DhcpOverSwitchPropertiesTest} runs it on a stack node, sending its replies where {@link #destination}
 * says.
 */
final class DhcpTestServer {

    static final long S = DhcpCore.SECOND;
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address MASK = Ipv4Address.parse("255.255.255.0");

    record Binding(Ipv4Address address, long expires) {}

    final long leaseSeconds;
    final boolean sendTimes;
    final Map<MacAddress, Binding> bindings = new HashMap<>();
    final Map<MacAddress, Ipv4Address> offered = new HashMap<>();
    /** The earliest expiry the server granted in an ACK for each xid: no lease from that xid may outlive it. */
    final Map<Integer, Long> granted = new HashMap<>();
    int nextHost = 10;

    /**
     * A server with no bindings.
     *
     * @param leaseSeconds the lease time of every ACK
     * @param sendTimes whether ACKs carry T1 (a third of the lease) and T2 (three quarters) or leave the client
     *     its defaults (a half and seven eighths)
     */
    DhcpTestServer(long leaseSeconds, boolean sendTimes) {
        this.leaseSeconds = leaseSeconds;
        this.sendTimes = sendTimes;
    }

    Optional<DhcpMessage> answer(long now, DhcpMessage request) {
        MacAddress client = request.clientMac();
        Binding binding = bindings.get(client);
        if (binding != null && now - binding.expires() >= 0) {
            bindings.remove(client);
            binding = null;
        }
        Optional<Ipv4Address> requested = request.option(DhcpOption.RequestedAddress.class)
                .map(DhcpOption.RequestedAddress::address);
        switch (request.type()) {
            case DISCOVER -> {
                Ipv4Address address = binding != null ? binding.address()
                        : offered.computeIfAbsent(client, c -> Ipv4Address.of(10, 0, 0, nextHost++));
                return Optional.of(reply(Type.OFFER, request, address));
            }
            case REQUEST -> {
                Optional<Ipv4Address> server = request.serverIdentifier();
                if (server.isPresent()) { // SELECTING: our offer taken, or another server's
                    if (!server.get().equals(SERVER)) {
                        return Optional.empty();
                    }
                    Ipv4Address address = binding != null ? binding.address() : offered.get(client);
                    if (address == null || !requested.equals(Optional.of(address))) {
                        return Optional.of(reply(Type.NAK, request, Ipv4Address.ANY));
                    }
                    return Optional.of(bind(now, request, address));
                }
                // INIT-REBOOT names the address in option 50, RENEWING and REBINDING in ciaddr.
                Ipv4Address address = request.clientAddress().isUnspecified() ? requested.orElse(Ipv4Address.ANY)
                        : request.clientAddress();
                if (binding == null || !binding.address().equals(address)) {
                    return Optional.of(reply(Type.NAK, request, Ipv4Address.ANY));
                }
                return Optional.of(bind(now, request, address));
            }
            case RELEASE, DECLINE -> {
                bindings.remove(client);
                offered.remove(client);
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /**
     * Where a reply goes, by RFC 2131 §4.1 with no relay (giaddr 0): a NAK to the limited broadcast; other
     * replies to ciaddr when the client has one (it is RENEWING or REBINDING), else to the broadcast when the
     * client set the broadcast bit. Without the bit the server would unicast to chaddr and yiaddr without ARP,
     * which an IPv4 layer cannot; §4.1 lets it broadcast instead.
     */
    static Ipv4Address destination(DhcpMessage request, DhcpMessage reply) {
        if (reply.type() == Type.NAK || request.clientAddress().isUnspecified()) {
            return Ipv4Address.BROADCAST;
        }
        return request.clientAddress();
    }

    private DhcpMessage bind(long now, DhcpMessage request, Ipv4Address address) {
        long expires = now + leaseSeconds * S;
        bindings.put(request.clientMac(), new Binding(address, expires));
        offered.remove(request.clientMac());
        granted.merge(request.xid(), expires, (a, b) -> a - b <= 0 ? a : b);
        return reply(Type.ACK, request, address);
    }

    private DhcpMessage reply(Type type, DhcpMessage request, Ipv4Address address) {
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption.ServerIdentifier(SERVER));
        if (type != Type.NAK) {
            options.add(new DhcpOption.LeaseTime(leaseSeconds));
            if (sendTimes) {
                options.add(new DhcpOption.RenewalTime(leaseSeconds / 3));
                options.add(new DhcpOption.RebindingTime(leaseSeconds * 3 / 4));
            }
            options.add(new DhcpOption.SubnetMask(MASK));
            options.add(new DhcpOption.Routers(List.of(SERVER)));
        }
        return new DhcpMessage(DhcpPacket.BOOTREPLY, type, request.xid(), 0, request.flags(), request.clientAddress(),
                address, Ipv4Address.ANY, Ipv4Address.ANY, request.clientMac(), options);
    }
}

package dev.morgana.net.tcpip.ipv4;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import java.util.Optional;

/**
 * The hook through which the IPv4 layer's addressing changes at run time: what a DHCP client calls when it
 * gets, renews with new values, or loses a lease. Module-internal (this package is not exported): the
 * {@code Ipv4Module} exposes it, unqualified, next to {@code Ipv4}, so that a DHCP functor in this module can
 * {@code requireBinding(Ipv4Addressing.class)}; applications cannot name it.
 *
 * <p>A change takes effect for the next datagram sent or received; datagrams being reassembled or waiting
 * on ARP are not touched. The old address stops being answered for in ARP and the new one is added (and
 * announced with a gratuitous ARP). Any thread may call it.
 */
public interface Ipv4Addressing {

    /**
     * Gives the layer an address, its on-link network and a default gateway.
     *
     * @param address this host's address
     * @param network the on-link network containing it
     * @param gateway the default router, on-link, or empty
     * @throws IllegalArgumentException when they do not fit together (see {@code Ipv4Config})
     */
    void assign(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway);

    /**
     * Takes the address away (a lease expired or was refused): the layer goes back to 0.0.0.0, which sends
     * and receives broadcasts only.
     */
    void unassign();
}

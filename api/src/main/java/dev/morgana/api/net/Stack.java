package dev.morgana.api.net;

import java.util.Optional;

/**
 * STACK: the bundle of network services an application asks for.
 *
 * <p>On the {@code direct} and {@code xen} targets the stack is Morgana's own, and {@link #ipv4()} is
 * present. On the {@code unix} target the host kernel owns IP, so only UDP and TCP are offered.
 */
public interface Stack {

    /**
     * Returns the IPv4 layer, where the stack is Morgana's own.
     *
     * @return the layer, or empty on host-socket targets
     */
    Optional<Ipv4> ipv4();

    /**
     * Returns UDP.
     *
     * @return the UDP layer
     */
    Udp udp();

    /**
     * Returns TCP.
     *
     * @return the TCP layer
     */
    Tcp tcp();
}

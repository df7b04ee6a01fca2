package dev.morgana.api.net;

import java.util.Optional;
import java.util.Set;

/**
 * ARP (RFC 826): resolves IPv4 addresses on the local link to MAC addresses, and answers for ours.
 *
 * <p>Thread safety: every method may be called from any thread; {@link Resolution} callbacks run on the
 * stack's event-loop thread and must not block.
 */
public interface Arp {

    /**
     * Returns the cached MAC of {@code address} without sending anything.
     *
     * @param address an address on the local link
     * @return the MAC if the cache holds a live entry
     */
    Optional<MacAddress> lookup(Ipv4Address address);

    /**
     * Resolves {@code address}: from the cache if it can, otherwise by sending requests with the configured
     * retries and timeout. Exactly one of the callback's methods is called, once.
     *
     * @param address an address on the local link
     * @param resolution told the result
     */
    void resolve(Ipv4Address address, Resolution resolution);

    /**
     * Returns the addresses ARP answers for.
     *
     * @return an immutable snapshot
     */
    Set<Ipv4Address> addresses();

    /**
     * Starts answering for {@code address} and announces it with a gratuitous ARP.
     *
     * @param address one of our own addresses
     */
    void addAddress(Ipv4Address address);

    /**
     * Stops answering for {@code address}.
     *
     * @param address an address previously added; removing an unknown address does nothing
     */
    void removeAddress(Ipv4Address address);

    /**
     * Sends a gratuitous ARP for {@code address}, so that neighbours update their caches.
     *
     * @param address one of our own addresses
     * @throws IllegalArgumentException when {@code address} is not one of ours
     */
    void announce(Ipv4Address address);

    /** The outcome of {@link #resolve}. */
    interface Resolution {

        /**
         * The address resolved.
         *
         * @param mac the MAC it belongs to
         */
        void resolved(MacAddress mac);

        /**
         * The address did not resolve.
         *
         * @param error {@link NetworkException.Reason#TIMED_OUT} when every retry went unanswered,
         *     {@link NetworkException.Reason#UNREACHABLE} when too many resolutions already wait (the
         *     layer's queues are bounded; try again later), {@link NetworkException.Reason#CLOSED} when the
         *     layer stopped first
         */
        void failed(NetworkException error);
    }
}

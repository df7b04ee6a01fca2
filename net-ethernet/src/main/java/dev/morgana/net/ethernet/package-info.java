/**
 * Ethernet II framing and ARP (RFC 826) over a {@code Network}: the functors NETWORK → ETHERNET and
 * ETHERNET → ARP of the {@code direct} and {@code xen} targets.
 *
 * <p>Nothing lives here yet; issue #6 brings the Ethernet view and header record, dispatch by EtherType,
 * and ARP as a sans-IO core with a bounded cache.
 */
package dev.morgana.net.ethernet;

/**
 * Ethernet II framing and ARP over a {@code Network}: the functors NETWORK → ETHERNET
 * ({@link dev.morgana.net.ethernet.EthernetModule}) and ETHERNET → ARP
 * ({@link dev.morgana.net.ethernet.ArpModule}) of the {@code direct} and {@code xen} targets, with their
 * typed configuration.
 *
 * <h2>Ethernet</h2>
 * <p>Every received frame is read in place through a view of static accessors (no header object, no
 * copy); frames for our MAC, broadcast and the configured multicast groups are handed to the handler
 * registered for their EtherType as a slice of the frame. 802.1Q tags are recognised: a frame tagged with
 * the configured VLAN is accepted with its tag removed, others are dropped; priority tags (VLAN 0) count as
 * untagged. Frames are sent untagged, and padded with zeros to the 60-byte minimum. Everything dropped is
 * counted by reason.
 *
 * <h2>ARP</h2>
 * <p>A sans-IO core (RFC 826's reception algorithm; RFC 5227's probes, announcements and conflicts) takes
 * the time and one event and returns what to do: packets to send, resolutions to complete, the next
 * deadline. A thin shell feeds it from Ethernet, {@code Clock} and {@code Timers}, and performs its actions.
 * The cache of learned entries is bounded with LRU eviction; static entries are never overridden; the
 * resolutions waiting on an answer are bounded per address and in total. An address is used as soon as it is
 * added and announced once: RFC 5227's probing before use (§2.1) is not done, because {@code addAddress}
 * has no way to report a conflict found before the address is in use; conflicts found afterwards are
 * logged, counted and defended with one announcement per ten seconds (§2.4 (b)). Until the stack has its event
 * loop, the shell serialises the core with a lock, and callbacks run on the thread of the event that
 * completed them (see the shell's documentation).
 *
 * <p>The wire formats (views and records), the layers and the core live in an unexported package.
 */
package dev.morgana.net.ethernet;

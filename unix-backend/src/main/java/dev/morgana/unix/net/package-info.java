/**
 * UDP and TCP over the host's sockets, with Netty as the event loop: the network half of the {@code unix}
 * target. {@link dev.morgana.unix.net.UnixStackModule} provides {@code Stack}, {@code Tcp} and
 * {@code Udp}.
 *
 * <p>Netty's event loop plays the part that Morgana's own stack gives its event-loop thread (DESIGN §5):
 * it owns the sockets, and UDP handlers run on it. Each TCP connection is a blocking {@code Flow} used
 * from a virtual thread: received buffers are queued for the reader (reading stops at a high-water mark
 * and resumes below a low one, so a slow application bounds its own memory), and writes wait while
 * Netty's outbound buffer is above its high-water mark, so a peer that does not read bounds ours.
 * Native epoll is used where it loads, NIO otherwise; the choice is logged on the console.
 */
package dev.morgana.unix.net;

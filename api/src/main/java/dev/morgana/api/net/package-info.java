/**
 * The network signatures, from the device up to the application: NETWORK ({@link dev.morgana.api.net.Network},
 * Ethernet frames in and out of a device), ETHERNET, ARP, IPV4, ICMP, UDP, TCP, FLOW and STACK, with the
 * value types they speak in ({@link dev.morgana.api.net.MacAddress}, {@link dev.morgana.api.net.Ipv4Address},
 * {@link dev.morgana.api.net.Ipv4Prefix}, {@link dev.morgana.api.net.Endpoint}) and their errors.
 *
 * <h2>Threads</h2>
 * <p>A network stack is owned by one event-loop thread. The handlers that lower layers call
 * ({@link dev.morgana.api.net.Network.FrameHandler}, {@link dev.morgana.api.net.Udp.DatagramHandler}, …) run
 * on that thread, one at a time, and must not block. Applications use the blocking
 * {@link dev.morgana.api.net.Flow} on virtual threads.
 *
 * <h2>Buffers</h2>
 * <p>Received data is a slice of the received frame, valid only during the handler call that delivers it;
 * copy what you keep. On send, the lower layer allocates the buffer and the caller fills it through a
 * {@link dev.morgana.api.net.Fill}, so that headers and payload are written once, in place.
 *
 * <h2>Errors</h2>
 * <p>I/O failures are {@link dev.morgana.api.net.NetworkException}s with a
 * {@link dev.morgana.api.net.NetworkException.Reason}. Hostile bytes are
 * {@link dev.morgana.api.net.MalformedPacketException}s, caught, counted and dropped inside the layer that
 * parses them; they never reach an application.
 */
package dev.morgana.api.net;

/**
 * NETWORK over a Linux TAP device: {@link dev.morgana.unix.tap.TapModule} opens or creates a named TAP
 * through {@code /dev/net/tun} with the FFM API and serves it as a {@link dev.morgana.api.net.Network},
 * the device under the {@code direct} target's own stack.
 *
 * <p>A TAP is a virtual Ethernet link with the Linux kernel at one end and this process at the other: the
 * kernel sees an interface ({@code ip link show NAME}) whose frames come from our writes, and every frame
 * it sends out of that interface is one read of our descriptor. The interface's own MAC address belongs to
 * the kernel's side; the unikernel has its own ({@link dev.morgana.unix.tap.TapConfig#mac()}), random and
 * locally administered unless configured, as a second machine on the wire would.
 *
 * <p>Frames are received on one platform thread per device, into native memory, and delivered as
 * read-only slices valid during the handler's call; writers fill pooled native buffers that go to the
 * kernel with one {@code write(2)}. The descriptor stays valid after the interface moves to another network
 * namespace ({@code ip link set NAME netns NS}), which is how the tests give the kernel's stack its own
 * namespace. Stopping the device wakes its thread through an {@code eventfd} it polls beside the TAP, so
 * stopping is prompt even when no frame comes. Opening fails with a {@code NetworkException} whose message
 * says what to do: no {@code /dev/net/tun}, no {@code CAP_NET_ADMIN}, a name taken by another kind of
 * interface, a TAP another process holds, an MTU the kernel refuses.
 */
package dev.morgana.unix.tap;

package dev.morgana.unix.tap;

import dev.morgana.api.net.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What TAP device to open and how: its name, and optionally its MTU, the MAC address the unikernel uses
 * on it and how many frame buffers it pools.
 *
 * <p>Start from {@link #named(String)}, then {@code withMtu}, {@code withMac}, {@code withBuffers}:
 * {@code TapConfig.named("tap0").withMtu(1500)}.
 *
 * @param name the interface name: 1 to 15 bytes, no {@code /}, {@code :} or white space, not {@code .} or
 *     {@code ..}; a {@code %d} in it lets the kernel pick a free number ({@code mt%d} becomes {@code mt0})
 * @param mtu the MTU to set on the interface when the device starts, 68 to 65521; empty leaves the
 *     interface's MTU as it is (1500 for a new TAP) and reads it
 * @param mac the unikernel's own MAC address, a unicast one; empty makes up a random locally-administered
 *     unicast address from {@code Entropy} when the device starts. It is not the Linux interface's MAC,
 *     which belongs to the host side of the link
 * @param buffers how many native frame buffers writers share, 1 to 4096; a write finding none free is
 *     dropped and counted, like a full transmit ring
 */
public record TapConfig(String name, OptionalInt mtu, Optional<MacAddress> mac, int buffers) {

    /** The buffers writers share unless configured: enough for as many concurrent writers. */
    public static final int DEFAULT_BUFFERS = 64;

    /** The smallest MTU an IPv4 link may have (RFC 791). */
    public static final int MIN_MTU = 68;

    /** The largest MTU of a Linux TAP device: 65535 less the 14-byte Ethernet header. */
    public static final int MAX_MTU = 65521;

    private static final int MAX_BUFFERS = 4096;
    /** {@code IFNAMSIZ}: a name with its terminating NUL. */
    private static final int IFNAMSIZ = 16;

    /**
     * Checks everything.
     *
     * @throws IllegalArgumentException when a value is out of range or the name is not a valid interface name
     */
    public TapConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mtu, "mtu");
        Objects.requireNonNull(mac, "mac");
        checkName(name);
        if (mtu.isPresent() && (mtu.getAsInt() < MIN_MTU || mtu.getAsInt() > MAX_MTU)) {
            throw new IllegalArgumentException("a TAP device's MTU is " + MIN_MTU + " to " + MAX_MTU + ", got "
                    + mtu.getAsInt());
        }
        if (mac.isPresent() && mac.get().isMulticast()) {
            throw new IllegalArgumentException("a device's own MAC address is unicast, got " + mac.get()
                    + " (the lowest bit of its first byte is the group bit)");
        }
        if (buffers < 1 || buffers > MAX_BUFFERS) {
            throw new IllegalArgumentException("a TAP device pools 1 to " + MAX_BUFFERS + " buffers, got " + buffers);
        }
    }

    /**
     * The TAP device {@code name}, with the interface's own MTU, a random MAC and {@value #DEFAULT_BUFFERS}
     * buffers.
     *
     * @param name the interface name (see the record's description)
     * @return the configuration
     * @throws IllegalArgumentException when the name is not a valid interface name
     */
    public static TapConfig named(String name) {
        return new TapConfig(name, OptionalInt.empty(), Optional.empty(), DEFAULT_BUFFERS);
    }

    /**
     * The same device with its MTU set when it starts.
     *
     * @param mtu 68 to 65521
     * @return a new configuration
     */
    public TapConfig withMtu(int mtu) {
        return new TapConfig(name, OptionalInt.of(mtu), mac, buffers);
    }

    /**
     * The same device with a fixed MAC address for the unikernel.
     *
     * @param mac a unicast address
     * @return a new configuration
     */
    public TapConfig withMac(MacAddress mac) {
        return new TapConfig(name, mtu, Optional.of(mac), buffers);
    }

    /**
     * The same device with another number of pooled write buffers.
     *
     * @param buffers 1 to 4096
     * @return a new configuration
     */
    public TapConfig withBuffers(int buffers) {
        return new TapConfig(name, mtu, mac, buffers);
    }

    // The kernel's dev_valid_name, checked here so that a typo fails at configuration with a reason.
    private static void checkName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes >= IFNAMSIZ) {
            throw new IllegalArgumentException("an interface name has 1 to " + (IFNAMSIZ - 1)
                    + " bytes, got " + bytes + " in \"" + name + "\"");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("an interface cannot be named \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("an interface name has no '/', ':', NUL or white space, got \""
                        + name + "\"");
            }
        }
    }
}

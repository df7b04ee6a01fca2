package dev.morgana.unix;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.runtime.Target;
import dev.morgana.unix.tap.TapConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code direct} target needs to know: the TAP device to open and the stack's IPv4 addressing,
 * static or by DHCP. Parsed once, at the edge, from a command line ({@link #parse}), or built in code.
 *
 * @param tap the TAP device: its name, and optionally its MTU and the unikernel's MAC address
 * @param ipv4 the static addressing (address, on-link network, optional default gateway), or
 *     {@link Ipv4Config#unconfigured()} for the stack to ask DHCP for one
 */
public record DirectConfig(TapConfig tap, Ipv4Config ipv4) {

    /** The options {@link #parse} takes, for {@code --help}. */
    public static final String USAGE = """
            direct target options (--tap, and --ip or --dhcp, are required with --target direct):
              --tap NAME              the TAP device to open, created if missing (needs CAP_NET_ADMIN)
              --ip ADDRESS/PREFIX     the unikernel's IPv4 address and on-link network, e.g. 192.0.2.2/24
              --dhcp                  ask a DHCP server for the address, network and gateway instead
              --gateway ADDRESS       the default router, on-link (default: none, on-link only)
              --mtu BYTES             set the TAP's MTU, 68 to 65521 (default: the interface's own)
              --mac ADDRESS           the unikernel's MAC address (default: a random local one)
            """;

    /** Checks that both parts are present. */
    public DirectConfig {
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(ipv4, "ipv4");
    }

    /**
     * Returns whether the stack asks DHCP for its addressing.
     *
     * @return true when {@link #ipv4()} is unconfigured
     */
    public boolean dhcp() {
        return ipv4.address().isUnspecified();
    }

    /**
     * A command line's direct-target options and the arguments that were not among them.
     *
     * @param config the configuration, or empty when no direct option was given
     * @param rest the other arguments, in order
     */
    public record Parsed(Optional<DirectConfig> config, List<String> rest) {

        /** Copies the list. */
        public Parsed {
            Objects.requireNonNull(config, "config");
            rest = List.copyOf(rest);
        }

        /**
         * The {@code direct} target with this configuration. Without one, choosing the target fails with an
         * {@link IllegalArgumentException} that names the missing options, which the launcher reports as a
         * usage error; the other targets of the same command line are unaffected.
         *
         * @return the target
         */
        public Target target() {
            return new Target(UnixTargets.DIRECT, UnixTargets.DIRECT_DESCRIPTION, () -> UnixTargets.directModules(
                    config.orElseThrow(() -> new IllegalArgumentException(
                            "the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp"))));
        }
    }

    /**
     * Takes the direct target's options ({@link #USAGE}) out of a command line.
     *
     * @param args the command line
     * @return the configuration, empty when none of its options was given, and the other arguments
     * @throws IllegalArgumentException when an option lacks its value or has an invalid one, is repeated,
     *     or some were given without {@code --tap} and one of {@code --ip} and {@code --dhcp}, or with both
     */
    public static Parsed parse(List<String> args) {
        String tap = null;
        String ip = null;
        String gateway = null;
        String mtu = null;
        String mac = null;
        boolean dhcp = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--dhcp" -> {
                    if (dhcp) {
                        throw new IllegalArgumentException("--dhcp is given twice");
                    }
                    dhcp = true;
                }
                case "--tap", "--ip", "--gateway", "--mtu", "--mac" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    String value = args.get(++i);
                    String previous = switch (arg) {
                        case "--tap" -> tap;
                        case "--ip" -> ip;
                        case "--gateway" -> gateway;
                        case "--mtu" -> mtu;
                        default -> mac;
                    };
                    if (previous != null) {
                        throw new IllegalArgumentException(arg + " is given twice");
                    }
                    switch (arg) {
                        case "--tap" -> tap = value;
                        case "--ip" -> ip = value;
                        case "--gateway" -> gateway = value;
                        case "--mtu" -> mtu = value;
                        default -> mac = value;
                    }
                }
                default -> rest.add(arg);
            }
        }
        if (tap == null && ip == null && gateway == null && mtu == null && mac == null && !dhcp) {
            return new Parsed(Optional.empty(), rest);
        }
        if (ip != null && dhcp) {
            throw new IllegalArgumentException("--ip and --dhcp exclude each other: the address is given or asked for");
        }
        if (gateway != null && dhcp) {
            throw new IllegalArgumentException("--gateway goes with --ip: with --dhcp the server gives the gateway");
        }
        if (tap == null || ip == null && !dhcp) {
            throw new IllegalArgumentException("the direct target needs --tap NAME, and --ip ADDRESS/PREFIX or --dhcp");
        }
        TapConfig device = tapConfig(tap);
        if (mtu != null) {
            device = device.withMtu(mtu(mtu));
        }
        if (mac != null) {
            device = device.withMac(mac(mac));
        }
        Ipv4Config addressing = dhcp ? Ipv4Config.unconfigured() : addressing(ip);
        if (gateway != null) {
            addressing = withGateway(addressing, gateway);
        }
        return new Parsed(Optional.of(new DirectConfig(device, addressing)), rest);
    }

    private static TapConfig tapConfig(String name) {
        try {
            return TapConfig.named(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tap: " + e.getMessage(), e);
        }
    }

    private static int mtu(String value) {
        try {
            int mtu = Integer.parseInt(value);
            if (mtu >= TapConfig.MIN_MTU && mtu <= TapConfig.MAX_MTU) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--mtu needs a number from " + TapConfig.MIN_MTU + " to "
                + TapConfig.MAX_MTU + ", got \"" + value + "\"");
    }

    private static MacAddress mac(String value) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mac needs a MAC address such as 02:00:00:00:00:02, got \""
                    + value + "\"", e);
        }
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("--mac needs a unicast address (lowest bit of the first byte clear), got "
                    + mac);
        }
        return mac;
    }

    // ADDRESS/PREFIX as ip(8) writes it: the host's own address with the length of its network.
    private static Ipv4Config addressing(String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"" + value
                    + "\" (no prefix length)");
        }
        Ipv4Address address;
        int length;
        try {
            address = Ipv4Address.parse(value.substring(0, slash));
            length = Integer.parseInt(value.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"" + value + "\"",
                    e);
        }
        if (length < 1 || length > 32) {
            throw new IllegalArgumentException("--ip: the prefix length is 1 to 32, got " + length);
        }
        try {
            return Ipv4Config.of(address, length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ip " + value + ": " + e.getMessage(), e);
        }
    }

    private static Ipv4Config withGateway(Ipv4Config addressing, String value) {
        Ipv4Address router;
        try {
            router = Ipv4Address.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--gateway needs an IPv4 address such as 192.0.2.1, got \"" + value
                    + "\"", e);
        }
        try {
            return addressing.withGateway(router);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--gateway " + value + ": " + e.getMessage(), e);
        }
    }
}

package dev.morgana.unix;

import com.google.inject.Module;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.DhcpModule;
import dev.morgana.net.tcpip.IcmpModule;
import dev.morgana.net.tcpip.Ipv4Module;
import dev.morgana.net.tcpip.StackModule;
import dev.morgana.net.tcpip.TcpModule;
import dev.morgana.net.tcpip.UdpModule;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.unix.net.UnixStackModule;
import dev.morgana.unix.tap.TapModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The targets this backend offers. A disk or a folder needs a path that only the application knows, so
 * a target holds the network and the JVM basics, and an application adds, for example,
 * {@code FileBlockModule} or {@code FolderKvModule.readOnly(path)} to the list for what it uses.
 */
public final class UnixTargets {

    /** The {@code direct} target's name. */
    static final String DIRECT = "direct";

    /** The {@code direct} target's line in {@code --help}. */
    static final String DIRECT_DESCRIPTION =
            "Morgana's own IPv4, ICMP, UDP, TCP and DHCP over a Linux TAP device (CAP_NET_ADMIN)";

    private UnixTargets() {}

    /**
     * The {@code unix} target's modules: the JVM basics and the host-socket stack.
     *
     * @return the functors, ready for {@link dev.morgana.runtime.Unikernel#of}
     */
    public static List<Module> unixModules() {
        return List.of(new JvmModule(), new UnixStackModule());
    }

    /**
     * The {@code unix} target: an ordinary process on the host's sockets; no privileges needed.
     *
     * @return the target, for {@link dev.morgana.runtime.Launcher}
     */
    public static Target unix() {
        return new Target("unix", "an ordinary process on the host's TCP/IP stack (Netty)", UnixTargets::unixModules);
    }

    /**
     * The {@code direct} target's modules: the JVM basics, the TAP as NETWORK, then Morgana's own stack
     * NETWORK → ETHERNET → ARP → IPV4 → ICMP, UDP and TCP → STACK, addressed statically or, when the
     * configuration's IPv4 is {@linkplain DirectConfig#dhcp() unconfigured}, by the DHCP client
     * ({@code DhcpModule}) over that UDP.
     *
     * <p>It provides what the {@code unix} target does ({@code Stack}, {@code Tcp}, {@code Udp}) and the layers
     * below them: {@code Icmp}, {@code Ipv4}, {@code Arp}, {@code Ethernet} and {@code Network}.
     *
     * @param config the TAP device and the addressing
     * @return the functors, ready for {@link dev.morgana.runtime.Unikernel#of}
     */
    public static List<Module> directModules(DirectConfig config) {
        List<Module> modules = new ArrayList<>(List.of(new JvmModule(),
                new TapModule(config.tap()),
                new EthernetModule(),
                new ArpModule(),
                new Ipv4Module(config.ipv4()),
                new IcmpModule(),
                new UdpModule(),
                new TcpModule(),
                new StackModule()));
        if (config.dhcp()) {
            modules.add(new DhcpModule());
        }
        return List.copyOf(modules);
    }

    /**
     * The {@code direct} target: Morgana's own stack over a Linux TAP device, as {@link #directModules}
     * assembles it. Opening the TAP needs {@code CAP_NET_ADMIN} (or a TAP made beforehand for the user) and
     * {@code --enable-native-access=dev.morgana.unix}. A command line's options become the configuration
     * through {@link DirectConfig#parse}, whose {@link DirectConfig.Parsed#target()} is this target.
     *
     * @param config the TAP device and the addressing
     * @return the target, for {@link dev.morgana.runtime.Launcher}
     */
    public static Target direct(DirectConfig config) {
        return new Target(DIRECT, DIRECT_DESCRIPTION, () -> directModules(config));
    }
}

/** Morgana TCP/IP: see the documentation of package {@code dev.morgana.net.tcpip}. */
module dev.morgana.net.tcpip {
    requires transitive dev.morgana.api;
    // The functors are Guice modules, so Guice is part of this module's API.
    requires transitive com.google.guice;
    requires jakarta.inject;

    exports dev.morgana.net.tcpip;
    // The protocol packages under dev.morgana.net.tcpip and dev.morgana.net.tcpip.internal (what they share:
    // the Internet checksum) are not exported: other modules see the signatures only.

    // Guice constructs the layers, and calls StackModule's provider method.
    opens dev.morgana.net.tcpip to com.google.guice;
    opens dev.morgana.net.tcpip.ipv4 to com.google.guice;
    opens dev.morgana.net.tcpip.icmp to com.google.guice;
    opens dev.morgana.net.tcpip.udp to com.google.guice;
    opens dev.morgana.net.tcpip.dhcp to com.google.guice;
    opens dev.morgana.net.tcpip.tcp to com.google.guice;
}

/** Morgana Ethernet and ARP: see the documentation of package {@code dev.morgana.net.ethernet}. */
module dev.morgana.net.ethernet {
    requires transitive dev.morgana.api;
    // The functors are Guice modules, so Guice is part of this module's API.
    requires transitive com.google.guice;
    requires jakarta.inject;

    exports dev.morgana.net.ethernet;
    // dev.morgana.net.ethernet.internal (the wire views and records, the layers, the ARP core) is not
    // exported: applications and other layers see the Ethernet and Arp signatures only.

    // Guice constructs the package-private layers.
    opens dev.morgana.net.ethernet.internal to com.google.guice;
}

/** Morgana Ethernet and ARP: see the documentation of package {@link dev.morgana.net.ethernet}. */
module dev.morgana.net.ethernet {
    requires dev.morgana.api;

    exports dev.morgana.net.ethernet;
}

/** Morgana Ethernet and ARP: see the documentation of package {@code dev.morgana.net.ethernet}. */
module dev.morgana.net.ethernet {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.net.ethernet is exported with issue #6.
}

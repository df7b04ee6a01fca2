/** Morgana TCP/IP: see the documentation of package {@code dev.morgana.net.tcpip}. */
module dev.morgana.net.tcpip {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.net.tcpip is exported with issue #7.
}

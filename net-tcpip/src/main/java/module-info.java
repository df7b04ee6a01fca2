/** Morgana TCP/IP: see the documentation of package {@code dev.morgana.net.tcpip}. */
module dev.morgana.net.tcpip {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.net.tcpip (the functors and their configuration) is exported with issue #7; the protocol
    // packages under it and dev.morgana.net.tcpip.internal (what they share: the Internet checksum) are not.
}

/** Morgana TCP/IP: see the documentation of package {@link dev.morgana.net.tcpip}. */
module dev.morgana.net.tcpip {
    requires dev.morgana.api;

    exports dev.morgana.net.tcpip;
}

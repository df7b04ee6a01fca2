/**
 * Host implementations of Morgana's signatures and the {@code unix} and {@code direct} targets: TCP and UDP
 * over the host's sockets (Netty), BLOCK over a disk image in a file, key-value stores over host folders,
 * and NETWORK over a Linux TAP device, under Morgana's own stack for {@code direct}. Run on the
 * module path with {@code --add-modules io.netty.transport.epoll.linux.x86_64} so that Netty's native
 * epoll can load; without it Netty uses NIO, and says so on the console. Applications that use a file
 * block device or a TAP device ({@code TapModule}) also need {@code --enable-native-access=dev.morgana.unix}:
 * discards punch holes with {@code fallocate(2)}, and a TAP is opened, read and written, through the FFM
 * API, whose downcalls are restricted methods. With
 * {@code --add-opens java.base/java.lang=dev.morgana.unix}, TCP handlers run on their connection's event
 * loop instead of the JDK's scheduler, which saves two thread crossings per message: Netty's on {@code unix},
 * the TAP's receive loop on {@code direct}; the console says when they cannot.
 */
module dev.morgana.unix {
    requires transitive dev.morgana.runtime;
    // DirectConfig carries an Ipv4Config; the direct target applies the Ethernet/ARP and TCP/IP functors.
    requires transitive dev.morgana.net.tcpip;
    requires dev.morgana.net.ethernet;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires jakarta.inject;
    requires jdk.net;

    exports dev.morgana.unix;
    exports dev.morgana.unix.block;
    exports dev.morgana.unix.kv;
    exports dev.morgana.unix.net;
    exports dev.morgana.unix.tap;

    opens dev.morgana.unix.block to com.google.guice;
    opens dev.morgana.unix.kv to com.google.guice;
    opens dev.morgana.unix.net to com.google.guice;
    opens dev.morgana.unix.tap to com.google.guice;
}

/**
 * Host implementations of Morgana's signatures and the {@code unix} target: TCP and UDP over the host's
 * sockets (Netty), and key-value stores over host folders. Run on the module path with
 * {@code --add-modules io.netty.transport.epoll.linux.x86_64} so that Netty's native epoll can load; without
 * it Netty uses NIO, and says so on the console.
 */
module dev.morgana.unix {
    requires transitive dev.morgana.runtime;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires jakarta.inject;

    exports dev.morgana.unix;
    exports dev.morgana.unix.kv;
    exports dev.morgana.unix.net;

    opens dev.morgana.unix.kv to com.google.guice;
    opens dev.morgana.unix.net to com.google.guice;
}

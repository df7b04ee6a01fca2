package dev.morgana.http;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only TCP over JDK sockets on loopback, so that the HTTP server meets real clients (curl, raw
 * sockets) without depending on a backend. Like the real ones, it closes a connection gracefully after
 * its handler: FIN first, then what the client still sends is read and dropped (for at most the socket
 * timeout), so that an unread request never turns into a reset that destroys the response.
 */
final class SocketTcp implements Tcp {

    /** How many connections {@link #connect} opened. */
    final AtomicInteger connects = new AtomicInteger();

    @Override
    public Listener listen(Endpoint local, Options options, FlowHandler handler) throws NetworkException {
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress("127.0.0.1", local.port()));
        } catch (IOException e) {
            throw new NetworkException(Reason.ADDRESS_IN_USE, e.getMessage(), e);
        }
        Thread.ofVirtual().name("accept " + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> serve(socket, handler));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        Endpoint bound = new Endpoint(Ipv4Address.LOOPBACK, server.getLocalPort());
        return new Listener() {
            @Override
            public Endpoint local() {
                return bound;
            }

            @Override
            public void close() {
                try {
                    server.close();
                } catch (IOException e) {
                    // closing twice: nothing to release
                }
            }
        };
    }

    private static void serve(Socket socket, FlowHandler handler) {
        SocketFlow flow;
        try {
            flow = new SocketFlow(socket);
        } catch (IOException e) {
            return;
        }
        try {
            handler.handle(flow);
        } catch (Exception e) {
            // the handler's failure is its own; the connection closes below
        }
        try {
            flow.shutdownOutput();
            MemorySegment sink = MemorySegment.ofArray(new byte[4096]);
            while (flow.read(sink) >= 0) {
                // dropped until the client's FIN
            }
        } catch (NetworkException gone) {
            // reset or timed out: close anyway
        } finally {
            flow.close();
        }
    }

    @Override
    public Flow connect(Endpoint remote, Options options) throws NetworkException {
        try {
            SocketFlow flow = SocketFlow.connect(remote.port());
            if (options.readTimeout().isPresent()) {
                flow.readTimeout((int) options.readTimeout().get().toMillis());
            }
            connects.incrementAndGet();
            return flow;
        } catch (IOException e) {
            throw new NetworkException(Reason.CONNECTION_REFUSED, e.getMessage(), e);
        }
    }
}

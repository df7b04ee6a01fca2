package dev.morgana.benchmarks.echo;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The second peer: blocking JDK sockets, one virtual thread per connection. {@code VirtualThreadEchoServer PORT}. */
public final class VirtualThreadEchoServer {

    private VirtualThreadEchoServer() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 1024, InetAddress.getLoopbackAddress())) {
            System.out.println("listening");
            while (true) {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                        byte[] buffer = new byte[64 * 1024];
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                        }
                    } catch (Exception e) {
                        // The client went away.
                    }
                });
            }
        }
    }
}

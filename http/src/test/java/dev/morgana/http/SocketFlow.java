package dev.morgana.http;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A test-only FLOW over a JDK socket on loopback, so that TLS and HTTP can meet real peers (openssl, curl)
 * without depending on a backend. Every read is bounded by the socket timeout.
 */
public final class SocketFlow implements Flow {

    public static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public SocketFlow(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static SocketFlow connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return new SocketFlow(socket);
    }

    /** Sets how long a read waits before failing with {@code TIMED_OUT}. */
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public static SocketFlow accept(ServerSocket listener) throws IOException {
        listener.setSoTimeout(TIMEOUT_MILLIS);
        return new SocketFlow(listener.accept());
    }

    public static ServerSocket listen() throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        return listener;
    }

    @Override
    public Endpoint remote() {
        return new Endpoint(Ipv4Address.parse(socket.getInetAddress().getHostAddress()), socket.getPort());
    }

    @Override
    public int read(MemorySegment buffer) throws NetworkException {
        byte[] bytes = new byte[(int) Math.min(buffer.byteSize(), 65_536)];
        try {
            int count = in.read(bytes);
            if (count > 0) {
                MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, count);
            }
            return count;
        } catch (SocketTimeoutException e) {
            throw new NetworkException(Reason.TIMED_OUT, "read timed out", e);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void write(MemorySegment data) throws NetworkException {
        try {
            out.write(data.toArray(ValueLayout.JAVA_BYTE));
            out.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void shutdownOutput() throws NetworkException {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void shutdownInput() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            // already closed: nothing left to shut
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket twice or after a reset: nothing to release
        }
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    private NetworkException failure(IOException e) {
        return socket.isClosed()
                ? new NetworkException(Reason.CLOSED, "socket closed", e)
                : new NetworkException(Reason.CONNECTION_RESET, e.getMessage(), e);
    }
}

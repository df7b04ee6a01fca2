import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The floor under benchmarks/website's start -> first 200: the least a JVM can do to answer one HTTP request
 * (java.base only, one class, blocking JDK sockets), started by the same runtime as the website. Not Morgana.
 *
 * <p>{@code java Floor PORT COUNT}: answers COUNT requests with a 2-byte 200 on 127.0.0.1:PORT, then exits.
 */
public final class Floor {

    public static void main(String[] args) throws IOException {
        byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
            for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                try (Socket client = server.accept()) {
                    BufferedReader head = new BufferedReader(
                            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                    String line;
                    do {
                        line = head.readLine();
                    } while (line != null && !line.isEmpty());
                    client.getOutputStream().write(response);
                }
            }
        }
    }
}

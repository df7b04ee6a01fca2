package dev.morgana.benchmarks.echo;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator.
 *
 * <ul>
 *   <li>{@code EchoLoad ping PORT CONNECTIONS SIZE SECONDS}: each connection sends a message of SIZE bytes
 *       and waits for its echo, again and again; prints messages per second over the last SECONDS (after
 *       {@value #WARM_UP_SECONDS} seconds of warm-up).</li>
 *   <li>{@code EchoLoad bulk PORT MEBIBYTES}: one connection sends MEBIBYTES while reading the echo back;
 *       prints the median MiB per second of three such transfers, after
 *       {@value #WARM_UP_SECONDS} seconds of smaller transfers that warm the server up.</li>
 * </ul>
 * Every loop is bounded by its duration or byte count.
 */
public final class EchoLoad {

    /** How long each measurement warms the server up first. */
    static final int WARM_UP_SECONDS = 5;

    private EchoLoad() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "ping" -> ping(port, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "bulk" -> bulk(port, Long.parseLong(args[2]));
            default -> throw new IllegalArgumentException("ping or bulk, got " + args[0]);
        }
    }

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return socket;
    }

    private static void ping(int port, int connections, int size, int seconds) throws Exception {
        LongAdder messages = new LongAdder();
        long end = System.nanoTime() + (seconds + WARM_UP_SECONDS) * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = connect(port);
            threads.add(Thread.ofVirtual().start(() -> {
                try (socket; OutputStream out = socket.getOutputStream();
                        DataInputStream in = new DataInputStream(socket.getInputStream())) {
                    byte[] message = new byte[size];
                    byte[] echo = new byte[size];
                    while (System.nanoTime() < end) {
                        out.write(message);
                        in.readFully(echo);
                        messages.increment();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(WARM_UP_SECONDS * 1000L);
        long start = System.nanoTime();
        long atStart = messages.sum();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long counted = messages.sum() - atStart;
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf("%.0f messages/s%n", counted / elapsed);
    }

    private static void bulk(int port, long mebibytes) throws Exception {
        // Warm-up: the server's JIT compiles on the server's one core, for seconds.
        long warm = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < warm) {
            transfer(port, Math.min(mebibytes, 256));
        }
        // The median of three: one transfer of a gibibyte takes under a second here, too short to trust alone.
        double[] seconds = {transfer(port, mebibytes), transfer(port, mebibytes), transfer(port, mebibytes)};
        Arrays.sort(seconds);
        System.out.printf("%.0f MiB/s%n", mebibytes / seconds[1]);
    }

    /** Sends MEBIBYTES over a new connection while reading the echo back; returns the seconds it took. */
    private static double transfer(int port, long mebibytes) throws Exception {
        long total = mebibytes * 1024 * 1024;
        try (Socket socket = connect(port)) {
            long start = System.nanoTime();
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[256 * 1024];
                    while (received.get() < total) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        received.addAndGet(n);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, total - sent));
            }
            reader.join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (received.get() != total) {
                throw new IllegalStateException("echoed " + received.get() + " of " + total + " bytes");
            }
            return elapsed;
        }
    }
}

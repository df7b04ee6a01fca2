package dev.morgana.http;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.internal.HeadLimits;
import dev.morgana.http.tls.TlsServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP/1.1 server (RFC 9110, 9112) over any {@link Tcp}: one virtual thread per connection, which reads
 * requests, calls the handler and writes responses in request order (so pipelining needs nothing more).
 * Keep-alive, Content-Length and chunked bodies both ways, {@code Expect: 100-continue}, HEAD, Date and
 * Server fields, HTTPS through a {@link TlsServer}. Malformed or oversized requests, and anything that
 * could be read two ways (request smuggling), are answered with the status RFC 9112 asks for and a
 * closed connection; heads and bodies that arrive too slowly lose theirs.
 */
public final class HttpServer {

    /**
     * Limits and timeouts.
     *
     * @param requestLine longest request line in bytes (beyond: 414)
     * @param head largest request head in bytes (beyond: 431)
     * @param fields most header fields (beyond: 431)
     * @param body largest request body in bytes (beyond: 413)
     * @param headTimeout how long a connection may take to deliver a request head, counted from the end
     *     of the previous response or from accepting it: bounds idle keep-alive and slow heads alike
     * @param bodyTimeout how long a request body may go without a byte arriving (beyond: the connection
     *     is closed)
     * @param writeTimeout how long a response may go without the client taking any of it (beyond: the
     *     write fails and the connection is closed, so that a client that stops reading does not hold its
     *     connection's thread and buffers forever); applied as the write timeout of every accepted flow
     *     ({@link Tcp.Options#withWriteTimeout}), so it needs a {@link Tcp} that honours that option, as the
     *     unix target's does
     * @param serverName the Server field's value
     */
    public record Options(int requestLine, int head, int fields, long body, Duration headTimeout, Duration bodyTimeout,
            Duration writeTimeout, String serverName) {

        /** 8 KiB request lines, 32 KiB heads, 100 fields, 16 MiB bodies; 30 s for heads, bodies and writes. */
        public static final Options DEFAULT = new Options(8 * 1024, 32 * 1024, 100, 16L * 1024 * 1024,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), "Morgana");

        public Options {
            new HeadLimits(requestLine, head, fields); // checks them
            if (body < 0 || !headTimeout.isPositive() || !bodyTimeout.isPositive() || !writeTimeout.isPositive()) {
                throw new IllegalArgumentException("a body limit of at least 0 and positive timeouts");
            }
            if (serverName.isEmpty() || !serverName.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("a Server value of printable ASCII, got " + serverName);
            }
        }

        public Options withBody(long bytes) {
            return new Options(requestLine, head, fields, bytes, headTimeout, bodyTimeout, writeTimeout, serverName);
        }

        public Options withHeadTimeout(Duration timeout) {
            return new Options(requestLine, head, fields, body, timeout, bodyTimeout, writeTimeout, serverName);
        }

        public Options withBodyTimeout(Duration timeout) {
            return new Options(requestLine, head, fields, body, headTimeout, timeout, writeTimeout, serverName);
        }

        public Options withWriteTimeout(Duration timeout) {
            return new Options(requestLine, head, fields, body, headTimeout, bodyTimeout, timeout, serverName);
        }

        public Options withHead(int requestLineBytes, int headBytes, int fieldCount) {
            return new Options(requestLineBytes, headBytes, fieldCount, body, headTimeout, bodyTimeout, writeTimeout,
                    serverName);
        }
    }

    /** A server that is accepting connections. */
    public interface Running extends AutoCloseable {

        /** Where it listens; the port chosen when asked for port 0. */
        Endpoint local();

        /**
         * Stops accepting, lets requests in progress finish for up to {@code grace}, then closes every
         * connection (at once if the calling thread is interrupted meanwhile).
         */
        void close(Duration grace);

        /** {@link #close(Duration)} with five seconds of grace. */
        @Override
        default void close() {
            close(Duration.ofSeconds(5));
        }
    }

    private final Tcp tcp;
    private final Clock clock;
    private final Timers timers;
    private final Options options;

    public HttpServer(Tcp tcp, Clock clock, Timers timers, Options options) {
        this.tcp = tcp;
        this.clock = clock;
        this.timers = timers;
        this.options = options;
    }

    /**
     * Starts serving {@code handler} on {@code local}.
     *
     * @throws NetworkException when the endpoint cannot be listened on
     */
    public Running serve(Endpoint local, HttpHandler handler) throws NetworkException {
        return serve(local, null, handler);
    }

    /**
     * Starts serving {@code handler} over TLS on {@code local} (HTTPS): each connection's handshake must
     * finish within the head timeout.
     *
     * @throws NetworkException when the endpoint cannot be listened on
     */
    public Running serve(Endpoint local, TlsServer tls, HttpHandler handler) throws NetworkException {
        Set<Connection> open = ConcurrentHashMap.newKeySet();
        AtomicBoolean closing = new AtomicBoolean();
        Tcp.Listener listener = tcp.listen(local, flowOptions(), (Flow flow) -> {
            Connection connection = new Connection(flow, tls, handler, options, clock);
            open.add(connection);
            if (closing.get()) {
                connection.stopAfterThisRequest(); // accepted while closing went through the open ones
            }
            try {
                connection.serve();
            } finally {
                open.remove(connection);
            }
        });
        sweep(open, closing);
        return new Running() {
            @Override
            public Endpoint local() {
                return listener.local();
            }

            @Override
            public void close(Duration grace) {
                closing.set(true);
                listener.close();
                for (Connection connection : open) {
                    connection.stopAfterThisRequest();
                }
                long deadline = clock.monotonicNanos() + grace.toNanos();
                try {
                    while (!open.isEmpty() && clock.monotonicNanos() < deadline) {
                        timers.sleep(Duration.ofMillis(10));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    for (Connection connection : open) {
                        connection.abort();
                    }
                }
            }
        };
    }

    /** Responses go out at once (Nagle off); a client that stops reading loses its connection. */
    private Tcp.Options flowOptions() {
        return Tcp.Options.DEFAULT.withNoDelay(true).withWriteTimeout(options.writeTimeout());
    }

    /**
     * Closes, every so often, the connections whose head or body is overdue: one timer for the server
     * rather than one per read. Checks a quarter of the shorter timeout apart (10 ms to 1 s), so a
     * connection is closed at most that late.
     */
    private void sweep(Set<Connection> open, AtomicBoolean closing) {
        long period = Math.clamp(Math.min(options.headTimeout().toNanos(), options.bodyTimeout().toNanos()) / 4,
                Duration.ofMillis(10).toNanos(), Duration.ofSeconds(1).toNanos());
        timers.schedule(clock.monotonicNanos() + period, () -> {
            if (closing.get()) {
                return;
            }
            long now = clock.monotonicNanos();
            for (Connection connection : open) {
                connection.closeIfOverdue(now);
            }
            sweep(open, closing);
        });
    }
}

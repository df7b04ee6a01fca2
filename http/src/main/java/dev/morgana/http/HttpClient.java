package dev.morgana.http;

import dev.morgana.api.Clock;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.internal.HeadLimits;
import dev.morgana.http.tls.TlsClient;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP/1.1 client (RFC 9110, 9112) over any {@link Tcp}, with a pool of kept-alive connections: a
 * request goes over an idle connection to its origin when there is one, over a new one otherwise, and the
 * connection returns to the pool when its response has been read to the end and closed. Bodies of
 * responses arrive length-delimited, chunked or delimited by the end of the connection; a malformed
 * response, or one whose framing could be read two ways, fails with {@link HttpProtocolException}.
 *
 * <p>Redirects are not followed unless {@link Options#redirects()} allows it, and then only within the same
 * origin (Morgana has no name resolver to reach another). An idempotent request that fails on a pooled
 * connection before any byte of a response arrived (the server had closed it while idle) is sent again
 * once, on a new connection.
 *
 * <p>Thread-safe: any number of threads may send at once, each over a connection of its own.
 */
public final class HttpClient implements AutoCloseable {

    /**
     * Limits and timeouts.
     *
     * @param connectTimeout how long opening a connection may take
     * @param readTimeout how long one read may wait for the server (its response head, or more of a body)
     * @param writeTimeout how long one write may wait for the server to take the request
     * @param idleTimeout how long a connection may sit idle in the pool before it is dropped
     * @param maxIdle most idle connections kept, over all origins (beyond: the oldest is closed)
     * @param head largest response head in bytes, status line included
     * @param fields most header fields in a response
     * @param redirects how many redirects (301, 302, 303, 307, 308) to follow within the same origin: 0 to
     *     return every redirect to the caller
     * @param tls the TLS client for HTTPS origins; empty for plain HTTP only
     */
    public record Options(Duration connectTimeout, Duration readTimeout, Duration writeTimeout, Duration idleTimeout,
            int maxIdle, int head, int fields, int redirects, Optional<TlsClient> tls) {

        /** 10 s to connect, 30 s per read and write, 20 s idle, 32 idle connections, 32 KiB heads of 100 fields, no redirects, no TLS. */
        public static final Options DEFAULT = new Options(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(20), 32, 32 * 1024, 100, 0, Optional.empty());

        public Options {
            limits(head, fields); // checks them
            if (!connectTimeout.isPositive() || !readTimeout.isPositive() || !writeTimeout.isPositive()
                    || !idleTimeout.isPositive()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
            if (maxIdle < 0 || redirects < 0) {
                throw new IllegalArgumentException("maxIdle and redirects must be at least 0");
            }
            Objects.requireNonNull(tls, "tls");
        }

        public Options withTls(TlsClient client) {
            return new Options(connectTimeout, readTimeout, writeTimeout, idleTimeout, maxIdle, head, fields, redirects,
                    Optional.of(client));
        }

        public Options withRedirects(int max) {
            return new Options(connectTimeout, readTimeout, writeTimeout, idleTimeout, maxIdle, head, fields, max, tls);
        }

        public Options withTimeouts(Duration connect, Duration read, Duration write) {
            return new Options(connect, read, write, idleTimeout, maxIdle, head, fields, redirects, tls);
        }

        public Options withPool(int maxIdleConnections, Duration idle) {
            return new Options(connectTimeout, readTimeout, writeTimeout, idle, maxIdleConnections, head, fields,
                    redirects, tls);
        }

        public Options withHead(int headBytes, int fieldCount) {
            return new Options(connectTimeout, readTimeout, writeTimeout, idleTimeout, maxIdle, headBytes, fieldCount,
                    redirects, tls);
        }

        private static HeadLimits limits(int head, int fields) {
            return new HeadLimits(Math.min(8 * 1024, head), head, fields);
        }
    }

    private final Tcp tcp;
    private final Clock clock;
    private final Options options;
    private final Tcp.Options flowOptions;
    private final HeadLimits limits;
    /** Idle connections, the most recently used last; guarded by itself. */
    private final ArrayDeque<ClientConnection> idle = new ArrayDeque<>();
    private boolean closed; // guarded by idle

    public HttpClient(Tcp tcp, Clock clock, Options options) {
        this.tcp = tcp;
        this.clock = clock;
        this.options = options;
        this.flowOptions = Tcp.Options.DEFAULT.withNoDelay(true).withConnectTimeout(options.connectTimeout())
                .withReadTimeout(options.readTimeout()).withWriteTimeout(options.writeTimeout());
        this.limits = Options.limits(options.head(), options.fields());
    }

    /**
     * Sends {@code request} to {@code origin} and returns the response once its head has arrived. The caller
     * reads its body and closes it.
     *
     * @throws NetworkException when connecting, sending or receiving fails or times out;
     *     {@link HttpProtocolException} when the response is malformed; {@link dev.morgana.http.tls.TlsException}
     *     when the TLS handshake fails
     * @throws IllegalStateException when the client is closed, or the origin is HTTPS and no TLS client
     *     was configured
     */
    public ClientResponse send(Origin origin, ClientRequest request) throws NetworkException {
        ClientRequest current = request;
        for (int redirect = 0; ; redirect++) {
            ClientResponse response = sendOnce(origin, current);
            ClientRequest next = redirect < options.redirects() ? redirected(origin, current, response) : null;
            if (next == null) {
                return response;
            }
            discard(response);
            current = next;
        }
    }

    /** Closes the idle connections; responses still open close theirs when they are closed. */
    @Override
    public void close() {
        List<ClientConnection> dropped;
        synchronized (idle) {
            closed = true;
            dropped = new ArrayList<>(idle);
            idle.clear();
        }
        dropped.forEach(ClientConnection::close);
    }

    private ClientResponse sendOnce(Origin origin, ClientRequest request) throws NetworkException {
        ClientConnection pooled = takeIdle(origin);
        if (pooled != null) {
            try {
                return pooled.exchange(request, this::responseClosed);
            } catch (NetworkException e) {
                pooled.close();
                boolean stale = pooled.failedStale() && !(e instanceof HttpProtocolException)
                        && (e.reason() == Reason.CONNECTION_RESET || e.reason() == Reason.CLOSED);
                if (!stale || !request.retryable()) {
                    throw e;
                }
                // The server had closed it while idle: once more on a new connection.
            } catch (RuntimeException e) {
                pooled.close();
                throw e;
            }
        }
        ClientConnection fresh = open(origin);
        try {
            return fresh.exchange(request, this::responseClosed);
        } catch (NetworkException | RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    private ClientConnection open(Origin origin) throws NetworkException {
        TlsClient tls = null;
        if (origin.https()) {
            tls = options.tls().orElseThrow(() -> new IllegalStateException("an HTTPS origin needs Options.withTls"));
        }
        Flow flow = tcp.connect(origin.endpoint(), flowOptions);
        if (tls != null) {
            flow = tls.connect(flow, origin.host()); // closes the plain flow if it fails
        }
        return new ClientConnection(origin, flow, limits);
    }

    private ClientConnection takeIdle(Origin origin) {
        long now = clock.monotonicNanos();
        List<ClientConnection> expired = new ArrayList<>();
        ClientConnection found = null;
        synchronized (idle) {
            if (closed) {
                throw new IllegalStateException("the client is closed");
            }
            for (Iterator<ClientConnection> it = idle.descendingIterator(); it.hasNext(); ) {
                ClientConnection connection = it.next();
                if (now - connection.idleSince > options.idleTimeout().toNanos()) {
                    it.remove();
                    expired.add(connection);
                } else if (found == null && connection.origin.equals(origin)) {
                    it.remove();
                    found = connection;
                }
            }
        }
        expired.forEach(ClientConnection::close);
        return found;
    }

    private void responseClosed(ClientConnection connection) {
        if (!connection.reusable()) {
            connection.close();
            return;
        }
        connection.idleSince = clock.monotonicNanos();
        ClientConnection dropped = connection;
        synchronized (idle) {
            if (!closed && options.maxIdle() > 0) {
                idle.addLast(connection);
                dropped = idle.size() > options.maxIdle() ? idle.removeFirst() : null;
            }
        }
        if (dropped != null) {
            dropped.close();
        }
    }

    /**
     * The request a redirect asks for, or null to return the redirect to the caller: not a redirect, no
     * usable Location, another origin, or a streamed body that cannot be sent again.
     */
    private static ClientRequest redirected(Origin origin, ClientRequest request, ClientResponse response) {
        int status = response.status();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return null;
        }
        Optional<String> location = response.headers().first("location");
        if (location.isEmpty()) {
            return null;
        }
        URI target;
        try {
            target = new URI(origin + request.target()).resolve(location.get());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null; // not a URI: the caller sees the redirect as it came
        }
        String scheme = origin.https() ? "https" : "http";
        int port = target.getPort() < 0 ? (origin.https() ? 443 : 80) : target.getPort();
        if (!scheme.equalsIgnoreCase(target.getScheme()) || !origin.host().equalsIgnoreCase(target.getHost())
                || port != origin.endpoint().port()) {
            return null;
        }
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        String newTarget = target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
        // 303, and 301 or 302 after a POST as every browser does (RFC 9110 §15.4), turn into a GET without a body.
        boolean toGet = status == 303 && !request.method().equals("HEAD")
                || (status == 301 || status == 302) && request.method().equals("POST");
        try {
            return toGet ? request.redirectedAsGet(newTarget) : request.redirected(newTarget);
        } catch (IllegalArgumentException e) {
            return null; // a Location whose path is no target (say, with a space once decoded)
        }
    }

    /** Reads and drops a small redirect body so that its connection can be reused, or closes it. */
    private static void discard(ClientResponse response) {
        try (response) {
            MemorySegment sink = MemorySegment.ofArray(new byte[4096]);
            long left = 64 * 1024;
            int n;
            while (left > 0 && (n = response.body().read(sink)) >= 0) {
                left -= n;
            }
        } catch (NetworkException e) {
            // The connection is not reused: the response's close drops it.
        }
    }
}

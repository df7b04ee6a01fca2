package dev.morgana.http;

/**
 * A response an {@link HttpClient} received: status and header fields at once, the body as it arrives.
 * Close it when done: a connection whose body was read to the end goes back to the client's pool, any other
 * is closed.
 *
 * <p>Not thread-safe: read the body from one thread at a time.
 */
public final class ClientResponse implements AutoCloseable {

    private final int status;
    private final int minorVersion;
    private final Headers headers;
    private final MessageBody body;
    private final Runnable onClose;
    private boolean closed;

    ClientResponse(int status, int minorVersion, Headers headers, MessageBody body, Runnable onClose) {
        this.status = status;
        this.minorVersion = minorVersion;
        this.headers = headers;
        this.body = body;
        this.onClose = onClose;
    }

    /** The status code, 200–999 (interim 1xx responses are skipped). */
    public int status() {
        return status;
    }

    /** 0 when the server spoke HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    public Headers headers() {
        return headers;
    }

    /**
     * The body, delimited as the response says (Content-Length, chunked, or the end of the connection);
     * empty for HEAD, 204 and 304. Reading fails with {@link HttpProtocolException} when it is malformed,
     * and with {@link IllegalStateException} once the response is closed.
     */
    public MessageBody body() {
        return body;
    }

    /**
     * Returns the connection to the pool if the body was read to its end, and closes it otherwise. The body
     * cannot be read afterwards. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}

package dev.morgana.http;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A response: a status, header fields and a body, either bytes known in advance (sent with
 * Content-Length) or written as it is produced (sent chunked). The server adds Date, Server,
 * Content-Length or Transfer-Encoding, and Connection itself; a handler must not set them.
 */
public final class HttpResponse {

    /** The fields the server sets itself. */
    private static final String[] RESERVED = {"content-length", "transfer-encoding", "connection", "date", "server"};

    private final int status;
    private final Headers headers;
    private final MemorySegment body;
    private final BodyWriter writer;

    private HttpResponse(int status, Headers headers, MemorySegment body, BodyWriter writer) {
        if (status < 200 || status > 999) {
            throw new IllegalArgumentException("a final status is 200–999, got " + status);
        }
        for (int i = 0; i < headers.size(); i++) {
            for (String reserved : RESERVED) {
                if (headers.name(i).equalsIgnoreCase(reserved)) {
                    throw new IllegalArgumentException("the server sets " + reserved + " itself");
                }
            }
        }
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.writer = writer;
    }

    /** A response with {@code body}, which the server sends as it is (the caller must not change it). */
    public static HttpResponse of(int status, Headers headers, MemorySegment body) {
        return new HttpResponse(status, headers, Objects.requireNonNull(body, "body"), null);
    }

    /** A response with no body. */
    public static HttpResponse of(int status) {
        return of(status, Headers.of(), MemorySegment.NULL);
    }

    /** A plain-text response in UTF-8. */
    public static HttpResponse text(int status, String text) {
        return of(status, Headers.of().with("Content-Type", "text/plain; charset=utf-8"),
                MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A response whose body {@code writer} produces while it is sent (chunked). */
    public static HttpResponse streaming(int status, Headers headers, BodyWriter writer) {
        return new HttpResponse(status, headers, null, Objects.requireNonNull(writer, "writer"));
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    /** The body when known in advance; empty for a streamed one. */
    public Optional<MemorySegment> body() {
        return Optional.ofNullable(body);
    }

    Optional<BodyWriter> writer() {
        return Optional.ofNullable(writer);
    }
}

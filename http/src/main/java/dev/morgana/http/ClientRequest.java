package dev.morgana.http;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A request for an {@link HttpClient}: a method, a target in origin form ({@code /path?query}), header
 * fields, and a body either known in advance (sent with Content-Length) or written as it is sent (chunked).
 * Immutable; the client adds Host, and Content-Length or Transfer-Encoding, itself, and manages the
 * connection, so a request must not set those fields nor Connection.
 */
public final class ClientRequest {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    private final String method;
    private final String target;
    private final Headers headers;
    private final MemorySegment body;
    private final BodyWriter writer;

    private ClientRequest(String method, String target, Headers headers, MemorySegment body, BodyWriter writer) {
        if (method.isEmpty() || !method.chars().allMatch(c -> c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("not a method: " + method);
        }
        if (method.equals("CONNECT")) {
            throw new IllegalArgumentException("CONNECT (a tunnel) is not supported");
        }
        if (!(target.startsWith("/") || target.equals("*") && method.equals("OPTIONS"))
                || !target.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("not a target in origin form (/path?query, visible ASCII): " + target);
        }
        for (String reserved : new String[] {"host", "content-length", "transfer-encoding", "connection"}) {
            if (headers.first(reserved).isPresent()) {
                throw new IllegalArgumentException("the client sets " + reserved + " itself");
            }
        }
        this.method = method;
        this.target = target;
        this.headers = headers;
        this.body = body;
        this.writer = writer;
    }

    /** A GET of {@code target}. */
    public static ClientRequest get(String target) {
        return of("GET", target, Headers.of(), MemorySegment.NULL);
    }

    /**
     * A request with {@code body}, which the client sends as it is (the caller must not change it until the
     * response arrives).
     *
     * @throws IllegalArgumentException for a method that is not a token, or CONNECT; a target not in
     *     origin form; a field the client sets itself
     */
    public static ClientRequest of(String method, String target, Headers headers, MemorySegment body) {
        return new ClientRequest(method, target, headers, Objects.requireNonNull(body, "body"), null);
    }

    /**
     * A request whose body {@code writer} produces while it is sent (chunked). Such a request is sent once:
     * not again after a connection failed, nor to a 307 or 308 redirect.
     *
     * @throws IllegalArgumentException as {@link #of} does
     */
    public static ClientRequest streaming(String method, String target, Headers headers, BodyWriter writer) {
        return new ClientRequest(method, target, headers, null, Objects.requireNonNull(writer, "writer"));
    }

    /** This request with one more header field. */
    public ClientRequest with(String name, String value) {
        return new ClientRequest(method, target, headers.with(name, value), body, writer);
    }

    public String method() {
        return method;
    }

    public String target() {
        return target;
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

    /**
     * Whether a failed attempt may be sent again: sending it twice means the same as once (RFC 9110
     * §9.2.2), and its body can be sent again.
     */
    boolean retryable() {
        return IDEMPOTENT.contains(method) && writer == null;
    }

    /** The same request to {@code newTarget}, as a 307 or 308 asks; null when its body cannot be sent again. */
    ClientRequest redirected(String newTarget) {
        return writer == null ? new ClientRequest(method, newTarget, headers, body, null) : null;
    }

    /** A GET of {@code newTarget} with the same fields but those about the body, as a 301, 302 or 303 may ask. */
    ClientRequest redirectedAsGet(String newTarget) {
        Headers kept = Headers.of();
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.name(i).regionMatches(true, 0, "content-", 0, 8)) {
                kept = kept.with(headers.name(i), headers.value(i));
            }
        }
        return new ClientRequest("GET", newTarget, kept, MemorySegment.NULL, null);
    }
}

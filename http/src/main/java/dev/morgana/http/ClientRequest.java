package dev.morgana.http;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;

/**
 * A request for an {@link HttpClient}: a method, a target in origin form ({@code /path?query}), header
 * fields and a body sent with Content-Length. Immutable; the client adds Host, Content-Length and
 * Connection itself, so a request must not set them (nor Transfer-Encoding).
 */
public final class ClientRequest {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    private final String method;
    private final String target;
    private final Headers headers;
    private final MemorySegment body;

    private ClientRequest(String method, String target, Headers headers, MemorySegment body) {
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
        this.body = Objects.requireNonNull(body, "body");
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
        return new ClientRequest(method, target, headers, body);
    }

    /** This request with one more header field. */
    public ClientRequest with(String name, String value) {
        return new ClientRequest(method, target, headers.with(name, value), body);
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

    public MemorySegment body() {
        return body;
    }

    /** Whether sending it twice means the same as once (RFC 9110 §9.2.2): a failed attempt may be retried. */
    boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    /** The same request to another target with another method and body, as a redirect asks. */
    ClientRequest redirected(String newMethod, String newTarget, MemorySegment newBody) {
        return new ClientRequest(newMethod, newTarget, headers, newBody);
    }
}

package dev.morgana.http.internal;

/**
 * Bounds on a request head, so that a client cannot make the server hold unbounded memory.
 *
 * @param requestLine longest request line in bytes, CRLF included (beyond: 414)
 * @param head longest head in bytes, request line and the empty line included (beyond: 431)
 * @param fields most header fields (beyond: 431)
 */
public record HeadLimits(int requestLine, int head, int fields) {

    /** 8 KiB request lines, 32 KiB heads, 100 fields: what nginx and curl live with comfortably. */
    public static final HeadLimits DEFAULT = new HeadLimits(8 * 1024, 32 * 1024, 100);

    public HeadLimits {
        if (requestLine < 16 || head < requestLine || fields < 1) {
            throw new IllegalArgumentException("limits must allow a request: got " + requestLine + ", " + head + ", " + fields);
        }
    }
}

package dev.morgana.http.internal;

/**
 * A request that the server answers with an error status and then a closed connection (RFC 9112 says so
 * for every case raised here: the framing of what follows cannot be trusted). The client's parsers raise it
 * too, with status 502, for a response that breaks HTTP/1.1, as a gateway would answer one.
 */
public final class RequestRejected extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    public RequestRejected(int status, String reason) {
        super(reason, null, false, false); // a routine answer to bad input: no stack trace to fill
        this.status = status;
    }

    /** The status code to answer with: 400, 413, 414, 431, 501 or 505; 502 for a malformed response. */
    public int status() {
        return status;
    }
}

package dev.morgana.http;

/**
 * A request as the server received it.
 *
 * @param method the method, case-sensitive ("GET")
 * @param target the request target as sent ("/index.html?q=1"); not decoded
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1
 * @param headers the header fields, in order
 * @param body the body; empty when the request has none
 */
public record HttpRequest(String method, String target, int minorVersion, Headers headers, MessageBody body) {

    /** The target's path: up to the first {@code ?}, not decoded. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }
}

/**
 * HTTP/1.1 server and client written against the {@code Tcp} and {@code Flow} signatures only, static
 * files from any {@code KvRo}, and TLS (Bouncy Castle) as a functor FLOW → FLOW.
 *
 * <p>Nothing lives here yet; issue #4 brings the server, the client and TLS.
 */
package dev.morgana.http;

/**
 * HTTP/1.1 server and client written against the {@code Tcp} and {@code Flow} signatures only, static
 * files from any {@code KvRo}, and TLS (Bouncy Castle) as a functor FLOW → FLOW.
 *
 * <p>So far only TLS exists, in {@code dev.morgana.http.tls}; the server and client of issue #4 come here.
 */
package dev.morgana.http;

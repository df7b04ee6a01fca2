/**
 * HTTP/1.1 written against the {@code Tcp} and {@code Flow} signatures only, so that the same server and
 * client run on host sockets and on Morgana's own stack: {@link dev.morgana.http.HttpServer} with its
 * {@link dev.morgana.http.HttpHandler}, requests, responses and {@link dev.morgana.http.Headers};
 * {@link dev.morgana.http.StaticFiles}, a handler serving any {@code KvRo};
 * {@link dev.morgana.http.HttpClient}, with a pool of kept-alive connections per
 * {@link dev.morgana.http.Origin}; TLS (Bouncy Castle) as a functor FLOW → FLOW in
 * {@code dev.morgana.http.tls}, which HTTPS on both sides goes through.
 */
package dev.morgana.http;

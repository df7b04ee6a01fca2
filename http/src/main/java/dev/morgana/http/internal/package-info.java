/**
 * The sans-IO core of Morgana's HTTP/1.1 (CONVENTIONS 4), not exported: the request-head parser
 * ({@link dev.morgana.http.internal.RequestHeadParser}), the body framing rules that keep request
 * smuggling out ({@link dev.morgana.http.internal.BodyFraming}) and the chunked-body decoder
 * ({@link dev.morgana.http.internal.ChunkedDecoder}). They do no I/O; the server built on them
 * (issue #4) feeds them what a flow delivers.
 */
package dev.morgana.http.internal;

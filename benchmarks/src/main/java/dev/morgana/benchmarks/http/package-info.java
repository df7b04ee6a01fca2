/**
 * HTTP benchmarks (issue #4): the request-head parser against Netty's decoder (JMH), and the servers
 * {@code benchmarks/http-static} runs under wrk — Morgana's on the unix target, a minimal Netty one, and
 * (outside Java) nginx.
 */
package dev.morgana.benchmarks.http;

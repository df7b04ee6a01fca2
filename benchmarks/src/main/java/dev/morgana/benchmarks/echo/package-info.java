/**
 * TCP echo servers for whole-program comparisons (benchmarks/tcp-echo): Morgana's {@code unix} target,
 * an idiomatic Netty server and a blocking JDK server with a virtual thread per connection, each run in
 * its own JVM, and {@link dev.morgana.benchmarks.echo.EchoLoad}, the load generator that drives them.
 */
package dev.morgana.benchmarks.echo;

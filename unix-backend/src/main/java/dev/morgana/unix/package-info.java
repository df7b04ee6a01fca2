/**
 * The {@code unix} target: the application runs as an ordinary process on the host's TCP/IP stack
 * ({@link dev.morgana.unix.UnixTargets}). Implementations live in sub-packages, one functor module each:
 * {@link dev.morgana.unix.net} for the network.
 */
package dev.morgana.unix;

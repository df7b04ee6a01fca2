/**
 * The {@code unix} target: the application runs as an ordinary process on the host's TCP/IP stack
 * ({@link dev.morgana.unix.UnixTargets}). Implementations live in sub-packages, one functor module each:
 * {@link dev.morgana.unix.net} for the network, {@link dev.morgana.unix.block} for block devices over
 * files, {@link dev.morgana.unix.kv} for key-value stores over host folders.
 */
package dev.morgana.unix;

/**
 * Host implementations of the signatures: TCP and UDP over host sockets (Netty), NETWORK over a Linux
 * TAP device, BLOCK over a file, KV over a folder; and the {@code unix} and {@code direct} targets.
 *
 * <p>Nothing lives here yet; issues #3 and #6 bring the implementations and the targets.
 */
package dev.morgana.unix;

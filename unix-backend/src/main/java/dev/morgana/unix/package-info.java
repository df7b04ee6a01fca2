/**
 * The targets of this backend ({@link dev.morgana.unix.UnixTargets}): {@code unix}, where the application
 * runs as an ordinary process on the host's TCP/IP stack, and {@code direct}, where it runs Morgana's own
 * stack over a TAP device ({@link dev.morgana.unix.DirectConfig}). Implementations live in sub-packages, one
 * functor module each: {@link dev.morgana.unix.net} for the host-socket network, {@link dev.morgana.unix.tap}
 * for the TAP device, {@link dev.morgana.unix.block} for block devices over files,
 * {@link dev.morgana.unix.kv} for key-value stores over host folders.
 */
package dev.morgana.unix;

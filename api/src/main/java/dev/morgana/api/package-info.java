/**
 * The signatures every target provides outside networking and storage: time ({@link dev.morgana.api.Clock},
 * {@link dev.morgana.api.Timers}), randomness ({@link dev.morgana.api.Entropy}) and log output
 * ({@link dev.morgana.api.Console}); the contract between an application and the bootstrap
 * ({@link dev.morgana.api.Application}); and the lifecycle of devices ({@link dev.morgana.api.Service}).
 *
 * <p>Sub-packages hold the other areas, each with its own value types and its own checked error:
 * {@link dev.morgana.api.net} (NETWORK … TCP, FLOW, STACK), {@link dev.morgana.api.kv} (KV_RO, KV_RW) and
 * {@link dev.morgana.api.block} (BLOCK).
 *
 * <h2>Conventions shared by every signature</h2>
 * <ul>
 *   <li><b>Buffers</b> are {@link java.lang.foreign.MemorySegment}s. Each method says who owns a segment and
 *       for how long it stays valid; a segment handed to a callback is valid only during that call unless
 *       the method says otherwise.</li>
 *   <li><b>Units</b> are in the name or the type: nanoseconds as {@code long …Nanos}, durations as
 *       {@link java.time.Duration}, sizes in bytes.</li>
 *   <li><b>Errors</b> come in three tiers: a checked exception per area for device and I/O failures,
 *       {@link dev.morgana.api.net.MalformedPacketException} for hostile bytes inside a protocol layer, and
 *       {@link java.lang.IllegalArgumentException} or {@link java.lang.IllegalStateException} for misuse.</li>
 * </ul>
 */
package dev.morgana.api;

/**
 * File systems over a {@code Block} device: the functors BLOCK → KV_RO and BLOCK → KV_RW.
 *
 * <p>Nothing lives here yet; a later issue brings the first file system.
 */
package dev.morgana.fs.block;

/**
 * BLOCK: devices of fixed-size sectors ({@link dev.morgana.api.block.Block}) — a host file, a Xen
 * blkfront, a RAM disk — described by {@link dev.morgana.api.block.BlockInfo}, failing with
 * {@link dev.morgana.api.block.BlockException}.
 */
package dev.morgana.api.block;

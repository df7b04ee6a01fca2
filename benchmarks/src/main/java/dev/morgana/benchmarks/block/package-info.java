/** Whole-program block-device comparisons (benchmarks/file-block): FileBlock against dd. */
package dev.morgana.benchmarks.block;

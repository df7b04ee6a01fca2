/**
 * Key-value stores: KV_RO ({@link dev.morgana.api.kv.KvRo}) for what a unikernel serves — embedded at
 * build time, a host folder, a file system image — and KV_RW ({@link dev.morgana.api.kv.KvRw}) for what it
 * writes. Keys are paths of segments ({@link dev.morgana.api.kv.KvKey}); every failure is a
 * {@link dev.morgana.api.kv.KvException}, whose subclasses tell "no such key" from "the device failed".
 */
package dev.morgana.api.kv;

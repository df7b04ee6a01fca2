/**
 * The JVM basics every real target shares — {@code unix}, {@code direct} and {@code xen} all run on a
 * JVM: the host's monotonic and wall clocks, timers on a scheduler thread, a DRBG seeded by the operating
 * system, and standard output as the console. {@link dev.morgana.runtime.jvm.JvmModule} provides them;
 * the implementations are package-private, reached only through their signatures.
 */
package dev.morgana.runtime.jvm;

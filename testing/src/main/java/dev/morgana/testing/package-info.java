/**
 * Deterministic testing for protocol stacks.
 *
 * <h2>Seeded properties</h2>
 * <p>A method annotated {@link dev.morgana.testing.Property @Property} runs once per seed, each run with
 * a {@link java.util.random.RandomGenerator} seeded for it; everything a run generates comes from that
 * generator, so a seed is a complete reproduction:
 * <pre>{@code
 * @Property
 * void roundTrips(RandomGenerator random) {
 *     Ipv4Address address = ApiGen.ipv4Addresses().next(random);
 *     assertEquals(address, Ipv4Address.parse(address.toString()));
 * }
 * }</pre>
 * <p>A failing run reports its seed; {@code -Dmorgana.seed=N} replays exactly that run, and
 * {@code -Dmorgana.tries=N} runs every property over {@code N} seeds instead of its default.
 *
 * <h2>Virtual time</h2>
 * <p>{@link dev.morgana.testing.VirtualClock} is a {@link dev.morgana.api.Clock} and
 * {@link dev.morgana.api.Timers} whose time moves only when the test advances it; timers fire in deadline
 * order, so a simulated hour takes milliseconds and runs the same way every time.
 *
 * <h2>Simulated network</h2>
 * <p>{@link dev.morgana.testing.net} has a switch whose ports are {@link dev.morgana.api.net.Network}
 * devices, with frames carried by a virtual clock's timers, and decorators that inject faults and record
 * pcap files: a simulated node is a switch port plus the stack under test.
 */
package dev.morgana.testing;

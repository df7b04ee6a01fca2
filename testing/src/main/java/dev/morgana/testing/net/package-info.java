/**
 * The simulated network: an Ethernet switch whose ports are {@link dev.morgana.api.net.Network} devices,
 * and decorators of any {@code Network} that inject faults and record pcap files — so that a stack's tests
 * run K nodes on one lossy LAN, deterministically and in virtual time.
 *
 * <pre>{@code
 * VirtualClock clock = new VirtualClock();
 * SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
 * Network a = FaultInjectingNetwork.builder(lan.port(0), clock)
 *         .seed(seed).outgoing(Faults.builder().drop(0.2).build()).build();
 * Network b = PcapRecordingNetwork.toFile(lan.port(1), clock, Path.of("b.pcap"));
 * // a stack on a, another on b; then:
 * clock.advance(Duration.ofHours(1));   // milliseconds of real time
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.morgana.testing.net.SimulatedSwitch}: N ports, learning (bounded MAC table with aging)
 *       or hub; frames travel on the {@link dev.morgana.testing.VirtualClock}'s timers with a per-link
 *       latency, so handlers that answer from inside {@code frame(...)} are never re-entered and a run is
 *       the same every time.
 *   <li>{@link dev.morgana.testing.net.FaultInjectingNetwork} with {@link dev.morgana.testing.net.Faults}:
 *       seeded drop, duplicate, corrupt, truncate, delay and bounded reorder, per direction.
 *   <li>{@link dev.morgana.testing.net.PcapRecordingNetwork}: classic pcap, {@code LINKTYPE_ETHERNET},
 *       timestamps from the clock; also useful on real devices.
 *   <li>{@link dev.morgana.testing.net.Pcap} reads such files, and {@code tcpdump}'s, back into frames (golden
 *       bytes from a real peer); {@link dev.morgana.testing.net.Tshark} runs Wireshark's dissector over them
 *       and reports malformed frames and expert errors.
 *   <li>{@link dev.morgana.testing.net.Netns}: the other side, a real Linux peer: a network namespace of
 *       the test's own for a TAP device and the kernel's tools ({@code ping}, {@code nc}, {@code tcpdump}),
 *       every command bounded in time, skipped without root outside CI.
 *   <li>{@link dev.morgana.testing.net.TcpContract}: the contract of {@code Tcp} and {@code Flow}, one
 *       abstract JUnit class that every implementation extends with its own start and stop.
 * </ul>
 *
 * <p>Every queue is bounded and what overflows is counted as a drop. Devices hand out memory only for the
 * duration of a call, as the {@code Network} contract says, and enforce it: a segment kept beyond its call
 * fails at its next access.
 */
package dev.morgana.testing.net;

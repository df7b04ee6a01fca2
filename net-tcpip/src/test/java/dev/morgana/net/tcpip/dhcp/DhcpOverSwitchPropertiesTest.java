package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Udp;
import dev.morgana.net.ethernet.ArpModule;
import dev.morgana.net.ethernet.EthernetModule;
import dev.morgana.net.tcpip.DhcpModule;
import dev.morgana.net.tcpip.IcmpModule;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.net.tcpip.Ipv4Module;
import dev.morgana.net.tcpip.UdpModule;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.net.tcpip.ipv4.Ipv4Layer;
import dev.morgana.net.tcpip.ipv4.Ipv4Packet;
import dev.morgana.net.tcpip.udp.UdpPacket;
import dev.morgana.testing.Property;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.FaultInjectingNetwork;
import dev.morgana.testing.net.Faults;
import dev.morgana.testing.net.SimulatedSwitch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The DHCP client as a target assembles it — {@code EthernetModule}, {@code ArpModule},
 * {@code Ipv4Module(Ipv4Config.unconfigured())}, {@code IcmpModule}, {@code UdpModule} and {@code DhcpModule}
 * over one port of a {@link SimulatedSwitch}, on a {@link VirtualClock} — two to four such clients and a
 * server node with a static address that runs {@link DhcpTestServer} on UDP port 67 over the same stack,
 * every port behind a {@link FaultInjectingNetwork} that loses (up to a fifth of the frames end to end),
 * duplicates, delays and reorders frames. With a lease of five or ten minutes: three hours with the server
 * up, then the server silent until every lease has run out, then the server back.
 *
 * <p>What each client's stack writes and receives is watched below its Ethernet, and checked as it
 * happens: every lease the client takes is the one in an ACK that reached it, counted from its first REQUEST,
 * and an ACK answering the exchange it is in is never ignored (so a lease expires only when the faults took
 * every answer); IPv4 and ARP carry exactly the leased address from then on, and the server's binding
 * outlives it; without a lease the client's DHCP messages leave from 0.0.0.0; RENEWING starts at T1 with a REQUEST unicast to the server (after an ARP request for it
 * at that same instant when its entry has aged out), REBINDING at T2 with a broadcast, and the address is
 * dropped, IPv4 and ARP with it, exactly at the expiry, never without REBINDING first. After each phase:
 * the clients hold distinct addresses from the server's pool and use them — UDP datagrams go both ways
 * between each client and the server, and one for a far address goes to the lease's router. Replay a seed
 * with {@code -Dmorgana.seed=N}.
 */
class DhcpOverSwitchPropertiesTest {

    static final long S = DhcpCore.SECOND;
    static final long MINUTE = 60 * S;
    static final long HOUR = 60 * MINUTE;
    /** How long the server stays up at first: many lease times. */
    static final long UP = 3 * HOUR;
    static final Ipv4Address SERVER = DhcpTestServer.SERVER;
    static final Ipv4Prefix NETWORK = Ipv4Prefix.parse("10.0.0.0/24");
    /** Off the link: datagrams for it go to the lease's router. */
    static final Ipv4Address FAR = Ipv4Address.parse("198.51.100.7");
    static final int PROBE = 5000;

    @Property(tries = 20)
    void clientsOnALossySwitchLeaseRenewLoseAndRegainAddresses(RandomGenerator random) {
        new Simulation(random).run();
    }

    @Test
    void theSameSeedGivesTheSameTrace() {
        List<String> first = new Simulation(new SplittableRandom(7)).run();
        List<String> again = new Simulation(new SplittableRandom(7)).run();
        assertTrue(first.size() > 100, "a trace of " + first.size() + " lines");
        for (int i = 0; i < Math.min(first.size(), again.size()); i++) {
            assertEquals(first.get(i), again.get(i), "line " + i + " of the trace");
        }
        assertEquals(first.size(), again.size());
        assertNotEquals(first, new Simulation(new SplittableRandom(8)).run());
    }

    /** One run: the switch, the nodes, the phases and the checks; {@link #run} returns the trace. */
    static final class Simulation {
        final RandomGenerator random;
        final VirtualClock clock = new VirtualClock();
        final List<String> trace = new ArrayList<>();
        final DhcpTestServer leases;
        final boolean lossy;
        final ServerNode server;
        final List<Client> clients = new ArrayList<>();

        Simulation(RandomGenerator random) {
            this.random = random;
            this.leases = new DhcpTestServer(random.nextBoolean() ? 600 : 300, random.nextBoolean());
            int count = random.nextInt(2, 5);
            this.lossy = random.nextInt(4) != 0;
            SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(count + 1).build();
            // Each frame crosses two ports: up to 10 % lost at each loses up to 19 % end to end.
            Faults faults = Faults.builder().drop(lossy ? random.nextDouble(0, 0.1) : 0)
                    .duplicate(random.nextDouble(0, 0.05)).reorder(random.nextDouble(0, 0.2), 3)
                    .delay(random.nextDouble(0, 0.1), Duration.ofMillis(5)).build();
            trace.add("lease " + leases.leaseSeconds + " s, times sent " + leases.sendTimes + ", " + count
                    + " clients, " + faults);
            this.server = new ServerNode(this, faulty(lan.port(0), faults));
            for (int i = 1; i <= count; i++) {
                clients.add(new Client(this, i, faulty(lan.port(i), faults)));
            }
        }

        private Network faulty(Network port, Faults faults) {
            return FaultInjectingNetwork.builder(port, clock).seed(random.nextLong()).both(faults).build();
        }

        long now() {
            return clock.monotonicNanos();
        }

        void log(String line) {
            trace.add(now() + " " + line);
        }

        /** Runs the phases; a failure ends with the last of the trace. */
        List<String> run() {
            try {
                phases();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nthe trace's end:\n"
                        + String.join("\n", trace.subList(Math.max(0, trace.size() - 40), trace.size())), e);
            }
            return trace;
        }

        private void phases() {
            long leaseTime = leases.leaseSeconds * S;
            clock.advanceTo(UP);
            awaitLeases(UP + HOUR);
            for (Client client : clients) {
                // RENEWING → BOUND at half the T1s of three hours at least (a T1 is at most half the lease).
                assertTrue(client.renewals >= UP / leaseTime,
                        client + ": " + client.renewals + " renewals, " + client.rebindings + " rebindings");
                assertTrue(server.renewalsFrom.getOrDefault(client.mac, 0) >= UP / leaseTime,
                        "the server saw " + server.renewalsFrom.get(client.mac) + " unicast renewals from " + client);
                if (!lossy) {
                    assertEquals(0, client.expired, client + " lost a lease on a network that loses nothing");
                }
                log(client + ": " + client.leases + " leases, " + client.renewals + " renewals, " + client.rebindings
                        + " rebindings, " + client.expired + " expired");
            }
            probe();

            // The server goes silent (its port 67 closed) at a random point of the leases.
            clock.advanceTo(now() + random.nextLong(leaseTime));
            server.silence();
            long silentFrom = now();
            // A client may have lost its lease to the faults just before and be looking for one.
            List<Client> leased = clients.stream().filter(c -> c.lease != null).toList();
            clock.advanceTo(silentFrom + leaseTime + 5 * MINUTE);
            for (Client client : clients) {
                assertNull(client.lease, client + " still holds a lease with the server silent");
                assertTrue(!leased.contains(client) || client.expiredSince(silentFrom),
                        client + " did not let its lease expire");
                assertEquals(Ipv4Address.ANY, client.ipv4.address());
                assertEquals(new Ipv4Prefix(Ipv4Address.ANY, 0), client.ipv4.network());
                assertEquals(Set.of(), client.arp.addresses());
            }

            server.resume();
            awaitLeases(now() + HOUR);
            probe();
        }

        /**
         * Runs until every client holds a lease with two minutes left at least (enough for {@link #probe}), and
         * checks the addresses are distinct and the server's.
         */
        private void awaitLeases(long deadline) {
            while (!clients.stream().allMatch(c -> c.lease != null && c.lease.expiresAt() - now() > 2 * MINUTE)) {
                assertTrue(now() - deadline < 0, "not every client holds a lease: " + clients);
                clock.advance(Duration.ofSeconds(1));
            }
            Set<Ipv4Address> addresses = new HashSet<>();
            for (Client client : clients) {
                Ipv4Address address = client.lease.address();
                assertTrue(addresses.add(address), "two clients hold " + address);
                assertTrue(NETWORK.contains(address) && !address.equals(SERVER), address.toString());
                assertEquals(address, client.ipv4.address());
                assertEquals(NETWORK, client.ipv4.network());
                assertEquals(address, leases.bindings.get(client.mac).address());
            }
        }

        /**
         * For twenty seconds each client sends a datagram a second to the server and one to a far address, and
         * the server one to each client's leased address; with a fifth of frames lost some of each arrive.
         */
        private void probe() {
            long start = now();
            List<Integer> heard = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                for (Client client : clients) {
                    Ipv4Address address = client.lease.address();
                    clock.schedule(start + i * S, () -> {
                        send(client.udp, new Endpoint(SERVER, PROBE), client.toString());
                        send(client.udp, new Endpoint(FAR, PROBE), client.toString());
                        send(server.udp, new Endpoint(address, PROBE), "server");
                    });
                }
            }
            clock.advanceTo(start + 25 * S);
            for (Client client : clients) {
                Ipv4Address address = client.lease.address();
                assertTrue(server.probes.getOrDefault(address, 0) > 0,
                        "no datagram from " + client + " at " + address + " reached the server");
                assertTrue(server.routed.getOrDefault(address, 0) > 0,
                        "no datagram from " + client + " to " + FAR + " reached its router");
                assertTrue(client.probes > 0, "no datagram from the server reached " + client + " at " + address);
                heard.add(client.probes);
            }
            log("probed " + heard + " " + new TreeMap<>(server.probes) + " " + new TreeMap<>(server.routed));
            server.probes.clear();
            server.routed.clear();
            clients.forEach(c -> c.probes = 0);
        }

        private static void send(Udp udp, Endpoint to, String text) {
            try {
                udp.write(PROBE, to, MemorySegment.ofArray(text.getBytes(StandardCharsets.US_ASCII)));
            } catch (NetworkException e) {
                throw new AssertionError("a probe to " + to + " refused: " + e.getMessage(), e);
            }
        }
    }

    /** A stack node: the production functors over one device, started in the order of their dependencies. */
    static final class Node {
        final Ipv4Layer ipv4;
        final Arp arp;
        final Udp udp;

        Node(Network device, VirtualClock clock, Ipv4Config config, boolean dhcp, long seed, Console console) {
            SplittableRandom entropy = new SplittableRandom(seed);
            List<Module> modules = new ArrayList<>(List.of(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(Network.class).toInstance(device);
                    bind(Clock.class).toInstance(clock);
                    bind(Timers.class).toInstance(clock);
                    bind(Entropy.class).toInstance(entropy::nextBytes);
                    bind(Console.class).toInstance(console);
                }
            }, new EthernetModule(), new ArpModule(), new Ipv4Module(config), new IcmpModule(), new UdpModule()));
            if (dhcp) {
                modules.add(new DhcpModule());
            }
            Injector injector = Guice.createInjector(modules);
            ipv4 = (Ipv4Layer) injector.getInstance(Ipv4.class);
            arp = injector.getInstance(Arp.class);
            udp = injector.getInstance(Udp.class);
            List<Object> services = new ArrayList<>(List.of(injector.getInstance(Ethernet.class), arp, ipv4,
                    injector.getInstance(Icmp.class), udp));
            if (dhcp) {
                services.add(injector.getInstance(DhcpLayer.class));
            }
            try {
                for (Object service : services) {
                    ((Service) service).start();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The server's node: 10.0.0.1/24, the DHCP server on port 67, and the router of the leases it gives. */
    static final class ServerNode {
        final Simulation simulation;
        final MacAddress mac;
        final Node node;
        final Udp udp;
        /** Unicast renewals (REQUESTs with ciaddr to our address) per client. */
        final Map<MacAddress, Integer> renewalsFrom = new HashMap<>();
        /** Datagrams on the probe port, by source address. */
        final Map<Ipv4Address, Integer> probes = new HashMap<>();
        /** Datagrams for {@link #FAR} that came to our MAC, by source address. */
        final Map<Ipv4Address, Integer> routed = new HashMap<>();

        ServerNode(Simulation simulation, Network device) {
            this.simulation = simulation;
            this.mac = device.mac();
            Network tap = new Tap(device, new Observer() {
                @Override
                public void receiving(MemorySegment frame) {
                    Datagram.decode(frame).filter(d -> d.destination().equals(FAR) && d.destinationMac().equals(mac))
                            .ifPresent(d -> routed.merge(d.source(), 1, Integer::sum));
                }
            });
            this.node = new Node(tap, simulation.clock, Ipv4Config.of(SERVER, 24), false, simulation.random.nextLong(),
                    line -> simulation.log("server " + line));
            this.udp = node.udp;
            resume();
            try {
                udp.listen(PROBE, (source, destination, payload) -> {
                    assertEquals(PROBE, source.port());
                    probes.merge(source.address(), 1, Integer::sum);
                });
            } catch (NetworkException e) {
                throw new AssertionError(e);
            }
        }

        void silence() {
            simulation.log("server silent");
            udp.unlisten(DhcpPacket.SERVER_PORT);
        }

        void resume() {
            simulation.log("server up");
            try {
                udp.listen(DhcpPacket.SERVER_PORT, this::request);
            } catch (NetworkException e) {
                throw new AssertionError(e);
            }
        }

        private void request(Endpoint source, Endpoint destination, MemorySegment payload) {
            DhcpMessage request = DhcpMessage.parse(payload);
            simulation.log("server < " + describe(request) + " to " + destination.address());
            if (request.type() == Type.REQUEST && !request.clientAddress().isUnspecified()
                    && destination.address().equals(SERVER)) {
                renewalsFrom.merge(request.clientMac(), 1, Integer::sum);
            }
            simulation.leases.answer(simulation.now(), request).ifPresent(reply -> {
                Ipv4Address to = DhcpTestServer.destination(request, reply);
                simulation.log("server > " + describe(reply) + " to " + to);
                MemorySegment bytes = MemorySegment.ofArray(new byte[reply.length()]);
                reply.emit(bytes);
                try {
                    udp.write(DhcpPacket.SERVER_PORT, new Endpoint(to, DhcpPacket.CLIENT_PORT), bytes);
                } catch (NetworkException e) {
                    throw new AssertionError("the server could not answer: " + e.getMessage(), e);
                }
            });
        }
    }

    /** What a client should hold: the lease of the ACK it took, its times worked out here from the options. */
    record Lease(Ipv4Address address, Ipv4Prefix prefix, Ipv4Address router, long granted, long renewAt,
            long rebindAt, long expiresAt, long taken) {

        static Lease of(DhcpMessage ack, long granted, long taken) {
            long lease = ack.option(DhcpOption.LeaseTime.class).orElseThrow().seconds() * S;
            long t1 = ack.option(DhcpOption.RenewalTime.class).map(t -> t.seconds() * S).orElse(lease / 2);
            long t2 = ack.option(DhcpOption.RebindingTime.class).map(t -> t.seconds() * S).orElse(lease / 8 * 7);
            int length = ack.option(DhcpOption.SubnetMask.class).orElseThrow().prefixLength();
            return new Lease(ack.yourAddress(), Ipv4Prefix.containing(ack.yourAddress(), length),
                    ack.option(DhcpOption.Routers.class).orElseThrow().addresses().getFirst(), granted, granted + t1,
                    granted + t2, granted + lease, taken);
        }
    }

    /** A client node and the checks of what it does, fed by its tap and its console. */
    static final class Client implements Observer, Console {
        final Simulation simulation;
        final int index;
        final MacAddress mac;
        final Node node;
        final Ipv4Layer ipv4;
        final Arp arp;
        final Udp udp;
        /** When each exchange (xid) began: its first REQUEST, or for a renewal the T1 or T2 that began it. */
        final Map<Integer, Long> started = new HashMap<>();
        final Set<Integer> accepted = new HashSet<>();
        /** The exchanges the client has left for a newer one. */
        final Set<Integer> retired = new HashSet<>();
        /** The exchanges that began in RENEWING (unicast), as against REBINDING. */
        final Set<Integer> renewing = new HashSet<>();
        /** The instants this client asked ARP for the server's MAC. */
        final Set<Long> askedForServer = new HashSet<>();
        int currentXid;
        Lease lease;
        boolean rebound;
        DhcpMessage delivering;
        boolean took;
        int leases;
        /** Leases extended by an ACK to RENEWING's unicast REQUEST. */
        int renewals;
        /** Leases extended by an ACK to REBINDING's broadcast. */
        int rebindings;
        int expired;
        long lastExpiry = Long.MIN_VALUE;
        int probes;

        Client(Simulation simulation, int index, Network device) {
            this.simulation = simulation;
            this.index = index;
            this.mac = device.mac();
            this.node = new Node(new Tap(device, this), simulation.clock, Ipv4Config.unconfigured(), true,
                    simulation.random.nextLong(), this);
            this.ipv4 = node.ipv4;
            this.arp = node.arp;
            this.udp = node.udp;
            try {
                udp.listen(PROBE, (source, destination, payload) -> {
                    assertEquals(new Endpoint(SERVER, PROBE), source);
                    probes++;
                });
            } catch (NetworkException e) {
                throw new AssertionError(e);
            }
        }

        long now() {
            return simulation.now();
        }

        boolean expiredSince(long time) {
            return lastExpiry != Long.MIN_VALUE && lastExpiry - time >= 0;
        }

        @Override
        public String toString() {
            return "client " + index + " (" + mac + ")";
        }

        @Override
        public void sent(MemorySegment frame) {
            // An ARP request (operation 1, at offset 6) whose target protocol address (offset 24) is the server's.
            if (Datagram.etherType(frame) == Ethernet.ARP && frame.byteSize() >= 14 + 28
                    && frame.get(ValueLayout.JAVA_BYTE, 14 + 7) == 1 && Datagram.bits(frame, 14 + 24).equals(SERVER)) {
                askedForServer.add(now());
            }
            Optional<Datagram> datagram = Datagram.decode(frame)
                    .filter(d -> d.destinationPort() == DhcpPacket.SERVER_PORT);
            if (datagram.isEmpty()) {
                return;
            }
            Datagram d = datagram.get();
            DhcpMessage message = DhcpMessage.parse(d.payload());
            simulation.log(this + " > " + describe(message) + " from " + d.source() + " to " + d.destination());
            assertEquals(DhcpPacket.CLIENT_PORT, d.sourcePort());
            assertEquals(mac, message.clientMac());
            assertTrue(message.type() == Type.DISCOVER || message.type() == Type.REQUEST,
                    "nothing here stops the client or finds its address in use: " + message);
            if (retired.contains(message.xid())) {
                // Only a unicast REQUEST can be late: it waited on ARP while its exchange ended.
                assertEquals(SERVER, d.destination(), this + " went back to an exchange it had left");
                return;
            }
            boolean first = !started.containsKey(message.xid()) && message.xid() != currentXid;
            if (message.xid() != currentXid) {
                retired.add(currentXid);
                currentXid = message.xid();
            }
            if (message.type() == Type.REQUEST && !message.clientAddress().isUnspecified()) {
                assertNotNull(lease, "a renewal without a lease");
                assertEquals(lease.address(), message.clientAddress());
                assertEquals(lease.address(), d.source());
                boolean rebinding = d.destinationMac().equals(MacAddress.BROADCAST);
                if (rebinding) {
                    assertEquals(Ipv4Address.BROADCAST, d.destination());
                } else {
                    // RFC 2131 §4.4.5: RENEWING unicasts to the server that granted the lease.
                    assertEquals(simulation.server.mac, d.destinationMac());
                    assertEquals(SERVER, d.destination());
                }
                if (first) {
                    // A lease taken late (its REQUEST answered after retransmissions) may be past its T1 or T2
                    // already: the client then starts at once.
                    long due = rebinding ? lease.rebindAt() : lease.renewAt();
                    long begun = due - lease.taken() >= 0 ? due : lease.taken();
                    if (rebinding) {
                        assertEquals(begun, now(), this + " began REBINDING off T2");
                        rebound = true;
                    } else {
                        // At T1 itself, or ARP asked for the server at T1 (its entry aged out) and the
                        // REQUEST waited for the answer (or, with every ARP frame lost, for the next try).
                        assertTrue(now() == begun || askedForServer.contains(begun) && now() - begun > 0,
                                this + " began RENEWING at " + now() + ", T1 is " + begun);
                        renewing.add(message.xid());
                    }
                    started.put(message.xid(), begun);
                }
            } else {
                // RFC 2131 §4.1: from 0.0.0.0 until the client has an address (and §4.4.5: never from one expired).
                assertEquals(Ipv4Address.ANY, d.source(), this + " sent " + message.type() + " from an address");
                assertNull(lease, this + " looks for a lease while holding one");
                assertEquals(Ipv4Address.BROADCAST, d.destination());
                assertEquals(MacAddress.BROADCAST, d.destinationMac());
                if (message.type() == Type.REQUEST) {
                    started.putIfAbsent(message.xid(), now()); // the lease counts from the first REQUEST
                }
            }
        }

        @Override
        public void receiving(MemorySegment frame) {
            Datagram.decode(frame).filter(d -> d.sourcePort() == DhcpPacket.SERVER_PORT).ifPresent(d -> {
                DhcpMessage message = DhcpMessage.parse(d.payload());
                assertEquals(DhcpPacket.CLIENT_PORT, d.destinationPort());
                if (message.type() == Type.ACK && message.clientMac().equals(mac)) {
                    delivering = message;
                    took = false;
                }
            });
        }

        @Override
        public void received(MemorySegment frame) {
            if (delivering == null) {
                return;
            }
            DhcpMessage ack = delivering;
            delivering = null;
            // An ACK answering the exchange the client is in must be taken (the server here only ACKs what it
            // grants): a client that drops it would lose leases the network did not take from it.
            if (ack.xid() == currentXid && started.containsKey(ack.xid()) && !accepted.contains(ack.xid())) {
                assertTrue(took, this + " ignored " + describe(ack));
            }
        }

        @Override
        public void log(String line) {
            simulation.log(this + " " + line);
            if (line.startsWith("dhcp: leased ") || line.startsWith("dhcp: renewed ")) {
                DhcpMessage ack = delivering;
                assertNotNull(ack, this + " took a lease from no ACK: " + line);
                assertFalse(accepted.contains(ack.xid()), "an exchange's lease taken twice: " + line);
                accepted.add(ack.xid());
                took = true;
                Long granted = started.get(ack.xid());
                assertNotNull(granted, this + " took an ACK to a REQUEST it never sent: " + describe(ack));
                Lease next = Lease.of(ack, granted, now());
                if (line.startsWith("dhcp: renewed ")) {
                    assertNotNull(lease, line);
                    assertEquals(lease.address(), next.address(), "a renewal keeps the address");
                    if (renewing.contains(ack.xid())) {
                        renewals++;
                    } else {
                        rebindings++;
                    }
                } else {
                    assertNull(lease, this + " leased while holding a lease");
                    leases++;
                }
                assertTrue(now() - next.expiresAt() < 0, "an expired lease taken");
                lease = next;
                rebound = false;
                // The stack is addressed with the lease, and the server holds the address at least as long.
                assertEquals(next.address(), ipv4.address(), this + ": IPv4 not addressed with the lease");
                assertEquals(next.prefix(), ipv4.network(), this + ": IPv4's network is not the lease's");
                assertEquals(Set.of(next.address()), arp.addresses(), this + ": ARP does not answer for the lease");
                assertEquals(SERVER, next.router());
                DhcpTestServer.Binding binding = simulation.leases.bindings.get(mac);
                assertEquals(next.address(), binding.address());
                assertTrue(next.expiresAt() - binding.expires() <= 0, "the client's lease outlives the server's");
            } else if (line.startsWith("dhcp: lost ")) {
                assertTrue(line.endsWith("(EXPIRED)"), "the server here never refuses: " + line);
                assertNotNull(lease, line);
                assertEquals(lease.expiresAt(), now(), this + " dropped its address off the expiry");
                assertTrue(rebound, this + " let its lease expire without REBINDING at T2");
                assertEquals(Ipv4Address.ANY, ipv4.address(), this + ": IPv4 keeps the expired address");
                assertEquals(Set.of(), arp.addresses(), this + ": ARP answers for the expired address");
                lease = null;
                expired++;
                lastExpiry = now();
            } else {
                throw new AssertionError(this + " said " + line);
            }
        }
    }

    static String describe(DhcpMessage message) {
        return message.type() + " " + Integer.toHexString(message.xid()) + " " + message.clientMac() + " ciaddr "
                + message.clientAddress() + " yiaddr " + message.yourAddress();
    }

    /** What a node's stack writes and receives, seen between its faults and its Ethernet. */
    interface Observer {
        /**
         * A frame the stack wrote.
         *
         * @param frame valid during the call
         */
        default void sent(MemorySegment frame) {}

        /**
         * A frame about to be handed to the stack.
         *
         * @param frame valid during the call
         */
        default void receiving(MemorySegment frame) {}

        /**
         * The same frame, once the stack has handled it.
         *
         * @param frame valid during the call
         */
        default void received(MemorySegment frame) {}
    }

    /** A device that shows an {@link Observer} every frame that passes it. */
    static final class Tap implements Network {
        private final Network inner;
        private final Observer observer;

        Tap(Network inner, Observer observer) {
            this.inner = inner;
            this.observer = observer;
        }

        @Override
        public MacAddress mac() {
            return inner.mac();
        }

        @Override
        public int mtu() {
            return inner.mtu();
        }

        @Override
        public void write(int size, Fill fill) throws NetworkException {
            inner.write(size, buffer -> {
                int length = fill.into(buffer);
                observer.sent(buffer.asSlice(0, length));
                return length;
            });
        }

        @Override
        public void listen(FrameHandler handler) {
            inner.listen(frame -> {
                observer.receiving(frame);
                handler.frame(frame);
                observer.received(frame);
            });
        }

        @Override
        public Counters counters() {
            return inner.counters();
        }
    }

    /** A UDP datagram in an Ethernet frame (unfragmented), as the tap decodes it. */
    record Datagram(MacAddress destinationMac, Ipv4Address source, Ipv4Address destination, int sourcePort,
            int destinationPort, MemorySegment payload) {

        static int etherType(MemorySegment frame) {
            return frame.byteSize() < 14 ? -1
                    : (frame.get(ValueLayout.JAVA_BYTE, 12) & 0xFF) << 8 | frame.get(ValueLayout.JAVA_BYTE, 13) & 0xFF;
        }

        static Ipv4Address bits(MemorySegment segment, long offset) {
            int bits = 0;
            for (int i = 0; i < 4; i++) {
                bits = bits << 8 | segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
            }
            return new Ipv4Address(bits);
        }

        static Optional<Datagram> decode(MemorySegment frame) {
            if (etherType(frame) != Ethernet.IPV4) {
                return Optional.empty();
            }
            MemorySegment packet = frame.asSlice(14);
            if (Ipv4Packet.problem(packet) != Ipv4Packet.OK || Ipv4Packet.protocol(packet) != Ipv4.UDP
                    || Ipv4Packet.isFragment(packet)) {
                return Optional.empty();
            }
            MemorySegment udp = Ipv4Packet.payload(packet);
            UdpPacket.check(udp);
            MacAddress destinationMac = MacAddress.ofBytes(frame.asSlice(0, 6).toArray(ValueLayout.JAVA_BYTE));
            return Optional.of(new Datagram(destinationMac, new Ipv4Address(Ipv4Packet.source(packet)),
                    new Ipv4Address(Ipv4Packet.destination(packet)), UdpPacket.sourcePort(udp),
                    UdpPacket.destinationPort(udp), UdpPacket.payload(udp)));
        }
    }
}

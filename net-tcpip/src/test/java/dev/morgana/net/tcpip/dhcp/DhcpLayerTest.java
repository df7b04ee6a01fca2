package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.net.tcpip.dhcp.DhcpOption.LeaseTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.Routers;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ServerIdentifier;
import dev.morgana.net.tcpip.dhcp.DhcpOption.SubnetMask;
import dev.morgana.net.tcpip.ipv4.Ipv4Addressing;
import dev.morgana.testing.VirtualClock;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The DHCP shell on virtual time, between a recording UDP and a recording IPv4 addressing: what the core
 * decides reaches the wire from port 68 to port 67, lease events readdress IPv4 and are reported, the core's
 * deadlines are kept by the timers, and stopping releases the lease and leaves no timer behind.
 */
class DhcpLayerTest {

    private static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    private static final Ipv4Address OFFERED = Ipv4Address.parse("192.0.2.54");
    private static final Ipv4Address BROADCAST = Ipv4Address.BROADCAST;

    private final VirtualClock clock = new VirtualClock();
    private final RecordingUdp udp = new RecordingUdp();
    private final List<String> addressing = new ArrayList<>();
    private final List<String> console = new ArrayList<>();
    private final DhcpLayer layer = new DhcpLayer(udp, new Ipv4Addressing() {
        @Override
        public void assign(Ipv4Address address, Ipv4Prefix network, Optional<Ipv4Address> gateway) {
            addressing.add("assign " + address + " " + network + " " + gateway.map(Ipv4Address::toString).orElse("-"));
            udp.from = address;
        }

        @Override
        public void unassign() {
            addressing.add("unassign");
            udp.from = Ipv4Address.ANY;
        }
    }, new LinkOnly(), clock, clock, bytes -> java.util.Arrays.fill(bytes, (byte) 7), console::add);

    /** What the layer wrote: destination, source port, the message parsed back, and IPv4's address then. */
    record Sent(Endpoint destination, int sourcePort, DhcpMessage message, Ipv4Address source) {}

    static final class RecordingUdp implements Udp {
        final List<Sent> sent = new ArrayList<>();
        DatagramHandler handler;
        /** The address IPv4 has, as the layer set it: the source of what it writes. */
        Ipv4Address from = Ipv4Address.ANY;

        @Override
        public void listen(int port, DatagramHandler handler) {
            assertEquals(DhcpPacket.CLIENT_PORT, port);
            this.handler = handler;
        }

        @Override
        public void unlisten(int port) {
            assertEquals(DhcpPacket.CLIENT_PORT, port);
            handler = null;
        }

        @Override
        public void write(int sourcePort, Endpoint destination, MemorySegment payload) {
            sent.add(new Sent(destination, sourcePort, DhcpMessage.parse(payload), from));
        }

        Sent last() {
            return sent.getLast();
        }
    }

    /** The link as the client sees it: a MAC and an MTU. */
    static final class LinkOnly implements Ethernet {
        @Override
        public MacAddress mac() {
            return DhcpCoreTest.US;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void write(MacAddress destination, int etherType, int size, Fill fill) {
            throw new AssertionError("DHCP goes through UDP");
        }

        @Override
        public void register(int etherType, PayloadHandler handler) {
            throw new AssertionError("DHCP goes through UDP");
        }
    }

    private void reply(Type type, int xid) {
        List<DhcpOption> options = List.of(new ServerIdentifier(SERVER), new LeaseTime(120),
                new SubnetMask(Ipv4Address.parse("255.255.255.0")), new Routers(List.of(SERVER)));
        DhcpMessage message = DhcpCoreTest.reply(type, xid, DhcpCoreTest.US, OFFERED, options);
        MemorySegment packet = MemorySegment.ofArray(new byte[message.length()]);
        message.emit(packet);
        udp.handler.datagram(new Endpoint(SERVER, DhcpPacket.SERVER_PORT),
                new Endpoint(BROADCAST, DhcpPacket.CLIENT_PORT), packet);
    }

    @Test
    void leasesRenewsAtT1AndReleasesOnStop() throws Exception {
        layer.start();
        assertTrue(udp.sent.isEmpty(), "RFC 2131 §4.4.1: the first DISCOVER waits 1–10 s");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(1, udp.sent.size());
        Sent discover = udp.last();
        assertEquals(Type.DISCOVER, discover.message().type());
        assertEquals(new Endpoint(BROADCAST, DhcpPacket.SERVER_PORT), discover.destination());
        assertEquals(DhcpPacket.CLIENT_PORT, discover.sourcePort());

        reply(Type.OFFER, discover.message().xid());
        Sent request = udp.last();
        assertEquals(Type.REQUEST, request.message().type());
        assertEquals(BROADCAST, request.destination().address());

        reply(Type.ACK, request.message().xid());
        assertEquals(List.of("assign 192.0.2.54 192.0.2.0/24 192.0.2.1"), addressing);
        assertEquals(List.of("dhcp: leased 192.0.2.54 in 192.0.2.0/24 via 192.0.2.1 from 192.0.2.1 for 120 s"),
                console);

        int sentBound = udp.sent.size();
        clock.advance(Duration.ofSeconds(59));
        assertEquals(sentBound, udp.sent.size(), "nothing before T1, half the lease");
        clock.advance(Duration.ofSeconds(1));
        Sent renewal = udp.last();
        assertEquals(Type.REQUEST, renewal.message().type());
        assertEquals(new Endpoint(SERVER, DhcpPacket.SERVER_PORT), renewal.destination(), "RENEWING is unicast");
        assertEquals(OFFERED, renewal.message().clientAddress());
        assertEquals(OFFERED, renewal.source());

        reply(Type.ACK, renewal.message().xid());
        assertEquals("assign 192.0.2.54 192.0.2.0/24 192.0.2.1", addressing.getLast());
        assertEquals("dhcp: renewed 192.0.2.54 in 192.0.2.0/24 via 192.0.2.1 from 192.0.2.1 for 120 s",
                console.getLast());

        layer.stop();
        Sent release = udp.last();
        assertEquals(Type.RELEASE, release.message().type());
        assertEquals(new Endpoint(SERVER, DhcpPacket.SERVER_PORT), release.destination());
        assertEquals(OFFERED, release.source(), "RFC 2131 §4.4.6: released from the address, before it goes");
        assertEquals("unassign", addressing.getLast());
        assertEquals("dhcp: lost 192.0.2.54 (RELEASED)", console.getLast());
        assertEquals(null, udp.handler, "port 68 is given back");
        assertEquals(0, clock.pendingTimers(), "no timer outlives the client");
    }

    @Test
    void aLeaseNobodyRenewsExpiresAndIPv4LosesTheAddress() throws Exception {
        layer.start();
        clock.advance(Duration.ofSeconds(10));
        reply(Type.OFFER, udp.last().message().xid());
        reply(Type.ACK, udp.last().message().xid());
        clock.advance(Duration.ofSeconds(121)); // the server never answers the renewal or the rebinding
        assertEquals("unassign", addressing.getLast());
        assertEquals("dhcp: lost 192.0.2.54 (EXPIRED)", console.getLast());
        Sent discover = udp.last();
        assertEquals(Type.DISCOVER, discover.message().type(), "INIT again at once");
        assertEquals(Ipv4Address.ANY, discover.source(), "RFC 2131 §4.4.5: not from the address that expired");
        layer.stop();
    }

    @Test
    void whatIsNotDhcpOnPort68IsDroppedAndCounted() throws Exception {
        layer.start();
        udp.handler.datagram(new Endpoint(SERVER, DhcpPacket.SERVER_PORT), new Endpoint(BROADCAST, DhcpPacket.CLIENT_PORT),
                MemorySegment.ofArray(new byte[] {1, 2, 3}));
        assertEquals(1, layer.malformed());
        assertTrue(addressing.isEmpty());
        layer.stop();
    }
}

package dev.morgana.net.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.dhcp.DhcpMessage.Type;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ClientIdentifier;
import dev.morgana.net.tcpip.dhcp.DhcpOption.DnsServers;
import dev.morgana.net.tcpip.dhcp.DhcpOption.InterfaceMtu;
import dev.morgana.net.tcpip.dhcp.DhcpOption.LeaseTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ParameterRequestList;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RebindingTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RenewalTime;
import dev.morgana.net.tcpip.dhcp.DhcpOption.RequestedAddress;
import dev.morgana.net.tcpip.dhcp.DhcpOption.Routers;
import dev.morgana.net.tcpip.dhcp.DhcpOption.ServerIdentifier;
import dev.morgana.net.tcpip.dhcp.DhcpOption.SubnetMask;
import dev.morgana.net.tcpip.dhcp.DhcpOption.Unknown;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DHCP message against the bytes dhclient and dnsmasq wrote ({@link DhcpCaptures}): each parses to the
 * message tshark shows, and emits back byte for byte; then the ways parse refuses a message.
 */
class DhcpMessageTest {

    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    static final Ipv4Address LEASED = Ipv4Address.parse("192.0.2.54");
    static final int XID = 0xde4e0557;
    /** dhclient's identifier as its configuration wrote it: type 1, then seven bytes. */
    static final ClientIdentifier DHCLIENT_ID = new ClientIdentifier(new byte[] {1, 2, 0, 0, 0, 0, 0, 0x0b});
    /** What dhclient asked for: 1, 28, 3, 6, 26, 51, 58, 59. */
    static final ParameterRequestList DHCLIENT_PARAMETERS = new ParameterRequestList(List.of(1, 28, 3, 6, 26, 51, 58, 59));
    /** dnsmasq's options after 53 and 54, in its order (28, the broadcast address, unknown to us, kept). */
    static final List<DhcpOption> DNSMASQ_LEASE = List.of(new LeaseTime(120), new RenewalTime(60), new RebindingTime(105),
            new SubnetMask(Ipv4Address.parse("255.255.255.0")), new Unknown(28, new byte[] {(byte) 192, 0, 2, (byte) 255}),
            new InterfaceMtu(1500), new DnsServers(List.of(Ipv4Address.parse("192.0.2.53"))), new Routers(List.of(SERVER)));

    static DhcpMessage request(Type type, int xid, Ipv4Address ciaddr, List<DhcpOption> options) {
        return new DhcpMessage(DhcpPacket.BOOTREQUEST, type, xid, 0, 0, ciaddr, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, CLIENT, options);
    }

    static DhcpMessage reply(Type type, int xid, int flags, Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr,
            List<DhcpOption> options) {
        return new DhcpMessage(DhcpPacket.BOOTREPLY, type, xid, 0, flags, ciaddr, yiaddr, siaddr, Ipv4Address.ANY,
                CLIENT, options);
    }

    static List<DhcpOption> withServer(List<DhcpOption> options) {
        List<DhcpOption> all = new java.util.ArrayList<>();
        all.add(new ServerIdentifier(SERVER));
        all.addAll(options);
        return all;
    }

    static DhcpMessage parse(byte[] bytes) {
        return DhcpMessage.parse(MemorySegment.ofArray(bytes).asReadOnly());
    }

    static byte[] emit(DhcpMessage message) {
        byte[] bytes = new byte[message.length()];
        assertEquals(bytes.length, message.emit(MemorySegment.ofArray(bytes)));
        return bytes;
    }

    /** Parses frame {@code number}, compares it with {@code expected}, and emits {@code expected} back to the bytes. */
    private static void golden(int number, DhcpMessage expected) {
        byte[] captured = DhcpCaptures.payload(number);
        assertEquals(expected, parse(captured), "frame " + number);
        assertArrayEquals(captured, emit(expected), "frame " + number);
    }

    @Test
    void dhclientDiscover() {
        golden(1, request(Type.DISCOVER, XID, Ipv4Address.ANY, List.of(DHCLIENT_PARAMETERS, DHCLIENT_ID)));
    }

    @Test
    void dnsmasqOffer() {
        golden(2, reply(Type.OFFER, XID, 0, Ipv4Address.ANY, LEASED, SERVER, withServer(DNSMASQ_LEASE)));
    }

    @Test
    void dhclientRequestWhenSelecting() {
        golden(3, request(Type.REQUEST, XID, Ipv4Address.ANY, List.of(new ServerIdentifier(SERVER),
                new RequestedAddress(LEASED), DHCLIENT_PARAMETERS, DHCLIENT_ID)));
    }

    @Test
    void dnsmasqAck() {
        DhcpMessage ack = reply(Type.ACK, XID, 0, Ipv4Address.ANY, LEASED, SERVER, withServer(DNSMASQ_LEASE));
        golden(4, ack);
        assertEquals(120, ack.option(LeaseTime.class).orElseThrow().seconds());
        assertEquals(SERVER, ack.serverIdentifier().orElseThrow());
        assertEquals(24, ack.option(SubnetMask.class).orElseThrow().prefixLength());
    }

    @Test
    void dhclientRequestWhenRenewing() {
        golden(5, request(Type.REQUEST, XID, LEASED, List.of(DHCLIENT_PARAMETERS, DHCLIENT_ID)));
    }

    @Test
    void dnsmasqAckToARenewal() {
        // dnsmasq extends the lease from its old start: T1 and T2 are what remains of 60 and 105 s, 7 s later.
        List<DhcpOption> options = new java.util.ArrayList<>(DNSMASQ_LEASE);
        options.set(1, new RenewalTime(53));
        options.set(2, new RebindingTime(98));
        golden(6, reply(Type.ACK, XID, 0, LEASED, LEASED, SERVER, withServer(options)));
    }

    @Test
    void dhclientRelease() {
        golden(7, request(Type.RELEASE, 0x598a736c, LEASED, List.of(new ServerIdentifier(SERVER), DHCLIENT_ID)));
    }

    @Test
    void initRebootRequestAndDnsmasqsNak() {
        ClientIdentifier id = ClientIdentifier.ofMac(CLIENT);
        DhcpMessage request = request(Type.REQUEST, 0x4d6f7267, Ipv4Address.ANY,
                List.of(new RequestedAddress(Ipv4Address.parse("198.51.100.7")), id));
        byte[] captured = DhcpCaptures.payload(8);
        assertEquals(259, captured.length, "the script does not pad");
        assertEquals(request, parse(captured));
        byte[] emitted = emit(request);
        assertEquals(DhcpPacket.MIN_LENGTH, emitted.length, "we do");
        assertArrayEquals(captured, Arrays.copyOf(emitted, captured.length));
        assertArrayEquals(new byte[DhcpPacket.MIN_LENGTH - captured.length],
                Arrays.copyOfRange(emitted, captured.length, emitted.length));
        // dnsmasq broadcasts the NAK with its reason in option 56 (RFC 2132 §9.9), kept as an unknown option.
        golden(9, reply(Type.NAK, 0x4d6f7267, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, List.of(new ServerIdentifier(SERVER), new Unknown(56, "wrong network".getBytes(StandardCharsets.US_ASCII)))));
    }

    @Test
    void overloadedFileAndSnameAreReadAfterTheOptionsField() {
        byte[] bytes = emit(request(Type.DISCOVER, 7, Ipv4Address.ANY, List.of()));
        // options field: 53, overload 3 (file and sname), end; file: lease time part 1 of a router list split in
        // two (RFC 3396), end; sname: the list's second part and the lease time, end.
        put(bytes, DhcpPacket.OPTIONS, 53, 1, 1, 52, 1, 3, 255);
        put(bytes, DhcpPacket.FILE, 3, 4, 10, 0, 0, 1, 0, 0, 255);
        put(bytes, DhcpPacket.SNAME, 3, 4, 10, 0, 0, 2, 51, 4, 0, 0, 0, 60, 255);
        DhcpMessage message = parse(bytes);
        assertEquals(List.of(new Routers(List.of(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"))),
                new LeaseTime(60)), message.options());
        assertEquals(message, parse(emit(message)), "emitted without overload, parsed the same");
    }

    @Test
    void longOptionsAreSplitAndJoined() {
        byte[] value = new byte[600];
        Arrays.fill(value, (byte) 0x5a);
        DhcpMessage message = request(Type.DISCOVER, 1, Ipv4Address.ANY, List.of(new Unknown(224, value)));
        byte[] bytes = emit(message);
        assertEquals(DhcpPacket.OPTIONS + 3 + 3 * 2 + 600 + 1, bytes.length);
        assertEquals(255, bytes[DhcpPacket.OPTIONS + 3 + 1] & 0xFF, "first part 255 bytes");
        assertEquals(message, parse(bytes));
    }

    private static void put(byte[] bytes, int at, int... values) {
        for (int i = 0; i < values.length; i++) {
            bytes[at + i] = (byte) values[i];
        }
    }

    private static void assertRefused(byte[] bytes, String why) {
        assertThrows(MalformedPacketException.class, () -> parse(bytes), why);
    }

    @Test
    void refused() {
        byte[] ack = DhcpCaptures.payload(4);
        assertRefused(Arrays.copyOf(ack, DhcpPacket.HEADER_LENGTH - 1), "shorter than the fixed part");
        assertRefused(Arrays.copyOf(ack, DhcpPacket.OPTIONS + 20), "cut inside the options: no end");
        assertRefused(Arrays.copyOf(ack, DhcpPacket.OPTIONS + 4), "cut inside an option's value");
        byte[] bad = ack.clone();
        bad[DhcpPacket.OP] = 3;
        assertRefused(bad, "op 3");
        bad = ack.clone();
        bad[DhcpPacket.HTYPE] = 6;
        assertRefused(bad, "IEEE 802 token ring, not Ethernet");
        bad = ack.clone();
        bad[DhcpPacket.HLEN] = 16;
        assertRefused(bad, "16-byte hardware address");
        bad = ack.clone();
        bad[DhcpPacket.COOKIE + 3] = 0;
        assertRefused(bad, "no magic cookie");
        bad = ack.clone();
        bad[DhcpPacket.OPTIONS + 2] = 9;
        assertRefused(bad, "message type 9");
        bad = ack.clone();
        put(bad, DhcpPacket.OPTIONS, 0, 0, 0); // the type replaced by pads: BOOTP
        assertRefused(bad, "no message type");
        bad = ack.clone();
        bad[DhcpPacket.OPTIONS + 3 + 1] = 5; // server identifier of 5 bytes
        assertRefused(bad, "server identifier not 4 bytes");
        bad = emit(request(Type.DISCOVER, 1, Ipv4Address.ANY, List.of()));
        put(bad, DhcpPacket.OPTIONS + 3, 1, 4, 255, 0, 255, 0, 255);
        assertRefused(bad, "subnet mask 255.0.255.0 not contiguous");
        put(bad, DhcpPacket.OPTIONS + 3, 52, 1, 4, 255);
        assertRefused(bad, "overload 4");
        put(bad, DhcpPacket.OPTIONS + 3, 52, 1, 1, 255);
        assertRefused(bad, "overload 1 but 'file' has no end option");
        put(bad, DhcpPacket.FILE, 52, 1, 2, 255);
        assertRefused(bad, "overload inside 'file'");
        bad = emit(request(Type.DISCOVER, 1, Ipv4Address.ANY, List.of()));
        put(bad, DhcpPacket.OPTIONS + 3, 26, 2, 0, 67, 255);
        assertRefused(bad, "MTU 67");
        put(bad, DhcpPacket.OPTIONS + 3, 61, 1, 1, 255);
        assertRefused(bad, "client identifier of 1 byte");
        put(bad, DhcpPacket.OPTIONS + 3, 3, 0, 255);
        assertRefused(bad, "empty router list");
    }

    @Test
    void padsAndTrailingBytesAreSkipped() {
        byte[] bytes = emit(request(Type.DISCOVER, 1, Ipv4Address.ANY, List.of()));
        put(bytes, DhcpPacket.OPTIONS + 3, 0, 0, 51, 4, 0, 0, 1, 0, 0, 255, 1, 2, 3);
        assertEquals(List.of(new LeaseTime(256)), parse(bytes).options());
    }

    @Test
    void invalidRecordsAreRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> request(Type.DISCOVER, 1, Ipv4Address.ANY,
                List.of(new LeaseTime(1), new LeaseTime(2))));
        assertThrows(IllegalArgumentException.class, () -> new Unknown(53, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Unknown(1, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new LeaseTime(DhcpOption.INFINITE + 1));
        assertThrows(IllegalArgumentException.class, () -> new ParameterRequestList(List.of(255)));
        assertThrows(IndexOutOfBoundsException.class, () -> request(Type.DISCOVER, 1, Ipv4Address.ANY, List.of())
                .emit(MemorySegment.ofArray(new byte[DhcpPacket.MIN_LENGTH - 1])));
    }
}

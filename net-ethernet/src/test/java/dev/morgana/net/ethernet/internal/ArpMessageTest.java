package dev.morgana.net.ethernet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Golden bytes from Linux (see {@link Captures}), construct, parse, emit, and what parse refuses. */
class ArpMessageTest {

    static final MacAddress A = EthernetHeaderTest.A;
    static final MacAddress B = EthernetHeaderTest.B;
    static final Ipv4Address IP_A = Ipv4Address.parse("192.0.2.10");
    static final Ipv4Address IP_B = Ipv4Address.parse("192.0.2.11");
    static final MacAddress ZERO = new MacAddress(0);

    static MemorySegment payload(byte[] frame) {
        return MemorySegment.ofArray(frame).asSlice(14);
    }

    @Test
    void deconstructsLinuxsRequest() {
        MemorySegment packet = payload(Captures.arping(1));
        ArpPacket.check(packet);
        assertEquals(1, ArpPacket.hardwareType(packet));
        assertEquals(0x0800, ArpPacket.protocolType(packet));
        assertEquals(6, ArpPacket.hardwareLength(packet));
        assertEquals(4, ArpPacket.protocolLength(packet));
        assertEquals(ArpPacket.REQUEST, ArpPacket.operation(packet));
        assertEquals(A.bits(), ArpPacket.senderMac(packet));
        assertEquals(IP_A.bits(), ArpPacket.senderIp(packet));
        assertEquals(0, ArpPacket.targetMac(packet));
        assertEquals(IP_B.bits(), ArpPacket.targetIp(packet));
    }

    @Test
    void parsesLinuxsRequestReplyAnnouncementAndProbe() {
        assertEquals(ArpMessage.Request.of(A, IP_A, IP_B), ArpMessage.parse(payload(Captures.arping(1))));
        assertEquals(new ArpMessage.Reply(B, IP_B, A, IP_A), ArpMessage.parse(payload(Captures.arping(2))));
        // arping -U: a gratuitous request with the broadcast address as target MAC
        ArpMessage announcement = ArpMessage.parse(payload(Captures.arping(5)));
        assertEquals(new ArpMessage.Request(A, IP_A, MacAddress.BROADCAST, IP_A), announcement);
        ArpMessage probe = ArpMessage.parse(payload(Captures.probe(1)));
        assertEquals(ArpMessage.Request.of(A, Ipv4Address.ANY, IP_B), probe);
        assertTrue(((ArpMessage.Request) probe).isProbe());
        assertFalse(((ArpMessage.Request) announcement).isProbe());
    }

    @Test
    void emitsLinuxsPacketsByteForByte() {
        for (byte[] frame : new byte[][] {Captures.arping(1), Captures.arping(2), Captures.arping(5), Captures.probe(1)}) {
            byte[] golden = Arrays.copyOfRange(frame, 14, 14 + ArpPacket.LENGTH);
            byte[] out = new byte[ArpPacket.LENGTH];
            assertEquals(28, ArpMessage.parse(MemorySegment.ofArray(golden)).emit(MemorySegment.ofArray(out)));
            assertArrayEquals(golden, out);
        }
    }

    @Test
    void buildsAnnouncementsAsRfc5227Says() {
        assertEquals(new ArpMessage.Request(A, IP_A, ZERO, IP_A), ArpMessage.Request.announcement(A, IP_A));
    }

    @Test
    void refusesWhatIsNotEthernetIpv4ArpRequestOrReply() {
        byte[] good = Arrays.copyOfRange(Captures.arping(1), 14, 42);
        assertThrows(MalformedPacketException.class, () -> ArpMessage.parse(MemorySegment.ofArray(Arrays.copyOf(good, 27))));
        int[][] damage = {{0, 1}, {1, 6}, {2, 0x86}, {3, 0xDD}, {4, 8}, {5, 16}, {7, 3}, {7, 4}, {7, 0}, {6, 1}};
        for (int[] change : damage) {
            byte[] bad = good.clone();
            bad[change[0]] = (byte) change[1];
            assertThrows(MalformedPacketException.class, () -> ArpMessage.parse(MemorySegment.ofArray(bad)),
                    "byte " + change[0] + " = " + change[1]);
        }
    }
}

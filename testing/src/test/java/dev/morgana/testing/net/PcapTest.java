package dev.morgana.testing.net;

import static dev.morgana.testing.net.Frames.ethernet;
import static dev.morgana.testing.net.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.net.MacAddress;
import dev.morgana.testing.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapTest {

    @Test
    void readsBackWhatTheRecorderWrote() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] first = ethernet(MacAddress.BROADCAST, lan.port(0).mac(), 0x88B5, new byte[46]);
        byte[] second = ethernet(MacAddress.BROADCAST, lan.port(0).mac(), 0x88B5, new byte[100]);
        try (PcapRecordingNetwork capture = new PcapRecordingNetwork(lan.port(0), clock, file)) {
            send(capture, first);
            clock.advance(Duration.ofMillis(1));
            send(capture, second);
        }
        List<byte[]> frames = Pcap.frames(file.toByteArray());
        assertEquals(2, frames.size());
        assertArrayEquals(first, frames.get(0));
        assertArrayEquals(second, frames.get(1));
    }

    /** tcpdump on a big-endian machine, or with nanosecond timestamps, writes other magics: the same frames. */
    @Test
    void readsEitherByteOrderAndNanosecondFiles() {
        String frame = "ffffffffffff" + "020000000001" + "88b5" + "010203";
        byte[] bigEndian = HexFormat.of().parseHex("a1b2c3d4" + "0002" + "0004" + "00000000" + "00000000"
                + "00040000" + "00000001" + "386d4381" + "0007a122" + "00000011" + "00000011" + frame);
        byte[] nanos = HexFormat.of().parseHex("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000"
                + "00000400" + "01000000" + "81436d38" + "00000000" + "11000000" + "11000000" + frame);
        assertEquals(frame, HexFormat.of().formatHex(Pcap.frames(bigEndian).getFirst()));
        assertEquals(frame, HexFormat.of().formatHex(Pcap.frames(nanos).getFirst()));
    }

    @Test
    void refusesWhatIsNotAPcapOfEthernetFramesOrIsCutShort() {
        byte[] header = HexFormat.of().parseHex("d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400"
                + "01000000");
        assertEquals(List.of(), Pcap.frames(header));
        assertThrows(IllegalArgumentException.class, () -> Pcap.frames(new byte[10]));
        byte[] notPcap = header.clone();
        notPcap[0] = 0;
        assertThrows(IllegalArgumentException.class, () -> Pcap.frames(notPcap));
        byte[] otherLink = header.clone();
        otherLink[20] = 113; // LINKTYPE_LINUX_SLL
        assertThrows(IllegalArgumentException.class, () -> Pcap.frames(otherLink));
        byte[] record = HexFormat.of().parseHex("00000000" + "00000000" + "11000000" + "11000000" + "ffff");
        byte[] cut = Arrays.copyOf(header, header.length + record.length);
        System.arraycopy(record, 0, cut, header.length, record.length);
        assertThrows(IllegalArgumentException.class, () -> Pcap.frames(cut));
        assertThrows(IllegalArgumentException.class, () -> Pcap.frames(Arrays.copyOf(header, header.length + 10)));
        assertThrows(IllegalStateException.class, () -> Pcap.frames(PcapTest.class, "no-such.pcap"));
    }
}

package dev.morgana.net.tcpip.ipv4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.net.tcpip.Ipv4Config;
import dev.morgana.testing.VirtualClock;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux as the judge of our fragmentation: the layer fragments a 4,000-byte UDP datagram for 192.0.2.11, the
 * frames go out on one end of a veth pair (written with an {@code AF_PACKET} socket) in a namespace this
 * test creates, and Linux, owning 192.0.2.11 on the other end, reassembles it and hands it to a UDP socket:
 * the bytes it gets must be ours. Traffic stays inside the namespace; everything is deleted afterwards.
 * Skipped, saying why, without root or {@code ip}/{@code python3}; under {@code CI=true} it must run.
 */
class LinuxReassemblyTest {

    static final MacAddress OURS = MacAddress.parse("02:00:00:00:01:0a");
    static final MacAddress LINUX = MacAddress.parse("02:00:00:00:01:0b");
    static final Ipv4Address US = Ipv4Address.parse("192.0.2.10");
    static final Ipv4Address THEM = Ipv4Address.parse("192.0.2.11");
    static final int PORT = 40_007;

    static final String SEND = """
            import socket, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((sys.argv[1], 0))
            data = open(sys.argv[2], 'rb').read()
            at = 0
            while at < len(data):
                n = int.from_bytes(data[at:at + 2], 'big')
                s.send(data[at + 2:at + 2 + n])
                at += 2 + n
            """;

    static final String RECEIVE = """
            import socket, hashlib, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.settimeout(10)
            print('ready', flush=True)
            d, a = s.recvfrom(70000)
            print(len(d), hashlib.sha256(d).hexdigest(), a[0], flush=True)
            """;

    static String run(long seconds, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }

    static boolean runnable() throws IOException, InterruptedException {
        boolean ci = "true".equals(System.getenv("CI"));
        String why = null;
        if (!Files.isExecutable(Path.of("/usr/bin/python3")) || !Files.isExecutable(Path.of("/usr/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            why = "ip and python3 are needed";
        } else if (!run(5, "id", "-u").strip().equals("0")) {
            why = "network namespaces need root";
        }
        if (why != null && ci) {
            throw new AssertionError("CI must run this test, but " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        return true;
    }

    /** The frames our layer writes for one UDP datagram with checksum 0 (none: RFC 768), and the UDP payload. */
    static List<byte[]> fragments(byte[] data) throws Exception {
        Fakes.RecordingEthernet ethernet = new Fakes.RecordingEthernet();
        Fakes.ScriptedArp arp = new Fakes.ScriptedArp();
        arp.known.put(THEM, LINUX);
        VirtualClock clock = new VirtualClock();
        Ipv4Layer layer = new Ipv4Layer(ethernet, arp, clock, clock, Ipv4Config.of(US, 24));
        layer.start();
        int length = 8 + data.length;
        layer.write(THEM, Ipv4.UDP, length, Fill.copyOf(MemorySegment.ofArray(udp(data))));
        List<byte[]> frames = new ArrayList<>();
        for (Fakes.Written written : ethernet.written) {
            assertEquals(LINUX, written.destination());
            byte[] frame = new byte[14 + written.packet().length];
            System.arraycopy(LINUX.toBytes(), 0, frame, 0, 6);
            System.arraycopy(OURS.toBytes(), 0, frame, 6, 6);
            frame[12] = 0x08;
            System.arraycopy(written.packet(), 0, frame, 14, written.packet().length);
            frames.add(frame);
        }
        return frames;
    }

    static byte[] udp(byte[] data) {
        byte[] datagram = new byte[8 + data.length];
        datagram[0] = (byte) (PORT >>> 8); // source port: the same, for simplicity
        datagram[1] = (byte) PORT;
        datagram[2] = (byte) (PORT >>> 8);
        datagram[3] = (byte) PORT;
        datagram[4] = (byte) (datagram.length >>> 8);
        datagram[5] = (byte) datagram.length;
        System.arraycopy(data, 0, datagram, 8, data.length);
        return datagram;
    }

    @Test
    void linuxReassemblesOurFragmentedDatagramIntact(@TempDir Path folder) throws Exception {
        runnable();
        byte[] data = new byte[4000];
        new SplittableRandom(7).nextBytes(data);
        List<byte[]> frames = fragments(data);
        assertEquals(3, frames.size(), "4,008 bytes of UDP in 1,480 + 1,480 + 1,048");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            out.write(frame.length >>> 8);
            out.write(frame.length);
            out.write(frame);
        }
        Path framesFile = Files.write(folder.resolve("frames"), out.toByteArray());
        Path send = Files.writeString(folder.resolve("send.py"), SEND);
        Path receive = Files.writeString(folder.resolve("receive.py"), RECEIVE);

        String namespace = "morgana-ipv4-" + Long.toHexString(new SplittableRandom().nextLong() & 0xFFFFFFFFL);
        Process receiver = null;
        try {
            run(10, "ip", "netns", "add", namespace);
            run(10, "ip", "-n", namespace, "link", "add", "mta", "type", "veth", "peer", "name", "mtb");
            run(10, "ip", "-n", namespace, "link", "set", "mta", "address", OURS.toString());
            run(10, "ip", "-n", namespace, "link", "set", "mtb", "address", LINUX.toString());
            run(10, "ip", "-n", namespace, "addr", "add", THEM + "/24", "dev", "mtb");
            run(10, "ip", "-n", namespace, "link", "set", "lo", "up");
            run(10, "ip", "-n", namespace, "link", "set", "mta", "up");
            run(10, "ip", "-n", namespace, "link", "set", "mtb", "up");
            receiver = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", receive.toString(),
                    THEM.toString(), Integer.toString(PORT)).redirectErrorStream(true).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", lines.readLine());
            run(10, "ip", "netns", "exec", namespace, "python3", send.toString(), "mta", framesFile.toString());
            assertTrue(receiver.waitFor(15, TimeUnit.SECONDS), "Linux's UDP socket answered within 15 s");
            String got = lines.readLine();
            String expected = data.length + " "
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)) + " " + US;
            assertEquals(expected, got, "Linux got our 4,000 bytes, reassembled from three fragments, from " + US);
        } finally {
            if (receiver != null) {
                receiver.destroyForcibly();
            }
            // Deleting the namespace deletes the veth pair with it; tolerated when the namespace never came.
            Process delete = new ProcessBuilder("ip", "netns", "del", namespace).redirectErrorStream(true).start();
            delete.getInputStream().readAllBytes();
            assertTrue(delete.waitFor(10, TimeUnit.SECONDS), "ip netns del finished");
        }
    }
}

package dev.morgana.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.api.net.Udp;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP on the unix target, against the JDK's datagram sockets and nc. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixUdpTest {

    /** Echoes each datagram back to its sender, from the port it arrived on. */
    static Udp.DatagramHandler echo(Udp udp) {
        return (source, destination, payload) -> {
            try {
                udp.write(destination.port(), source, payload);
            } catch (NetworkException e) {
                throw new AssertionError(e);
            }
        };
    }

    static int freeUdpPort() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aJdkSocketGetsItsDatagramEchoedFromTheListeningPort() throws Exception {
        int port = freeUdpPort();
        OnUnix.run(stack -> {
            Udp udp = stack.udp();
            BlockingQueue<Endpoint> seen = new ArrayBlockingQueue<>(4);
            udp.listen(port, (source, destination, payload) -> {
                seen.add(source);
                echo(udp).datagram(source, destination, payload);
            });
            try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                client.setSoTimeout(10_000);
                byte[] ping = "ping over udp".getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket answer = new DatagramPacket(new byte[100], 100);
                client.receive(answer);
                assertEquals("ping over udp", new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII));
                assertEquals(port, answer.getPort(), "the answer comes from the listening port");
                assertEquals(new Endpoint(Ipv4Address.LOOPBACK, client.getLocalPort()), seen.poll(5, TimeUnit.SECONDS));
            } finally {
                udp.unlisten(port);
            }
        });
    }

    @Test
    void ncGetsItsDatagramEchoed() throws Exception {
        String nc = Peers.require("nc");
        int port = freeUdpPort();
        OnUnix.run(stack -> {
            stack.udp().listen(port, echo(stack.udp()));
            String echoed = Peers.run(20, "hello, udp\n".getBytes(StandardCharsets.US_ASCII),
                    nc, "-u", "-w", "2", "127.0.0.1", Integer.toString(port));
            assertEquals("hello, udp\n", echoed);
        });
    }

    @Test
    void theMorganaSideSendsFromAnEphemeralPort() throws Exception {
        OnUnix.run(stack -> {
            try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                server.setSoTimeout(10_000);
                byte[] bytes = new byte[1472];
                new java.util.SplittableRandom(3).nextBytes(bytes);
                stack.udp().write(0, new Endpoint(Ipv4Address.LOOPBACK, server.getLocalPort()), MemorySegment.ofArray(bytes));
                DatagramPacket received = new DatagramPacket(new byte[2000], 2000);
                server.receive(received);
                assertEquals(bytes.length, received.getLength());
                assertEquals(MemorySegment.ofArray(bytes).asSlice(0, 1472).mismatch(
                        MemorySegment.ofArray(received.getData()).asSlice(0, received.getLength())), -1L);
                assertTrue(received.getPort() > 0);
            }
        });
    }

    @Test
    void aHandlerMayAnswerFromAPortNobodyListensOnAndThatPortCanBeListenedOnLater() throws Exception {
        int port = freeUdpPort();
        int answerPort = freeUdpPort();
        OnUnix.run(stack -> {
            Udp udp = stack.udp();
            // Answers come from answerPort, which only sends: its channel is bound on the event loop's behalf.
            udp.listen(port, (source, destination, payload) -> {
                try {
                    udp.write(answerPort, source, payload);
                } catch (NetworkException e) {
                    throw new AssertionError(e);
                }
            });
            try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                client.setSoTimeout(10_000);
                byte[] ping = "answer me elsewhere".getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket answer = new DatagramPacket(new byte[100], 100);
                client.receive(answer);
                assertEquals("answer me elsewhere", new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII));
                assertEquals(answerPort, answer.getPort());
            }
            BlockingQueue<String> heard = new ArrayBlockingQueue<>(1);
            udp.listen(answerPort, (source, destination, payload) ->
                    heard.add(new String(payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)));
            try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                byte[] hi = "now I listen".getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(hi, hi.length, InetAddress.getLoopbackAddress(), answerPort));
                assertEquals("now I listen", heard.poll(10, TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void refusesOversizedPayloadsAndTakenPorts() throws Exception {
        int port = freeUdpPort();
        OnUnix.run(stack -> {
            Udp udp = stack.udp();
            NetworkException tooLarge = assertThrows(NetworkException.class, () -> udp.write(0,
                    new Endpoint(Ipv4Address.LOOPBACK, 9), MemorySegment.ofArray(new byte[65_508])));
            assertEquals(Reason.MESSAGE_TOO_LARGE, tooLarge.reason());
            udp.listen(port, (source, destination, payload) -> { });
            assertEquals(Reason.ADDRESS_IN_USE, assertThrows(NetworkException.class,
                    () -> udp.listen(port, (source, destination, payload) -> { })).reason());
            try (DatagramSocket squatter = new DatagramSocket(0, InetAddress.getByName("0.0.0.0"))) {
                assertEquals(Reason.ADDRESS_IN_USE, assertThrows(NetworkException.class,
                        () -> udp.listen(squatter.getLocalPort(), (source, destination, payload) -> { })).reason());
            }
            udp.unlisten(port);
            udp.listen(port, (source, destination, payload) -> { }); // free again after unlisten
        });
    }
}

package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.EventLoop;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.testing.net.Netns;
import dev.morgana.unix.internal.CustomCarriers;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TapNetwork against the Linux kernel's stack: the TAP is moved into a namespace the test creates, whose side
 * is 192.0.2.1/24, and the test plays 192.0.2.2 with hand-built ARP frames (the network rule of TESTING.md).
 */
class TapNetworkTest {

    private static final byte[] LINUX_IP = {(byte) 192, 0, 2, 1};
    private static final byte[] OUR_IP = {(byte) 192, 0, 2, 2};
    private static final Entropy ENTROPY = new SecureRandom()::nextBytes;

    @TempDir
    Path dir;

    private final List<String> console = new ArrayList<>();
    private final Console log = line -> {
        synchronized (console) {
            console.add(line);
        }
    };

    /** Frames the handler saw, copied out of the device's buffer (valid only during the call). */
    private static final class Recorder implements Network.FrameHandler {
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>(100_000);
        final List<byte[]> all = new ArrayList<>();

        @Override
        public void frame(MemorySegment frame) {
            assertTrue(frame.isReadOnly(), "a received frame is read-only");
            byte[] bytes = frame.toArray(ValueLayout.JAVA_BYTE);
            synchronized (all) {
                all.add(bytes);
            }
            frames.offer(bytes);
        }

        /** Waits (at most {@code seconds}) for a frame that {@code wanted} accepts. */
        Optional<byte[]> await(int seconds, java.util.function.Predicate<byte[]> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                byte[] frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame != null && wanted.test(frame)) {
                    return Optional.of(frame);
                }
            }
            return Optional.empty();
        }
    }

    /** The few ARP fields the test needs, read straight from an Ethernet II frame. */
    private record Arp(MacAddress destination, int operation, MacAddress senderMac, byte[] senderIp,
            MacAddress targetMac, byte[] targetIp) {

        static Optional<Arp> of(byte[] frame) {
            ByteBuffer b = ByteBuffer.wrap(frame);
            // EtherType ARP; Ethernet and IPv4 addresses of six and four bytes (RFC 826).
            if (frame.length < 42 || b.getShort(12) != 0x0806 || b.getShort(14) != 1 || b.getShort(16) != 0x0800
                    || frame[18] != 6 || frame[19] != 4) {
                return Optional.empty();
            }
            return Optional.of(new Arp(mac(frame, 0), b.getShort(20), mac(frame, 22),
                    java.util.Arrays.copyOfRange(frame, 28, 32), mac(frame, 32), java.util.Arrays.copyOfRange(frame, 38, 42)));
        }

        private static MacAddress mac(byte[] frame, int at) {
            return MacAddress.ofBytes(java.util.Arrays.copyOfRange(frame, at, at + 6));
        }
    }

    /** An ARP request from {@code mac}/192.0.2.2 for 192.0.2.1, padded to the 60-byte minimum. */
    private static int arpRequest(MemorySegment buffer, MacAddress mac) {
        ByteBuffer b = buffer.asByteBuffer();
        b.put(MacAddress.BROADCAST.toBytes()).put(mac.toBytes()).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(mac.toBytes()).put(OUR_IP).put(new byte[6]).put(LINUX_IP);
        while (b.position() < 60) {
            b.put((byte) 0);
        }
        return 60;
    }

    private TapNetwork tap(String name) {
        return new TapNetwork(TapConfig.named(name).withMtu(1500), ENTROPY, log);
    }

    @Test
    void withTheOffloadTurnedOffNoSuperSegmentIsTaken() throws Exception {
        Netns.requireTapAndNamespaces();
        String name = Netns.tapName();
        TapNetwork tap;
        System.setProperty("morgana.tap.offload", "false"); // read when the device is made
        try {
            tap = tap(name);
        } finally {
            System.clearProperty("morgana.tap.offload");
        }
        tap.start();
        try {
            assertEquals(0, tap.tcpSegmentationLimit());
            assertThrows(UnsupportedOperationException.class, () -> tap.writeTcpSegments(3000, 1448, buffer -> 0));
            TapNetwork on = tap(Netns.tapName());
            on.start();
            try {
                assertEquals(TapNetwork.SEGMENTATION_LIMIT, on.tcpSegmentationLimit());
            } finally {
                on.stop();
            }
        } finally {
            tap.stop();
        }
    }

    @Test
    void aFrameHandlerWaitingForALockThatAThreadOfTheLoopHoldsDoesNotStallTheLoop() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("ping");
        assumeTrue(CustomCarriers.available(), CustomCarriers::whyNot);
        String name = Netns.tapName();
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> holder = new CompletableFuture<>();
        CompletableFuture<Void> handlerGotTheLock = new CompletableFuture<>();
        AtomicInteger frames = new AtomicInteger();
        TapNetwork tap = tap(name);
        // The first frame starts a thread on the loop that takes the lock and waits; the second frame's handler
        // waits for that lock. Had the loop's platform thread delivered the frame, it would wait in lock() for a
        // thread that only it can run.
        tap.listen(frame -> {
            int n = frames.incrementAndGet();
            if (n == 1) {
                EventLoop.virtualThreadsHere().start(() -> {
                    lock.lock();
                    try {
                        holder.complete(Thread.currentThread().toString());
                        held.countDown();
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        lock.unlock();
                    }
                });
            } else if (n == 2) {
                lock.lock();
                lock.unlock();
                handlerGotTheLock.complete(null);
            }
        });
        try (Netns netns = Netns.create("tap")) {
            tap.start();
            try {
                netns.adopt(name, "192.0.2.1/24");
                Process ping = netns.start("ping", "-c", "10", "-W", "1", "192.0.2.2"); // ARP requests, one a second
                try {
                    assertTrue(held.await(10, TimeUnit.SECONDS), "the first frame's thread took the lock");
                    // A mounted virtual thread names its carrier: "VirtualThread[#42]/runnable@morgana-tap-…".
                    assertTrue(holder.get().endsWith("@morgana-tap-" + name), holder.get());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!lock.hasQueuedThreads() && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    assertTrue(lock.hasQueuedThreads(), "the second frame's handler waits for the lock");
                    release.countDown();
                    handlerGotTheLock.get(10, TimeUnit.SECONDS);
                } finally {
                    ping.destroyForcibly();
                }
            } finally {
                release.countDown();
                tap.stop();
            }
        }
        assertTrue(console.isEmpty(), console.toString());
    }

    @Test
    void receivesTheArpRequestsOfPingAndGetsAnArpReplyToItsOwnRequest() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("ping");
        String name = Netns.tapName();
        Recorder recorder = new Recorder();
        TapNetwork tap = tap(name);
        try (Netns netns = Netns.create("tap")) {
            tap.listen(recorder);
            tap.start();
            try {
                assertEquals(name, tap.name());
                assertEquals(1500, tap.mtu());
                netns.adopt(name, "192.0.2.1/24");
                MacAddress linux = netns.mac(name);
                assertNotEquals(linux, tap.mac(), "the unikernel's MAC is its own, not the interface's");

                // (a) Nobody answers 192.0.2.2 yet, so Linux broadcasts ARP requests for it while ping runs.
                Netns.Result ping = netns.exec(15, "ping", "-c", "3", "-W", "1", "192.0.2.2");
                assertNotEquals(0, ping.exit(), ping.output());
                Optional<byte[]> request = recorder.await(5, frame -> Arp.of(frame).filter(arp -> arp.operation() == 1
                        && java.util.Arrays.equals(arp.targetIp(), OUR_IP)).isPresent());
                assertTrue(request.isPresent(), "no ARP request for 192.0.2.2 arrived");
                Arp asked = Arp.of(request.get()).orElseThrow();
                assertEquals(MacAddress.BROADCAST, asked.destination());
                assertEquals(linux, asked.senderMac());
                assertTrue(java.util.Arrays.equals(LINUX_IP, asked.senderIp()));

                // (b) Our request for 192.0.2.1 gets Linux's reply, addressed to our MAC; tcpdump in the namespace
                // sees our frame as a well-formed ARP request; Linux learns our MAC from it.
                Process capture = null;
                Path pcap = dir.resolve("arp.pcap");
                if (hasTcpdump()) {
                    capture = netns.start("tcpdump", "-i", name, "-U", "-c", "2", "-w", pcap.toString(), "arp");
                    awaitListening(capture);
                }
                try {
                    tap.write(60, buffer -> arpRequest(buffer, tap.mac()));
                    Optional<byte[]> reply = recorder.await(5, frame -> Arp.of(frame)
                            .filter(arp -> arp.operation() == 2).isPresent());
                    assertTrue(reply.isPresent(), "Linux did not answer our ARP request");
                    Arp answer = Arp.of(reply.get()).orElseThrow();
                    assertEquals(tap.mac(), answer.destination());
                    assertEquals(linux, answer.senderMac());
                    assertTrue(java.util.Arrays.equals(LINUX_IP, answer.senderIp()));
                    assertEquals(tap.mac(), answer.targetMac());
                    assertTrue(java.util.Arrays.equals(OUR_IP, answer.targetIp()));
                    String neighbours = Netns.check(10, "ip", "-n", netns.name(), "neigh", "show", "192.0.2.2");
                    assertTrue(neighbours.contains(tap.mac().toString()), neighbours);
                    if (capture != null) {
                        assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "tcpdump did not see both frames");
                        String decoded = Netns.check(10, "tcpdump", "-r", pcap.toString(), "-nn", "-e", "-v");
                        assertTrue(decoded.contains(tap.mac() + " > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60"),
                                decoded);
                        assertTrue(decoded.contains("Request who-has 192.0.2.1 tell 192.0.2.2"), decoded);
                        assertTrue(decoded.contains("Reply 192.0.2.1 is-at " + linux), decoded);
                        if (Files.isExecutable(Path.of("/usr/bin/tshark"))) { // a second judge where installed
                            String dissected = Netns.check(20, "/usr/bin/tshark", "-r", pcap.toString());
                            assertTrue(dissected.contains("Who has 192.0.2.1? Tell 192.0.2.2"), dissected);
                            assertFalse(dissected.contains("Malformed"), dissected);
                        }
                    }
                } finally {
                    if (capture != null) {
                        capture.destroyForcibly();
                    }
                }
            } finally {
                tap.stop();
            }
            // (c) After stop the loop has ended, so the counters are final and match what the handler saw.
            Network.Counters counters = tap.counters();
            long bytes;
            int frames;
            synchronized (recorder.all) {
                frames = recorder.all.size();
                bytes = recorder.all.stream().mapToLong(f -> f.length).sum();
            }
            assertEquals(new Network.Counters(frames, bytes, 1, 60, 0), counters);
            assertTrue(frames >= 2, "at least the ARP request and the reply: " + frames);
        }
        assertTrue(console.isEmpty(), console.toString());
    }

    private static boolean hasTcpdump() {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, "tcpdump"))) {
                return true;
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("tcpdump is missing; .ci/run installs it");
        }
        return false; // the capture is a bonus check; the exchange itself is tested without it
    }

    /** Waits for tcpdump's "listening on" line (on its merged output), so that it sees what comes next. */
    private static void awaitListening(Process tcpdump) throws Exception {
        StringBuilder seen = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                int c;
                while ((c = tcpdump.getInputStream().read()) >= 0) {
                    synchronized (seen) {
                        seen.append((char) c);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process was destroyed
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                if (seen.indexOf("listening on") >= 0) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        reader.interrupt();
        throw new AssertionError("tcpdump did not start: " + seen);
    }

    @Test
    void stopWakesTheIdleLoopPromptlyAndWritesAfterItAreClosed() throws Exception {
        Netns.requireTapAndNamespaces();
        String name = Netns.tapName();
        TapNetwork tap = tap(name);
        tap.start();
        Thread receiver = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("morgana-tap-" + name)).findFirst().orElseThrow();
        Thread.sleep(200); // the loop is asleep in poll: the interface is down, nothing arrives
        assertTrue(receiver.isAlive());
        // A frame written while the interface is down is lost as on an unplugged wire: no error for the writer.
        tap.write(60, buffer -> arpRequest(buffer, tap.mac()));
        Network.Counters down = tap.counters();
        assertEquals(1, down.framesOut() + down.drops(), down.toString());
        long started = System.nanoTime();
        tap.stop();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 1000, "stop took " + millis + " ms");
        assertFalse(receiver.isAlive());
        NetworkException closed = assertThrows(NetworkException.class, () -> tap.write(60, b -> 60));
        assertEquals(NetworkException.Reason.CLOSED, closed.reason());
        tap.stop(); // a second stop does nothing
        // The TAP was created by this process and not made persistent: closing it removed the interface.
        assertNotEquals(0, Netns.run(10, "ip", "link", "show", "dev", name).exit());
    }

    @Test
    void writesFromManyThreadsAllReachTheKernel() throws Exception {
        Netns.requireTapAndNamespaces();
        String name = Netns.tapName();
        TapNetwork tap = new TapNetwork(TapConfig.named(name).withMtu(1500).withBuffers(4), ENTROPY, log);
        try (Netns netns = Netns.create("tapmany")) {
            Recorder recorder = new Recorder();
            tap.listen(recorder);
            tap.start();
            try {
                netns.adopt(name, "192.0.2.1/24");
                Fill request = buffer -> arpRequest(buffer, tap.mac());
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < 100; i++) {
                            try {
                                tap.write(60, request);
                            } catch (NetworkException e) {
                                throw new AssertionError(e);
                            }
                        }
                    }));
                }
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                Network.Counters counters = tap.counters();
                // Four buffers for eight writers: a writer finding none free drops its frame, and counts it.
                assertEquals(800, counters.framesOut() + counters.drops(), counters.toString());
                assertEquals(60 * counters.framesOut(), counters.bytesOut());
                // Linux answers every request that reached it; a reply the TAP's queue had no room for (the receive
                // thread was descheduled on a busy machine) is counted by the kernel as the interface's tx_dropped.
                long replies = 0;
                long lost = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (replies + lost < counters.framesOut() && System.nanoTime() < deadline) {
                    if (recorder.await(1, frame -> Arp.of(frame).filter(arp -> arp.operation() == 2).isPresent())
                            .isPresent()) {
                        replies++;
                    } else {
                        lost = Long.parseLong(Netns.check(10, "ip", "netns", "exec", netns.name(), "cat",
                                "/sys/class/net/" + name + "/statistics/tx_dropped").strip());
                    }
                }
                assertEquals(counters.framesOut(), replies + lost, replies + " replies, " + lost + " lost in the TAP");
                assertTrue(replies > 0);
            } finally {
                tap.stop();
            }
        }
    }

    @Test
    void framesWithoutAHandlerAreDroppedAndCounted() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("ping");
        String name = Netns.tapName();
        TapNetwork tap = tap(name);
        try (Netns netns = Netns.create("tapdrop")) {
            tap.start();
            try {
                netns.adopt(name, "192.0.2.1/24");
                netns.exec(10, "ping", "-c", "2", "-W", "1", "192.0.2.2");
            } finally {
                tap.stop();
            }
        }
        Network.Counters counters = tap.counters();
        assertEquals(0, counters.framesIn());
        assertTrue(counters.drops() >= 1, counters.toString());
    }

    @Test
    void badNamesAndMissingDevicesFailWithTheReason() throws Exception {
        for (String name : List.of("", "a-name-of-16-byt", ".", "..", "with space", "a/b", "a:b")) {
            assertThrows(IllegalArgumentException.class, () -> TapConfig.named(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("mt0").withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("mt0").withMtu(65522));
        assertThrows(IllegalArgumentException.class, () -> TapConfig.named("mt0").withBuffers(0));
        assertThrows(IllegalArgumentException.class,
                () -> TapConfig.named("mt0").withMac(MacAddress.parse("03:00:00:00:00:01")));

        TapNetwork missing = new TapNetwork(TapConfig.named("mt0"), ENTROPY, log, dir.resolve("no-tun"));
        NetworkException noDevice = assertThrows(NetworkException.class, missing::start);
        assertEquals(NetworkException.Reason.DEVICE_FAILED, noDevice.reason());
        assertTrue(noDevice.getMessage().contains("does not exist"), noDevice.getMessage());
        assertTrue(noDevice.getMessage().contains("No such file or directory"), noDevice.getMessage());
        assertThrows(IllegalStateException.class, () -> missing.write(60, b -> 60));
        assertThrows(IllegalStateException.class, missing::mtu);

        Netns.requireTapAndNamespaces();
        NetworkException notATap = assertThrows(NetworkException.class, () -> tap("lo").start());
        assertEquals(NetworkException.Reason.DEVICE_FAILED, notATap.reason());
        assertTrue(notATap.getMessage().contains("not a TAP device"), notATap.getMessage());
        assertTrue(notATap.getMessage().contains("Invalid argument"), notATap.getMessage());

        String name = Netns.tapName();
        TapNetwork first = tap(name);
        first.start();
        try {
            NetworkException busy = assertThrows(NetworkException.class, () -> tap(name).start());
            assertTrue(busy.getMessage().contains("another process has it open"), busy.getMessage());
            assertThrows(IllegalArgumentException.class, () -> first.write(1515, b -> 60));
            assertThrows(IllegalArgumentException.class, () -> first.write(60, b -> 61));
            assertThrows(IllegalArgumentException.class, () -> first.write(60, b -> 13));
        } finally {
            first.stop();
        }
        TapNetwork tooLarge = new TapNetwork(TapConfig.named(Netns.tapName()).withMtu(65521), ENTROPY, log);
        try {
            tooLarge.start();
            assertEquals(65521, tooLarge.mtu());
        } finally {
            tooLarge.stop();
        }
    }

    @Test
    void aTemplateNameGetsANumberAndTheInterfaceMtuIsReadWhenNotConfigured() throws Exception {
        Netns.requireTapAndNamespaces();
        TapNetwork tap = new TapNetwork(TapConfig.named("mtt%d"), ENTROPY, log);
        tap.start();
        try {
            assertTrue(tap.name().matches("mtt[0-9]+"), tap.name());
            assertEquals(1500, tap.mtu());
        } finally {
            tap.stop();
        }
    }

    @Test
    void theDefaultMacIsRandomUnicastAndLocallyAdministered() {
        Entropy ones = bytes -> java.util.Arrays.fill(bytes, (byte) 0xFF);
        MacAddress mac = TapNetwork.randomMac(ones);
        assertEquals(MacAddress.parse("fe:ff:ff:ff:ff:ff"), mac);
        Entropy zeros = bytes -> java.util.Arrays.fill(bytes, (byte) 0);
        assertEquals(MacAddress.parse("02:00:00:00:00:00"), TapNetwork.randomMac(zeros));
        MacAddress fixed = MacAddress.parse("02:00:5e:10:00:01");
        assertEquals(fixed, new TapNetwork(TapConfig.named("mt0").withMac(fixed), ones, log).mac());
    }
}

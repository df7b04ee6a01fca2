package dev.morgana.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of connections at once, client and server in this JVM (two descriptors each; the machine's
 * hard limit is 20,000): all complete, and an idle connection costs a parked virtual thread and little
 * heap.
 */
class UnixTcpStressTest {

    static final int CONNECTIONS = 5_000;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fiveThousandConcurrentConnectionsAllEchoAndIdleOnesAreCheap() throws Exception {
        OnUnix.run(stack -> {
            AtomicInteger served = new AtomicInteger();
            Tcp.FlowHandler echo = flow -> {
                UnixTcpTest.echo(flow);
                served.incrementAndGet();
            };
            try (Tcp.Listener listener = stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), Tcp.Options.DEFAULT, echo)) {
                long before = usedHeapAfterGc();

                // Open every connection first and keep it idle: each server handler parks in read.
                ConcurrentLinkedQueue<Flow> flows = new ConcurrentLinkedQueue<>();
                Semaphore connecting = new Semaphore(256); // stay under the listen backlog
                CountDownLatch opened = new CountDownLatch(CONNECTIONS);
                AtomicInteger failures = new AtomicInteger();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            connecting.acquire();
                            try {
                                flows.add(stack.tcp().connect(listener.local(), Tcp.Options.DEFAULT));
                            } finally {
                                connecting.release();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        } finally {
                            opened.countDown();
                        }
                    });
                }
                assertTrue(opened.await(120, TimeUnit.SECONDS), "every connection attempt ends");
                assertEquals(0, failures.get(), "no connection fails");
                assertEquals(CONNECTIONS, flows.size());
                Thread.sleep(500); // let the last accepted handlers park

                long idle = usedHeapAfterGc() - before;
                long perConnection = idle / CONNECTIONS;
                System.out.printf("unix tcp: %d idle connections (both ends in one JVM) hold %d KiB of heap, %d B each%n",
                        CONNECTIONS, idle / 1024, perConnection);
                assertTrue(perConnection < 32 * 1024, "an idle connection pair costs " + perConnection + " B of heap");

                // Now every connection echoes at once.
                List<Thread> talkers = new ArrayList<>();
                AtomicInteger echoed = new AtomicInteger();
                for (Flow flow : flows) {
                    talkers.add(Thread.ofVirtual().start(() -> {
                        try (flow) {
                            MemorySegment message = MemorySegment.ofArray(new byte[64]);
                            message.fill((byte) flow.hashCode());
                            flow.write(message);
                            flow.shutdownOutput();
                            MemorySegment answer = Arena.ofAuto().allocate(64);
                            int got = 0;
                            int n;
                            while ((n = flow.read(answer.asSlice(got))) > 0) {
                                got += n;
                                if (got == 64) {
                                    break;
                                }
                            }
                            if (got == 64 && answer.mismatch(message) == -1) {
                                echoed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }));
                }
                for (Thread talker : talkers) {
                    talker.join(TimeUnit.SECONDS.toMillis(60));
                }
                assertEquals(0, failures.get());
                assertEquals(CONNECTIONS, echoed.get(), "every connection echoed its 64 bytes");
                for (int i = 0; i < 200 && served.get() < CONNECTIONS; i++) {
                    Thread.sleep(50); // server handlers finish after their client has its echo
                }
                assertEquals(CONNECTIONS, served.get(), "every server handler ended normally");
            }
        });
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}

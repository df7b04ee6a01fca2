package dev.morgana.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where TCP handlers run. The build runs this class twice (see the module's pom): once with
 * {@code java.lang} open to us, expecting {@link Carriers#LOOP}, once without, expecting {@link Carriers#JDK}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CarriersTest {

    private static Carriers expected() {
        return Carriers.valueOf(System.getProperty("morgana.test.carriers", Carriers.best().name()));
    }

    @Test
    void handlersRunWhereTheBuildExpects() throws Exception {
        assertEquals(expected(), Carriers.best());
        OnUnix.run(stack -> {
            CompletableFuture<String> handlerThread = new CompletableFuture<>();
            try (Tcp.Listener listener = stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), Tcp.Options.DEFAULT,
                    flow -> handlerThread.complete(Thread.currentThread().toString()));
                    Flow client = stack.tcp().connect(listener.local(), Tcp.Options.DEFAULT)) {
                // A mounted virtual thread names its carrier: "VirtualThread[#42,tcp …]/runnable@carrier".
                String thread = handlerThread.get(10, TimeUnit.SECONDS);
                String carrier = thread.substring(thread.lastIndexOf('@') + 1);
                if (expected() == Carriers.LOOP) {
                    assertTrue(carrier.startsWith("multiThreadIoEventLoopGroup-"), thread);
                } else {
                    assertTrue(carrier.startsWith("ForkJoinPool-"), thread);
                }
                assertEquals(-1, client.read(Arena.ofAuto().allocate(1)), "the handler returned, so the flow closed");
            }
        });
    }

    @Test
    void aThreadWokenAfterItsLoopStoppedStillFinishes() throws Exception {
        assumeTrue(Carriers.best() == Carriers.LOOP, Carriers::whyNotLoop);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoop loop = group.next();
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        loop.submit(() -> loopThread.set(Thread.currentThread())).sync();
        AtomicReference<String> before = new AtomicReference<>();
        AtomicReference<String> after = new AtomicReference<>();
        Thread parked = Carriers.LOOP.threads(loop).start(() -> {
            before.set(Thread.currentThread().toString());
            LockSupport.park();
            after.set(Thread.currentThread().toString());
        });
        while (parked.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

        LockSupport.unpark(parked);

        assertTrue(parked.join(Duration.ofSeconds(10)), "the thread finished elsewhere");
        assertTrue(before.get().endsWith("@" + loopThread.get().getName()), before.get());
        assertTrue(after.get().contains("@ForkJoinPool.commonPool-worker-"), after.get());
    }
}

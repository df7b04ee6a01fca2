package dev.morgana.benchmarks.tap;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.runtime.Unikernel;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.unix.tap.TapConfig;
import dev.morgana.unix.tap.TapModule;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Morgana application on a TAP device that either echoes every frame back with its MAC addresses swapped
 * or only reads and discards it: {@code TapFrameLoop echo|discard TAP SECONDS}. It prints {@code ready MAC mtu MTU}
 * once the TAP is open, then one line per second with that second's counters and the receive thread's CPU
 * time, then stops.
 */
public final class TapFrameLoop implements Application {

    static boolean echo;
    static int seconds;

    private final Network network;
    private final Console console;

    @Inject
    public TapFrameLoop(Network network, Console console) {
        this.network = network;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        AtomicLong failures = new AtomicLong();
        if (echo) {
            network.listen(frame -> {
                int length = (int) frame.byteSize();
                try {
                    network.write(length, buffer -> {
                        MemorySegment.copy(frame, 6, buffer, 0, MacAddress.BYTES);
                        MemorySegment.copy(frame, 0, buffer, 6, MacAddress.BYTES);
                        MemorySegment.copy(frame, 12, buffer, 12, length - 12);
                        return length;
                    });
                } catch (NetworkException e) {
                    failures.incrementAndGet();
                }
            });
        } else {
            network.listen(frame -> { });
        }
        console.log("ready " + network.mac() + " mtu " + network.mtu());
        // The receive thread's CPU time, user and system: the loop's whole cost, write(2) of the echo included
        // (the kernel delivers an echoed frame to the namespace's stack inside that call). User time alone is
        // what runs in Java: the FFM downcalls, the handler, the copy into the pooled buffer.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long receiver = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("morgana-tap-")).findFirst().orElseThrow().threadId();
        long lastCpu = threads.getThreadCpuTime(receiver);
        long lastUser = threads.getThreadUserTime(receiver);
        Network.Counters last = network.counters();
        long next = System.nanoTime();
        for (int second = 1; second <= seconds; second++) {
            next += 1_000_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
            Network.Counters now = network.counters();
            long cpu = threads.getThreadCpuTime(receiver);
            long user = threads.getThreadUserTime(receiver);
            console.log("second " + second + " in " + (now.framesIn() - last.framesIn()) + " out "
                    + (now.framesOut() - last.framesOut()) + " drops " + (now.drops() - last.drops())
                    + " cpu_ns " + (cpu - lastCpu) + " user_ns " + (user - lastUser) + " failures " + failures.get());
            last = now;
            lastCpu = cpu;
            lastUser = user;
        }
    }

    public static void main(String[] args) throws Exception {
        echo = switch (args[0]) {
            case "echo" -> true;
            case "discard" -> false;
            default -> throw new IllegalArgumentException("echo or discard, not " + args[0]);
        };
        seconds = Integer.parseInt(args[2]);
        Unikernel.of("tap-" + args[0], TapFrameLoop.class,
                List.of(new JvmModule(), new TapModule(TapConfig.named(args[1]).withMtu(1500)))).run();
    }
}

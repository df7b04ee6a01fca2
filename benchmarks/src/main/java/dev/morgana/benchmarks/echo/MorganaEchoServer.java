package dev.morgana.benchmarks.echo;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.UnixTargets;
import jakarta.inject.Inject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The echo server as a Morgana application on the {@code unix} target: {@code MorganaEchoServer PORT}. */
public final class MorganaEchoServer implements Application {

    static int port;

    private final Stack stack;
    private final Console console;

    @Inject
    public MorganaEchoServer(Stack stack, Console console) {
        this.stack = stack;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        try (Tcp.Listener listener = stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, port),
                Tcp.Options.DEFAULT.withNoDelay(true), MorganaEchoServer::echo)) {
            console.log("listening on " + listener.local());
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    static void echo(Flow flow) throws Exception {
        MemorySegment buffer = Arena.ofAuto().allocate(64 * 1024);
        int n;
        while ((n = flow.read(buffer)) >= 0) {
            flow.write(buffer.asSlice(0, n));
        }
    }

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        Unikernel.of("echo", MorganaEchoServer.class, UnixTargets.unixModules()).run();
    }
}

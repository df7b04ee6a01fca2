package dev.morgana.unix.net;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.testing.net.TcpContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The TCP contract on the unix target: one host stack, started per case as a unikernel's, is both server
 * and client over loopback.
 */
class UnixTcpContractTest extends TcpContract {

    @Override
    protected Sides start() throws Exception {
        CompletableFuture<Stack> running = new CompletableFuture<>();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        CountDownLatch stop = new CountDownLatch(1);
        Thread.ofPlatform().name("unix contract stack").daemon().start(() -> {
            try {
                OnUnix.run(stack -> {
                    running.complete(stack);
                    stop.await();
                });
                stopped.complete(null);
            } catch (Exception | Error e) {
                running.completeExceptionally(e);
                stopped.completeExceptionally(e);
            }
        });
        Stack stack = running.get(30, TimeUnit.SECONDS);
        return new LoopbackSides(stack.tcp(), () -> {
            stop.countDown();
            stopped.get(30, TimeUnit.SECONDS);
        });
    }

    /** How the sides stop the stack. */
    @FunctionalInterface
    private interface Stop {
        void run() throws Exception;
    }

    /** Server and client are the same stack; the unanswered endpoint is a JDK listener whose queue is full. */
    private static final class LoopbackSides implements Sides {

        private final Tcp tcp;
        private final Stop stop;
        private final List<AutoCloseable> held = new ArrayList<>();

        LoopbackSides(Tcp tcp, Stop stop) {
            this.tcp = tcp;
            this.stop = stop;
        }

        @Override
        public Tcp server() {
            return tcp;
        }

        @Override
        public Tcp client() {
            return tcp;
        }

        @Override
        public Ipv4Address serverAddress() {
            return Ipv4Address.LOOPBACK;
        }

        @Override
        public Ipv4Address clientAddress() {
            return Ipv4Address.LOOPBACK;
        }

        /**
         * A loopback listener that never accepts, its accept queue filled: Linux then drops further SYNs,
         * so a handshake never completes and no packet leaves the machine.
         */
        @Override
        public Optional<Endpoint> unanswered() throws IOException {
            ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            held.add(full);
            for (int attempt = 0; attempt < 8; attempt++) {
                Socket filler = new Socket();
                held.add(filler);
                try {
                    filler.connect(full.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException queueFull) {
                    return Optional.of(new Endpoint(Ipv4Address.LOOPBACK, full.getLocalPort()));
                }
            }
            throw new IllegalStateException("a listener with a backlog of 1 took 8 connections");
        }

        @Override
        public void stop() throws Exception {
            try {
                for (AutoCloseable resource : held) {
                    resource.close();
                }
            } finally {
                stop.run();
            }
        }
    }
}

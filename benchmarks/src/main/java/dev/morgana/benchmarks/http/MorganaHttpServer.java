package dev.morgana.benchmarks.http;

import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Stack;
import dev.morgana.http.HttpServer;
import dev.morgana.http.StaticFiles;
import dev.morgana.http.tls.TlsIdentity;
import dev.morgana.http.tls.TlsServer;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.UnixTargets;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Morgana's HTTP server on the {@code unix} target serving {@code /file.bin}, 1 KiB, from an in-memory
 * {@code KvRo}: {@code MorganaHttpServer PORT [CERT_PEM KEY_PEM]}, over TLS when given a certificate.
 */
public final class MorganaHttpServer implements Application {

    static final byte[] FILE = HttpFile.bytes();
    static int port;
    static TlsServer tls;

    private final Stack stack;
    private final Clock clock;
    private final Timers timers;
    private final Console console;

    @Inject
    public MorganaHttpServer(Stack stack, Clock clock, Timers timers, Console console) {
        this.stack = stack;
        this.clock = clock;
        this.timers = timers;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        HttpServer server = new HttpServer(stack.tcp(), clock, timers, HttpServer.Options.DEFAULT);
        try (HttpServer.Running running = server.serve(new Endpoint(Ipv4Address.LOOPBACK, port), tls,
                new StaticFiles(new OneFileStore("/file.bin", FILE)))) {
            console.log("listening on " + running.local());
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        if (args.length == 3) {
            tls = TlsServer.builder(TlsIdentity.fromPem(Files.readString(Path.of(args[1])), Files.readString(Path.of(args[2]))))
                    .applicationProtocols("http/1.1").build();
        }
        Unikernel.of("http", MorganaHttpServer.class, UnixTargets.unixModules()).run();
    }
}

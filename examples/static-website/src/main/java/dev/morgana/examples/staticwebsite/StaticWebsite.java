package dev.morgana.examples.staticwebsite;

import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Timers;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Stack;
import dev.morgana.http.HttpHandler;
import dev.morgana.http.HttpServer;
import dev.morgana.http.StaticFiles;
import dev.morgana.http.tls.TlsServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Serves the files of a {@link KvRo} over HTTP and HTTPS until asked to stop, one console line per
 * request. Knows only signatures ({@link Stack}, {@link KvRo}, {@link Clock}, {@link Timers},
 * {@link Console}) and its {@link SiteConfig}: the target decides where the files and the network come
 * from.
 */
public final class StaticWebsite implements Application {

    /** How long each server lets requests in progress finish once asked to stop. */
    static final Duration GRACE = Duration.ofSeconds(4);

    private final Stack stack;
    private final KvRo site;
    private final Clock clock;
    private final Timers timers;
    private final Console console;
    private final SiteConfig config;

    @Inject
    public StaticWebsite(Stack stack, KvRo site, Clock clock, Timers timers, Console console, SiteConfig config) {
        this.stack = stack;
        this.site = site;
        this.clock = clock;
        this.timers = timers;
        this.console = console;
        this.config = config;
    }

    /** Serves until the thread is interrupted (SIGTERM, Ctrl-C), then closes both servers gracefully. */
    @Override
    public void run() throws Exception {
        HttpHandler handler = new RequestLog(new StaticFiles(site), clock, console);
        HttpServer server = new HttpServer(stack.tcp(), clock, timers, HttpServer.Options.DEFAULT);
        List<HttpServer.Running> running = new ArrayList<>();
        try {
            // Plain HTTP first: it needs no certificate, and loading one (Bouncy Castle's provider, the PEM, a
            // key made at first start) is most of the start-up time (see benchmarks/RESULTS.md).
            HttpServer.Running http = server.serve(new Endpoint(config.bind(), config.httpPort()), handler);
            running.add(http);
            Certificates.Loaded certificate = config.certificates().load(clock.instant());
            console.log(certificate.how());
            TlsServer tls = TlsServer.builder(certificate.identity()).applicationProtocols("http/1.1").build();
            HttpServer.Running https = server.serve(new Endpoint(config.bind(), config.httpsPort()), tls, handler);
            running.add(https);
            String host = host(config.bind());
            String httpsUrl = "https://" + host + ":" + https.local().port() + "/";
            console.log("serving the site on http://" + host + ":" + http.local().port() + "/ and " + httpsUrl
                    + " (listening on " + config.bind() + "); try: curl --cacert " + certificate.certificate() + " "
                    + httpsUrl);
            new CountDownLatch(1).await(); // parks until interrupted
        } catch (InterruptedException stop) {
            console.log("stopping: letting requests in progress finish for up to " + GRACE.toSeconds() + " s");
        } catch (NetworkException e) {
            if (e.reason() != NetworkException.Reason.INTERRUPTED) {
                throw e;
            }
            console.log("stopping before serving"); // asked to stop while starting to listen
        } finally {
            for (HttpServer.Running listening : running.reversed()) {
                listening.close(GRACE);
            }
        }
        console.log("stopped");
    }

    /**
     * What a browser types: on the host's stack, {@code localhost} for loopback and for every interface; on
     * Morgana's own, which has no loopback, its address for every address (0.0.0.0 while DHCP has given none).
     */
    private String host(Ipv4Address bind) {
        if (!bind.isUnspecified()) {
            return bind.isLoopback() ? "localhost" : bind.toString();
        }
        return stack.ipv4().map(ipv4 -> ipv4.address().toString()).orElse("localhost");
    }
}

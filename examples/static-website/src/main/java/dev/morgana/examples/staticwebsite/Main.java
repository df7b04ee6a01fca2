package dev.morgana.examples.staticwebsite;

import com.google.inject.Module;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.UnixTargets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Parses the site's options, chooses the target and hands over to the launcher:
 * {@code [site options] [--target unix] [describe [--dot]]}; {@code --help} lists both.
 */
public final class Main {

    /** The unikernel's name. */
    static final String NAME = "static-website";

    /** The store the build embeds {@code site/} as (the plugin's {@code <store>}). */
    static final String STORE = "site";

    /**
     * How long, after SIGTERM, the exit status waits for the unikernel to stop: its grace for the application,
     * then time for the devices.
     */
    static final Duration STOP_BOUND = Unikernel.SHUTDOWN_GRACE.plusSeconds(20);

    /**
     * Bouncy Castle's TLS provider logs, at its first handshake setup, the JDK security properties it reads
     * and the entries it cannot use (INFO and WARNING): nothing an operator can act on. Held here, as the
     * logging framework holds loggers weakly and would forget the level.
     */
    private static final Logger BOUNCY_CASTLE = Logger.getLogger("org.bouncycastle.jsse");

    private Main() {}

    /**
     * The targets the website runs on, each with the embedded site and the configuration added. Only those
     * that exist: {@code unix} today; {@code direct} and {@code xen} join this list when their backends do.
     *
     * @param config the configuration
     * @return the targets, the default first
     */
    static List<Target> targets(SiteConfig config) {
        return List.of(withSite(UnixTargets.unix(), config));
    }

    private static Target withSite(Target target, SiteConfig config) {
        return new Target(target.name(), target.description(), () -> {
            List<Module> modules = new ArrayList<>(target.modules().get());
            modules.add(EmbeddedKvModule.of(STORE));
            modules.add(new SiteConfigModule(config));
            return List.copyOf(modules);
        });
    }

    public static void main(String[] args) {
        BOUNCY_CASTLE.setLevel(Level.SEVERE);
        SiteConfig.Parsed parsed;
        try {
            parsed = SiteConfig.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(NAME + ": " + e.getMessage());
            System.err.print(SiteConfig.USAGE);
            System.exit(Launcher.USAGE);
            return;
        }
        List<Target> targets = targets(parsed.config());
        if (parsed.rest().contains("--help") || parsed.rest().contains("-h")) {
            Launcher.run(NAME, StaticWebsite.class, targets, List.of("--help"), System.out, System.err);
            System.out.print(SiteConfig.USAGE);
            return;
        }
        exit(() -> Launcher.run(NAME, StaticWebsite.class, targets, parsed.rest(), System.out, System.err));
    }

    /**
     * Runs the unikernel and exits with its status, also when SIGTERM or Ctrl-C stopped it: a server asked
     * to stop that stops cleanly exits 0, as service managers expect, rather than with the JVM's 128 +
     * signal. The JVM's own shutdown hook (the unikernel's) interrupts the application and stops the
     * devices; this one waits, at most {@link #STOP_BOUND}, for the launcher to return and ends the process
     * with its status — 1 if the application or a device failed. Past the bound, the JVM's status stands.
     */
    private static void exit(IntSupplier unikernel) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread hook = Thread.ofPlatform().name(NAME + "-exit-status").unstarted(() -> {
            try {
                Runtime.getRuntime().halt(status.get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                // It did not stop in time: the JVM exits as the signal asked.
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        int code = unikernel.getAsInt();
        status.complete(code);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stoppedBySignal) {
            return; // the hook is running and exits with the status
        }
        if (code != 0) {
            System.exit(code);
        }
    }
}

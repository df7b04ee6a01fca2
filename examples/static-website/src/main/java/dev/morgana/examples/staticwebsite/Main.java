package dev.morgana.examples.staticwebsite;

import com.google.inject.Module;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.unix.DirectConfig;
import dev.morgana.unix.UnixTargets;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Parses the site's and the direct target's options, chooses the target and hands over to the launcher:
 * {@code [site options] [--target unix|direct] [--tap NAME --ip ADDRESS/PREFIX …] [describe [--dot]]};
 * {@code --help} lists them all.
 */
public final class Main {

    /** The unikernel's name. */
    static final String NAME = "static-website";

    /** The store the build embeds {@code site/} as (the plugin's {@code <store>}). */
    static final String STORE = "site";

    /**
     * Bouncy Castle's TLS provider logs, at its first handshake setup, the JDK security properties it reads
     * and the entries it cannot use (INFO and WARNING): nothing an operator can act on. Held here, as the
     * logging framework holds loggers weakly and would forget the level.
     */
    private static final Logger BOUNCY_CASTLE = Logger.getLogger("org.bouncycastle.jsse");

    private Main() {}

    /**
     * The targets the website runs on, each with the embedded site and the configuration added. {@code unix}
     * first, the default: an ordinary process on the host's sockets, which needs no privilege. On
     * {@code direct} the same application serves through Morgana's own TCP/IP over a TAP device; there the
     * stack has no loopback, so the site listens on the stack's address unless {@code --bind} says otherwise.
     *
     * @param site the site's options
     * @param direct the direct target's options, if any were given
     * @return the targets, the default first
     */
    static List<Target> targets(SiteConfig.Parsed site, DirectConfig.Parsed direct) {
        Ipv4Address directAddress = direct.config().map(config -> config.ipv4().address()).orElse(Ipv4Address.ANY);
        return List.of(withSite(UnixTargets.unix(), site.on(Ipv4Address.LOOPBACK)),
                withSite(direct.target(), site.on(directAddress)));
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
        // Exits 0 after SIGTERM once both servers have let their requests finish.
        Launcher.exit(NAME, () -> run(List.of(args), System.out, System.err));
    }

    /** Runs the command line; returns its exit status: 0, or the launcher's {@code USAGE} or {@code FAILED}. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        SiteConfig.Parsed site;
        DirectConfig.Parsed direct;
        try {
            site = SiteConfig.parse(args);
            direct = DirectConfig.parse(site.rest());
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            err.print(SiteConfig.USAGE + DirectConfig.USAGE);
            return Launcher.USAGE;
        }
        List<Target> targets = targets(site, direct);
        if (direct.rest().contains("--help") || direct.rest().contains("-h")) {
            Launcher.run(NAME, StaticWebsite.class, targets, List.of("--help"), out, err);
            out.print(SiteConfig.USAGE + DirectConfig.USAGE);
            return 0;
        }
        int status = Launcher.run(NAME, StaticWebsite.class, targets, direct.rest(), out, err);
        if (status == Launcher.USAGE) {
            err.print(SiteConfig.USAGE + DirectConfig.USAGE);
        }
        return status;
    }
}

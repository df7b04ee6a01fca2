package dev.morgana.examples.staticwebsite;

import com.google.inject.Module;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.unix.UnixTargets;
import java.util.ArrayList;
import java.util.List;
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
     * Bouncy Castle's TLS provider logs, at its first handshake setup, the JDK security properties it reads
     * and the entries it cannot use (INFO and WARNING): nothing an operator can act on. Held here, as the
     * logging framework holds loggers weakly and would forget the level.
     */
    private static final Logger BOUNCY_CASTLE = Logger.getLogger("org.bouncycastle.jsse");

    private Main() {}

    /**
     * The targets the website runs on, each with the embedded site and the configuration added. Only those
     * that work: {@code unix} today; {@code direct} joins this list with its TCP (#8), {@code xen} with its backend.
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
        Launcher.exit(NAME, () -> Launcher.run(NAME, StaticWebsite.class, targets, parsed.rest(), System.out, System.err));
    }
}

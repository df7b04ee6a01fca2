package dev.morgana.examples.udpecho;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.unix.DirectConfig;
import dev.morgana.unix.UnixTargets;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the echo's and the direct target's options, then hands over to the launcher:
 * {@code [--port PORT] [--tap NAME --ip ADDRESS/PREFIX …] [--target direct|unix] [describe [--dot]]}.
 */
public final class Main {

    /** The unikernel's name. */
    static final String NAME = "udp-echo";

    private Main() {}

    /**
     * The targets the echo runs on, each with its configuration added. {@code direct} first: there the
     * unikernel is a host on the link of its own, answering ping and ARP with Morgana's stack. On
     * {@code unix} the same application echoes through the host's UDP sockets, and ping reaches Linux.
     *
     * @param echo the echo's configuration
     * @param direct the direct target's options, if any were given
     * @return the targets, the default first
     */
    static List<Target> targets(EchoConfig echo, DirectConfig.Parsed direct) {
        return List.of(withConfig(direct.target(), echo), withConfig(UnixTargets.unix(), echo));
    }

    private static Target withConfig(Target target, EchoConfig echo) {
        return new Target(target.name(), target.description(), () -> {
            List<Module> modules = new ArrayList<>(target.modules().get());
            modules.add(new EchoConfigModule(echo));
            return List.copyOf(modules);
        });
    }

    /** The echo's configuration as a binding. */
    static final class EchoConfigModule extends AbstractModule {
        private final EchoConfig config;

        EchoConfigModule(EchoConfig config) {
            this.config = config;
        }

        @Override
        protected void configure() {
            bind(EchoConfig.class).toInstance(config);
        }
    }

    public static void main(String[] args) {
        // Exits 0 after SIGTERM once the echo has stopped and said how many datagrams it echoed.
        Launcher.exit(NAME, () -> run(List.of(args), System.out, System.err));
    }

    /** Runs the command line; returns its exit status: 0, or the launcher's {@code USAGE} or {@code FAILED}. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        EchoConfig.Parsed echo;
        DirectConfig.Parsed direct;
        try {
            echo = EchoConfig.parse(args);
            direct = DirectConfig.parse(echo.rest());
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            err.print(EchoConfig.USAGE + DirectConfig.USAGE);
            return Launcher.USAGE;
        }
        List<Target> targets = targets(echo.config(), direct);
        if (direct.rest().contains("--help") || direct.rest().contains("-h")) {
            Launcher.run(NAME, UdpEcho.class, targets, List.of("--help"), out, err);
            out.print(EchoConfig.USAGE + DirectConfig.USAGE);
            return 0;
        }
        int status = Launcher.run(NAME, UdpEcho.class, targets, direct.rest(), out, err);
        if (status == Launcher.USAGE) {
            err.print(EchoConfig.USAGE + DirectConfig.USAGE);
        }
        return status;
    }
}

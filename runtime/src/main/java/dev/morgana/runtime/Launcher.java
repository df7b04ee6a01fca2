package dev.morgana.runtime;

import com.google.inject.Module;
import dev.morgana.api.Application;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The command line of a unikernel: {@code [--target NAME] [describe [--dot]]}.
 *
 * <p>An example's {@code main} hands its name, its application class and the targets it offers to
 * {@link #main}; the first target is the default. Flags are parsed here, once, at the edge.
 */
public final class Launcher {

    /** Exit status when the application or a service failed. */
    public static final int FAILED = 1;

    /** Exit status for a bad command line or a target that cannot be applied. */
    public static final int USAGE = 2;

    /**
     * How long, after SIGTERM, {@link #exit} waits for the unikernel to stop: its grace for the application,
     * then time for the devices.
     */
    public static final Duration STOP_BOUND = Unikernel.SHUTDOWN_GRACE.plusSeconds(20);

    private Launcher() {}

    /**
     * Runs a unikernel's command line and exits with its status, also when SIGTERM or Ctrl-C stopped it: a
     * server asked to stop that stops cleanly exits 0, as service managers expect, rather than with the
     * JVM's 128 + signal, and it finishes what it prints while stopping. The unikernel's own shutdown hook
     * interrupts the application and stops the devices; this one waits, at most {@link #STOP_BOUND}, for
     * {@code commandLine} to return and ends the process with its status — 1 if the application or a device
     * failed. Past the bound, the JVM's status stands.
     *
     * @param name the unikernel's name, for the hook's thread
     * @param commandLine runs the command line, typically a call of {@link #run}, and returns its status
     */
    public static void exit(String name, IntSupplier commandLine) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread hook = Thread.ofPlatform().name(name + "-exit-status").unstarted(() -> {
            try {
                Runtime.getRuntime().halt(status.get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                // It did not stop in time: the JVM exits as the signal asked.
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        int code = commandLine.getAsInt();
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

    /**
     * Runs the command line and exits the JVM with a non-zero status on failure.
     *
     * @param name the unikernel's name
     * @param application the application class
     * @param targets the targets offered, the default first
     * @param args the command line
     */
    public static void main(String name, Class<? extends Application> application, List<Target> targets,
            String[] args) {
        int status = run(name, application, targets, List.of(args), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the command line.
     *
     * @param name the unikernel's name
     * @param application the application class
     * @param targets the targets offered, the default first; not empty
     * @param args the command line
     * @param out where {@code describe} and {@code --help} print
     * @param err where errors are reported
     * @return the exit status: 0, {@link #FAILED} or {@link #USAGE}
     */
    public static int run(String name, Class<? extends Application> application, List<Target> targets,
            List<String> args, PrintStream out, PrintStream err) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a unikernel offers at least one target");
        }
        Target target = targets.getFirst();
        boolean describe = false;
        boolean dot = false;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String arg = rest.removeFirst();
            switch (arg) {
                case "--target" -> {
                    Optional<Target> chosen = rest.isEmpty() ? Optional.empty() : find(targets, rest.removeFirst());
                    if (chosen.isEmpty()) {
                        return usage(name, targets, err, "--target needs one of: " + names(targets));
                    }
                    target = chosen.get();
                }
                case "describe" -> describe = true;
                case "--dot" -> dot = true;
                case "--help", "-h" -> {
                    usage(name, targets, out, null);
                    return 0;
                }
                default -> {
                    return usage(name, targets, err, "unknown argument \"" + arg + "\"");
                }
            }
        }
        if (dot && !describe) {
            return usage(name, targets, err, "--dot goes with describe");
        }
        List<Module> modules;
        try {
            modules = target.modules().get();
        } catch (IllegalArgumentException badOptions) {
            // A target whose configuration the command line left out or got wrong says what is missing.
            return usage(name, targets, err, "target " + target.name() + ": " + badOptions.getMessage());
        }
        Unikernel unikernel = Unikernel.of(name, application, modules);
        try {
            if (describe) {
                out.print(dot ? unikernel.describeDot() : unikernel.describe());
            } else {
                unikernel.run();
            }
            return 0;
        } catch (TargetException incomplete) {
            err.println(incomplete.getMessage());
            return USAGE;
        } catch (Exception failure) {
            err.println(name + " failed:");
            failure.printStackTrace(err);
            return FAILED;
        }
    }

    private static Optional<Target> find(List<Target> targets, String name) {
        return targets.stream().filter(target -> target.name().equals(name)).findFirst();
    }

    private static String names(List<Target> targets) {
        return String.join(", ", targets.stream().map(Target::name).toList());
    }

    private static int usage(String name, List<Target> targets, PrintStream to, String problem) {
        if (problem != null) {
            to.println(name + ": " + problem);
        }
        to.println("usage: " + name + " [--target NAME] [describe [--dot]]");
        to.println("  --target NAME  the target to run on (default: " + targets.getFirst().name() + ")");
        to.println("  describe       print the device graph instead of running; --dot prints it as Graphviz DOT");
        to.println("targets:");
        for (Target target : targets) {
            to.printf("  %-13s  %s%n", target.name(), target.description());
        }
        return USAGE;
    }
}

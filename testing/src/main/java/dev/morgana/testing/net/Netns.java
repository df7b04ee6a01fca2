package dev.morgana.testing.net;

import dev.morgana.api.net.MacAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace a test creates for its TAP or other real peers (the network rule of TESTING.md):
 * named {@code morgana-<test>-<random>}, traffic only inside it, every command bounded in time, deleted by
 * {@link #close} (which also destroys the TAP moved or created in it). Linux only; creating one needs root.
 */
public final class Netns implements AutoCloseable {

    private static final Pattern LINK_ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * The namespace's name, for {@code ip -n NAME …} and {@code ip netns exec NAME …}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Skips the test, with the reason, where it cannot create TAP devices and namespaces (not root, no
     * /dev/net/tun, no ip); in CI, which runs as root and installs what the tests use, fails instead.
     */
    public static void requireTapAndNamespaces() {
        String missing = null;
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            missing = "TAP devices and network namespaces exist on Linux only";
        } else if (!isRoot()) {
            missing = "creating TAP devices and network namespaces needs root (CAP_NET_ADMIN)";
        } else if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing = "/dev/net/tun is missing (modprobe tun, or --device /dev/net/tun in a container)";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            missing = "iproute2's ip is not installed";
        }
        if (missing == null) {
            return;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError(missing + "; CI runs as root with iproute2 installed, so this must run there");
        }
        Assumptions.abort(missing);
    }

    /**
     * The path of a program, or the test is skipped (outside CI) or failed (in CI, which installs it).
     *
     * @param program the program's file name, for example {@code tcpdump}
     * @return its path
     */
    public static String require(String program) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path path = Path.of(dir, program);
            if (Files.isExecutable(path)) {
                return path.toString();
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError(program + " is missing; .ci/run installs it");
        }
        Assumptions.abort(program + " is not installed");
        return program;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective user id
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * A fresh name for a TAP: {@code mt} and eight hex digits, well inside the 15-byte limit.
     *
     * @return the name
     */
    public static String tapName() {
        return "mt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /**
     * Creates {@code morgana-<test>-<random>} with its loopback up.
     *
     * @param test a short word naming the test
     * @return the namespace, to close in a {@code finally} (or try-with-resources)
     * @throws IOException when {@code ip} fails
     * @throws InterruptedException when interrupted while waiting for {@code ip}
     */
    public static Netns create(String test) throws IOException, InterruptedException {
        String name = "morgana-" + test + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        check(10, "ip", "netns", "add", name);
        Netns netns = new Netns(name);
        try {
            check(10, "ip", "-n", name, "link", "set", "lo", "up");
        } catch (IOException | RuntimeException | Error e) {
            netns.close();
            throw e;
        }
        return netns;
    }

    /**
     * Moves {@code device} (in the root namespace) here, gives it {@code cidr} and brings it up.
     *
     * @param device the interface
     * @param cidr the kernel side's address, for example {@code 192.0.2.1/24}
     * @throws IOException when {@code ip} fails
     * @throws InterruptedException when interrupted while waiting for {@code ip}
     */
    public void adopt(String device, String cidr) throws IOException, InterruptedException {
        check(10, "ip", "link", "set", device, "netns", name);
        check(10, "ip", "-n", name, "addr", "add", cidr, "dev", device);
        check(10, "ip", "-n", name, "link", "set", device, "up");
    }

    /**
     * The MAC address of the kernel's side of {@code device}.
     *
     * @param device an interface in this namespace
     * @return its MAC address
     * @throws IOException when {@code ip} fails
     * @throws InterruptedException when interrupted while waiting for {@code ip}
     */
    public MacAddress mac(String device) throws IOException, InterruptedException {
        String output = check(10, "ip", "-n", name, "-o", "link", "show", "dev", device);
        Matcher matcher = LINK_ETHER.matcher(output);
        if (!matcher.find()) {
            throw new AssertionError("no link/ether in: " + output);
        }
        return MacAddress.parse(matcher.group(1));
    }

    /**
     * Runs {@code command} inside the namespace within {@code seconds}.
     *
     * @param seconds the bound; past it the command is killed and an {@link AssertionError} thrown
     * @param command the program and its arguments
     * @return its exit code and output (standard error included)
     * @throws IOException when it cannot be started
     * @throws InterruptedException when interrupted while waiting for it
     */
    public Result exec(int seconds, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(seconds, full.toArray(String[]::new));
    }

    /**
     * Starts a long-running command inside the namespace, its standard error merged into its output.
     *
     * @param command the program and its arguments
     * @return the process, which the caller destroys in a {@code finally}
     * @throws IOException when it cannot be started
     */
    public Process start(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return new ProcessBuilder(full).redirectErrorStream(true).start();
    }

    /**
     * Waits, at most ten seconds, for {@code tcpdump} (started with {@link #start}) to say it is capturing,
     * so that a capture does not miss the first packet of what the test sends next.
     *
     * @param tcpdump the process; its output is read from here on
     * @throws AssertionError when it does not start capturing in time
     * @throws InterruptedException when interrupted while waiting
     */
    public static void awaitCapturing(Process tcpdump) throws InterruptedException {
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains("listening on")) {
                        listening.complete(true);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.complete(false);
        });
        try {
            if (!listening.get(10, TimeUnit.SECONDS)) {
                throw new AssertionError("tcpdump ended without capturing");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("tcpdump did not start capturing", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            check(10, "ip", "netns", "del", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting namespace " + name, e);
        }
    }

    /**
     * How a command ended.
     *
     * @param exit its exit code
     * @param output its output, standard error included
     */
    public record Result(int exit, String output) {}

    /**
     * Runs {@code command} (in the root namespace, for example {@code ip -n NAME …}) within {@code seconds}
     * and requires it to succeed.
     *
     * @param seconds the bound; past it the command is killed and an {@link AssertionError} thrown
     * @param command the program and its arguments
     * @return its output
     * @throws IOException when it cannot be started or exits with another code than 0
     * @throws InterruptedException when interrupted while waiting for it
     */
    public static String check(int seconds, String... command) throws IOException, InterruptedException {
        Result result = run(seconds, command);
        if (result.exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + result.exit + ": " + result.output);
        }
        return result.output;
    }

    /**
     * Runs {@code command} (in the root namespace) within {@code seconds}.
     *
     * @param seconds the bound; past it the command is killed and an {@link AssertionError} thrown
     * @param command the program and its arguments
     * @return its exit code and output
     * @throws IOException when it cannot be started
     * @throws InterruptedException when interrupted while waiting for it
     */
    public static Result run(int seconds, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}

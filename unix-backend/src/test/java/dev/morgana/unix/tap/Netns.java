package dev.morgana.unix.tap;

import dev.morgana.api.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace a test creates for its TAP (the network rule of TESTING.md): named
 * {@code morgana-<test>-<random>}, traffic only inside it, every command bounded in time, deleted by
 * {@link #close} (which also destroys the TAP moved into it).
 */
final class Netns implements AutoCloseable {

    private static final Pattern LINK_ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    final String name;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Skips the test, with the reason, where it cannot create TAP devices and namespaces (not root, no
     * /dev/net/tun, no ip); in CI, which runs as root and installs what the tests use, fails instead.
     */
    static void requireTapAndNamespaces() {
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

    /** The path of a program, or the test is skipped (outside CI) or failed (in CI, which installs it). */
    static String require(String program) {
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

    /** A fresh name for a TAP: {@code mt} and eight hex digits, well inside the 15-byte limit. */
    static String tapName() {
        return "mt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** Creates {@code morgana-<test>-<random>} with its loopback up. */
    static Netns create(String test) throws IOException, InterruptedException {
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

    /** Moves {@code device} (in the root namespace) here, gives it {@code cidr} and brings it up. */
    void adopt(String device, String cidr) throws IOException, InterruptedException {
        check(10, "ip", "link", "set", device, "netns", name);
        check(10, "ip", "-n", name, "addr", "add", cidr, "dev", device);
        check(10, "ip", "-n", name, "link", "set", device, "up");
    }

    /** The MAC address of the kernel's side of {@code device}. */
    MacAddress mac(String device) throws IOException, InterruptedException {
        String output = check(10, "ip", "-n", name, "-o", "link", "show", "dev", device);
        Matcher matcher = LINK_ETHER.matcher(output);
        if (!matcher.find()) {
            throw new AssertionError("no link/ether in: " + output);
        }
        return MacAddress.parse(matcher.group(1));
    }

    /** Runs {@code command} inside the namespace within {@code seconds}; returns its exit code and output. */
    Result exec(int seconds, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(seconds, full.toArray(String[]::new));
    }

    /** Starts a long-running command inside the namespace; the caller destroys it. */
    Process start(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return new ProcessBuilder(full).redirectErrorStream(true).start();
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

    record Result(int exit, String output) {}

    static String check(int seconds, String... command) throws IOException, InterruptedException {
        Result result = run(seconds, command);
        if (result.exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + result.exit + ": " + result.output);
        }
        return result.output;
    }

    static Result run(int seconds, String... command) throws IOException, InterruptedException {
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

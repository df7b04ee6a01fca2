package dev.morgana.unix.tap;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.morgana.testing.net.Netns;
import dev.morgana.unix.DirectConfig;
import dev.morgana.unix.UnixTargets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the TAP tests share: the direct target's modules with a test's fixture bound, what they read of the
 * direct stack's layers and of their peers' output, and scapy's presence. The layers' counters are public
 * methods of classes in unexported packages: the tests run on the class path, where reflection reaches them,
 * while no application can.
 */
final class TapProbes {

    /** What {@link #lines} gives after a process's last line. */
    static final String EOF = "EOF";

    private TapProbes() {}

    /**
     * Returns the direct target's modules for {@code arguments} ({@code --tap}, {@code --ip} …), and one that
     * binds {@code fixture}, through which the test hands its application the namespace and what else it needs.
     *
     * @param arguments the direct target's options
     * @param type the fixture's type, as the application injects it
     * @param fixture the fixture
     * @param <F> the fixture's type
     * @return a list the caller may change further (replace a functor, add one)
     */
    static <F> List<Module> directModules(List<String> arguments, Class<F> type, F fixture) {
        DirectConfig config = DirectConfig.parse(arguments).config().orElseThrow();
        List<Module> modules = new ArrayList<>(UnixTargets.directModules(config));
        modules.add(new AbstractModule() {
            @Override
            protected void configure() {
                bind(type).toInstance(fixture);
            }
        });
        return modules;
    }

    /**
     * Makes the namespace drop {@code percent} % of the packets each way at random (nftables: this kernel has no
     * netem), in a table {@link #dropped} reads.
     */
    static void loseRandomly(Netns netns, int percent) throws Exception {
        Netns.Result lossy = netns.exec(10, "sh", "-c", "nft add table inet loss"
                + " && nft add chain inet loss in '{ type filter hook input priority 0; }'"
                + " && nft add chain inet loss out '{ type filter hook output priority 0; }'"
                + " && nft add rule inet loss in numgen random mod 100 '<' " + percent + " counter drop"
                + " && nft add rule inet loss out numgen random mod 100 '<' " + percent + " counter drop");
        Assertions.assertEquals(0, lossy.exit(), lossy.output());
    }

    /** The packets {@link #loseRandomly} has dropped so far; fails the test when none were. */
    static long dropped(Netns netns) throws Exception {
        Netns.Result table = netns.exec(10, "nft", "list", "table", "inet", "loss");
        Matcher counters = Pattern.compile("packets (\\d+)").matcher(table.output());
        long drops = 0;
        while (counters.find()) {
            drops += Long.parseLong(counters.group(1));
        }
        Assertions.assertTrue(drops > 0, "the loss was real: " + table.output());
        return drops;
    }

    /** Skips the test outside CI when python3-scapy is missing; fails it in CI, which installs it. */
    static void requireScapy() throws Exception {
        Netns.Result probe = Netns.run(30, Netns.require("python3"), "-c", "import scapy.all");
        if (probe.exit() != 0) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("python3-scapy is missing; .ci/run installs it: " + probe.output());
            }
            Assumptions.abort("python3-scapy is not installed: apt-get install python3-scapy");
        }
    }

    /**
     * A process's output, line by line as it comes, read by a virtual thread of its own; {@link #EOF} last.
     * Poll it with a timeout: the process may never end.
     */
    static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                reader.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("reading: " + e);
            }
            lines.add(EOF);
        });
        return lines;
    }

    /** Writes {@code line} and a newline to a process's input, where a script waits for it. */
    static void tell(Process process, String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** A layer's {@code counters()} map (TcpLayer's, UdpLayer's), keyed by the counts' names. */
    static Map<String, Long> byName(Object layer) throws Exception {
        Map<?, ?> counters = (Map<?, ?>) layer.getClass().getMethod("counters").invoke(layer);
        Map<String, Long> named = new TreeMap<>();
        counters.forEach((count, value) -> named.put(count.toString(), (Long) value));
        return named;
    }

    /** TcpLayer's connection table: {@code local remote STATE} each. */
    static List<String> connections(Object tcp) throws Exception {
        return ((List<?>) tcp.getClass().getMethod("connections").invoke(tcp)).stream().map(Object::toString).toList();
    }

    /** The numeric components of a layer's {@code counters()} record (IPv4's, ARP's), by name. */
    static Map<String, Long> counters(Object layer) throws Exception {
        return components(layer.getClass().getMethod("counters").invoke(layer));
    }

    /** The numeric components of a record, nested records' flattened as {@code outer.inner}. */
    private static Map<String, Long> components(Object record) throws Exception {
        Map<String, Long> values = new TreeMap<>();
        for (var component : record.getClass().getRecordComponents()) {
            Method accessor = component.getAccessor();
            accessor.setAccessible(true); // some records are package-private
            Object value = accessor.invoke(record);
            if (value instanceof Number number) {
                values.put(component.getName(), number.longValue());
            } else if (value != null && value.getClass().isRecord()) {
                components(value).forEach((name, number) -> values.put(component.getName() + "." + name, number));
            }
        }
        return values;
    }
}

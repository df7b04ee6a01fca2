package dev.morgana.unix.tap;

import dev.morgana.testing.net.Netns;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/**
 * What the TAP tests read of the direct stack's layers, and scapy's presence. The layers' counters are public
 * methods of classes in unexported packages: the tests run on the class path, where reflection reaches them,
 * while no application can.
 */
final class TapCounters {

    private TapCounters() {}

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

    /** TcpLayer's counters by name. */
    static Map<String, Long> tcp(Object tcp) throws Exception {
        Map<?, ?> counters = (Map<?, ?>) tcp.getClass().getMethod("counters").invoke(tcp);
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
    static Map<String, Long> components(Object record) throws Exception {
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

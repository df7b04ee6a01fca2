package dev.morgana.benchmarks;

import dev.morgana.api.net.Ipv4Address;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing a dotted-quad IPv4 address: Morgana's strict {@link Ipv4Address#parse} against the JDK's
 * {@link InetAddress#ofLiteral}, which does the same job without a name lookup. The wiring benchmark of
 * issue #2; see RESULTS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Ipv4AddressParseBenchmark {

    /** A short and a long address. */
    @Param({"10.0.0.1", "192.168.255.254"})
    public String text;

    @Benchmark
    public Ipv4Address morgana() {
        return Ipv4Address.parse(text);
    }

    @Benchmark
    public InetAddress jdkOfLiteral() {
        return InetAddress.ofLiteral(text);
    }
}

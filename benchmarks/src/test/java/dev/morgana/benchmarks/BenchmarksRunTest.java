package dev.morgana.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.benchmarks.ethernet.EthernetArpBenchmark;
import dev.morgana.benchmarks.http.HttpExchangeBenchmark;
import dev.morgana.benchmarks.http.RequestHeadParseBenchmark;
import dev.morgana.benchmarks.ipv4.Ipv4ReceiveBenchmark;
import dev.morgana.benchmarks.tcpip.TcpSegmentBenchmark;
import dev.morgana.benchmarks.tcpip.UdpIcmpBenchmark;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The short slice of the benchmarks in the default build: every benchmark runs once, briefly and in this
 * JVM, so that a benchmark that no longer compiles, fails or measures nothing is caught here rather than
 * by the next person who runs benchmarks/run. The figures themselves mean nothing at this length.
 */
class BenchmarksRunTest {

    @Test
    void everyBenchmarkRunsAndMeasuresSomething() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(Ipv4AddressParseBenchmark.class.getName())
                .include(RequestHeadParseBenchmark.class.getName())
                .include(HttpExchangeBenchmark.class.getName())
                .include(EthernetArpBenchmark.class.getName())
                .include(Ipv4ReceiveBenchmark.class.getName())
                .include(UdpIcmpBenchmark.class.getName())
                .include(TcpSegmentBenchmark.class.getName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .build()).run();
        assertEquals(18, results.size(), "the address parsers × two inputs, two each for HTTP heads and exchanges, "
                + "two for Ethernet and ARP, three for IPv4 (and UDP), three for UDP and ICMP, two for TCP segments");
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getBenchmark() + " scored " + score);
        }
    }
}

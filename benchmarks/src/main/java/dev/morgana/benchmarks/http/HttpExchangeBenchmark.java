package dev.morgana.benchmarks.http;

import dev.morgana.api.Clock;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.HttpServer;
import dev.morgana.http.StaticFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One keep-alive request and its response, 1 KiB from {@code StaticFiles}, with no network in the way:
 * Morgana's server reads {@value #REQUESTS} pipelined requests from a flow in memory and writes its
 * responses into a counter, on the benchmark's own thread, so that {@code -prof gc} counts what parsing,
 * the handler and the response writer allocate per request (issue #4). Peer: Netty's
 * {@code HttpServerCodec} and aggregator in an {@code EmbeddedChannel}, answering the same requests with
 * the same 1 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpExchangeBenchmark {

    static final int REQUESTS = 64;
    static final byte[] INPUT = ("GET /file.bin HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n")
            .repeat(REQUESTS).getBytes(StandardCharsets.US_ASCII);

    private Tcp.FlowHandler morgana;
    private EmbeddedChannel netty;
    private final ByteBuf nettyInput = Unpooled.unreleasableBuffer(Unpooled.directBuffer(INPUT.length).writeBytes(INPUT));

    @Setup
    public void setUp() throws NetworkException {
        Tcp capture = new Tcp() {
            @Override
            public Listener listen(Endpoint local, Options options, FlowHandler handler) {
                morgana = handler;
                return new Listener() {
                    @Override
                    public Endpoint local() {
                        return local;
                    }

                    @Override
                    public void close() {}
                };
            }

            @Override
            public Flow connect(Endpoint remote, Options options) {
                throw new UnsupportedOperationException();
            }
        };
        new HttpServer(capture, new WallClock(), new NoTimers(), HttpServer.Options.DEFAULT)
                .serve(new Endpoint(Ipv4Address.LOOPBACK, 8080), new StaticFiles(new OneFileStore("/file.bin", HttpFile.bytes())));
        netty = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new NettyHttpServer.FileHandler());
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long morgana() throws Exception {
        MemoryFlow flow = new MemoryFlow(INPUT);
        morgana.handle(flow);
        if (flow.written < REQUESTS * 1024L) {
            throw new IllegalStateException("only " + flow.written + " bytes answered");
        }
        return flow.written;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long netty() {
        netty.writeInbound(nettyInput.duplicate());
        netty.flushOutbound();
        long written = 0;
        for (Object out = netty.readOutbound(); out != null; out = netty.readOutbound()) {
            if (out instanceof ByteBuf bytes) {
                written += bytes.readableBytes();
            }
            ReferenceCountUtil.release(out);
        }
        if (written < REQUESTS * 1024L) {
            throw new IllegalStateException("only " + written + " bytes answered");
        }
        return written;
    }

    /** Requests from an array, responses counted and dropped. */
    static final class MemoryFlow implements Flow {
        private final byte[] input;
        private int position;
        long written;

        MemoryFlow(byte[] input) {
            this.input = input;
        }

        @Override
        public Endpoint remote() {
            return new Endpoint(Ipv4Address.LOOPBACK, 40000);
        }

        @Override
        public int read(MemorySegment buffer) {
            if (position == input.length) {
                return -1;
            }
            int n = (int) Math.min(buffer.byteSize(), input.length - position);
            MemorySegment.copy(MemorySegment.ofArray(input), position, buffer, 0, n);
            position += n;
            return n;
        }

        @Override
        public void write(MemorySegment data) {
            written += data.byteSize();
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public void shutdownInput() {}

        @Override
        public void close() {}
    }

    static final class WallClock implements Clock {
        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }
    }

    /** Timers that never fire: nothing here is slow enough to need them. */
    static final class NoTimers implements Timers {
        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration);
        }

        @Override
        public Timer schedule(long deadlineNanos, Runnable action) {
            return () -> true;
        }
    }
}

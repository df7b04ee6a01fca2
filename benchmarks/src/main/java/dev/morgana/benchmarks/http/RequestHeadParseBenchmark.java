package dev.morgana.benchmarks.http;

import dev.morgana.http.internal.BodyFraming;
import dev.morgana.http.internal.HeadLimits;
import dev.morgana.http.internal.RequestHead;
import dev.morgana.http.internal.RequestHeadParser;
import dev.morgana.http.internal.RequestRejected;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing the head of a keep-alive request as curl sends it, and deciding its body framing: Morgana's
 * sans-IO parser against Netty's {@code HttpRequestDecoder} on a long-lived channel (issue #4; run with
 * {@code -prof gc} for the bytes allocated per request). See RESULTS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestHeadParseBenchmark {

    static final byte[] REQUEST = ("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.14.1\r\n"
            + "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final MemorySegment buffer = MemorySegment.ofArray(REQUEST);
    private final RequestHeadParser parser = new RequestHeadParser(HeadLimits.DEFAULT);
    private final ByteBuf wire = Unpooled.unreleasableBuffer(Unpooled.directBuffer(REQUEST.length).writeBytes(REQUEST));
    private EmbeddedChannel netty;

    @Setup
    public void setUp() {
        netty = new EmbeddedChannel(new HttpRequestDecoder());
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public Object morgana() throws RequestRejected {
        parser.reset();
        RequestHead head = parser.parse(buffer, REQUEST.length);
        return BodyFraming.of(head);
    }

    @Benchmark
    public Object netty() {
        netty.writeInbound(wire.duplicate());
        Object request = netty.readInbound();
        long length = HttpUtil.getContentLength((HttpRequest) request, 0L);
        Object end = netty.readInbound(); // the empty last content
        ReferenceCountUtil.release(end);
        return length;
    }
}

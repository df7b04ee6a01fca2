package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.morgana.testing.Property;
import org.junit.jupiter.api.AfterAll;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Differential test with Netty's {@code HttpRequestDecoder} as the oracle: on seeded generated requests,
 * some with a few bytes mutated, both parsers accept or both refuse, and when both accept they agree on
 * the method, target, version and fields. Where they disagree, the input must show one of the deliberate
 * differences listed in {@link #MORGANA_STRICTER}; anything else fails the test.
 */
class NettyDifferentialTest {

    /** Inputs Morgana refuses and Netty accepts, on purpose (the head as ISO-8859-1 text). */
    static final Map<String, Predicate<String>> MORGANA_STRICTER = Map.of(
            "a bare LF or CR: RFC 9112 §2.2 lets a recipient read LF as a line end; we refuse it",
            head -> Pattern.compile("(?<!\r)\n|\r(?!\n)").matcher(head).find(),
            "obs-fold: RFC 9112 §5.2 lets a server unfold; we refuse it",
            head -> Pattern.compile("\r\n[ \t]").matcher(firstLineRest(head)).find(),
            "a request line other than method SP target SP version: Netty splits on any whitespace",
            head -> !Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+ [\\x21-\\x7e]+ HTTP/[0-9]\\.[0-9]")
                    .matcher(requestLine(head)).matches(),
            "controls in field values: Netty passes them on",
            head -> Pattern.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]").matcher(fieldsOf(head).replace("\r\n", "")).find(),
            "a field line without a token name and colon: Netty is lenient about what precedes the colon",
            head -> fieldsOf(head).lines().anyMatch(line -> !line.isEmpty()
                    && !Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*").matcher(line).matches()),
            "HTTP/1.x other than 1.0 and 1.1, which Netty refuses and we read as 1.1 (RFC 9110 §2.5), or the reverse",
            head -> !requestLine(head).endsWith("HTTP/1.0") && !requestLine(head).endsWith("HTTP/1.1"));

    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final AtomicInteger BOTH_ACCEPTED = new AtomicInteger();

    @AfterAll
    static void comparedFieldsOften() {
        // Not a vacuous agreement: most generated heads are valid, so both must have accepted many.
        assertTrue(BOTH_ACCEPTED.get() * 3 >= TRIES.get(), BOTH_ACCEPTED + " of " + TRIES + " compared");
    }

    @Property
    void agreesWithNettyOnGeneratedAndMutatedHeads(RandomGenerator random) {
        byte[] bytes = RequestHeads.model(random).wire(random).getBytes(StandardCharsets.ISO_8859_1);
        if (random.nextBoolean()) {
            for (int mutations = random.nextInt(1, 3); mutations > 0; mutations--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
        }
        compare(bytes);
    }

    private static void compare(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        Optional<RequestHead> morgana = morgana(bytes);
        Optional<HttpRequest> netty = netty(bytes);
        TRIES.incrementAndGet();
        try {
            if (morgana.isPresent() && netty.isPresent()) {
                BOTH_ACCEPTED.incrementAndGet();
                assertSame(morgana.get(), netty.get());
            } else if (morgana.isPresent() != netty.isPresent()) {
                List<String> explanations = MORGANA_STRICTER.entrySet().stream()
                        .filter(difference -> difference.getValue().test(text)).map(Map.Entry::getKey).toList();
                if (explanations.isEmpty()) {
                    fail((morgana.isPresent() ? "only Morgana" : "only Netty") + " accepted " + escape(text));
                }
            }
        } finally {
            netty.ifPresent(ReferenceCountUtil::release);
        }
    }

    private static void assertSame(RequestHead ours, HttpRequest theirs) {
        assertEquals(theirs.method().name(), ours.method());
        assertEquals(theirs.uri(), ours.targetString());
        assertEquals(theirs.protocolVersion().minorVersion(), ours.minorVersion());
        List<Map.Entry<String, String>> fields = theirs.headers().entries();
        assertEquals(fields.size(), ours.fieldCount(), "fields");
        for (int i = 0; i < fields.size(); i++) {
            assertTrue(ours.nameIs(i, fields.get(i).getKey().toLowerCase(java.util.Locale.ROOT)), fields.get(i).getKey());
            assertEquals(fields.get(i).getValue(), ours.valueString(i));
        }
    }

    /** Our parse: a complete, framing-checked head, or empty if refused or incomplete. */
    private static Optional<RequestHead> morgana(byte[] bytes) {
        try {
            RequestHead head = new RequestHeadParser(HeadLimits.DEFAULT).parse(MemorySegment.ofArray(bytes), bytes.length);
            return Optional.ofNullable(head);
        } catch (RequestRejected refused) {
            return Optional.empty();
        }
    }

    /** Netty's parse with the same limits, or empty if it failed or saw no complete head. */
    private static Optional<HttpRequest> netty(byte[] bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(
                HeadLimits.DEFAULT.requestLine(), HeadLimits.DEFAULT.head(), 8192));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
            Object message = channel.readInbound();
            while (message != null && !(message instanceof HttpRequest)) {
                ReferenceCountUtil.release(message);
                message = channel.readInbound();
            }
            if (message instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                return Optional.of(request);
            }
            ReferenceCountUtil.release(message);
            return Optional.empty();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static String requestLine(String head) {
        String rest = head.replaceFirst("^(\r\n)+", "");
        int end = rest.indexOf("\r\n");
        return end < 0 ? rest : rest.substring(0, end);
    }

    private static String firstLineRest(String head) {
        String rest = head.replaceFirst("^(\r\n)+", "");
        int end = rest.indexOf("\r\n");
        return end < 0 ? "" : rest.substring(end);
    }

    private static String fieldsOf(String head) {
        String rest = firstLineRest(head);
        return rest.length() < 2 ? "" : rest.substring(2);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}

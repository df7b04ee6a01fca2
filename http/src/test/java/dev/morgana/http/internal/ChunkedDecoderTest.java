package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.Property;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden bytes and seeded properties of the chunked-body decoder. */
class ChunkedDecoderTest {

    /** Decodes {@code wire} fed in pieces of at most {@code piece} bytes; returns data and bytes consumed. */
    record Decoded(byte[] data, long consumed, boolean done) {}

    static Decoded decode(byte[] wire, int piece) throws RequestRejected {
        ChunkedDecoder decoder = new ChunkedDecoder(64, 256);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long consumed = 0;
        for (int from = 0; from < wire.length && !decoder.done(); from += piece) {
            MemorySegment in = MemorySegment.ofArray(wire).asSlice(from, Math.min(piece, wire.length - from));
            consumed += decoder.decode(in, slice -> data.writeBytes(slice.toArray(ValueLayout.JAVA_BYTE)));
        }
        return new Decoded(data.toByteArray(), consumed, decoder.done());
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesChunksExtensionsAndTrailers() throws RequestRejected {
        String body = "5\r\nhello\r\n7;name=value ; x=\"q\"\r\n, world\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n";
        for (int piece = 1; piece <= body.length(); piece++) {
            Decoded decoded = decode(ascii(body + "GET /next"), piece);
            assertEquals("hello, world", new String(decoded.data(), StandardCharsets.US_ASCII), "pieces of " + piece);
            assertEquals(body.length(), decoded.consumed(), "stops at the end of the body");
            assertTrue(decoded.done());
        }
    }

    @Test
    void decodesIntoABufferAndSaysHowMuchCame() throws RequestRejected {
        ChunkedDecoder decoder = new ChunkedDecoder(64, 64);
        MemorySegment out = MemorySegment.ofArray(new byte[32]);
        MemorySegment in = MemorySegment.ofArray(ascii("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nNEXT"));
        assertEquals(in.byteSize() - 4, decoder.decodeInto(in, out));
        assertEquals(5, decoder.copied());
        assertEquals("abcde", new String(out.asSlice(0, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        assertTrue(decoder.done());
        assertEquals(0, decoder.decodeInto(MemorySegment.ofArray(ascii("NEXT")), out));
        assertEquals(0, decoder.copied());
    }

    @Test
    void waitsForTheEnd() throws RequestRejected {
        Decoded decoded = decode(ascii("A\r\n0123456789\r\n0\r\n"), 3);
        assertFalse(decoded.done(), "the final CRLF is missing");
        assertEquals("0123456789", new String(decoded.data(), StandardCharsets.US_ASCII));
        assertTrue(decode(ascii("a\r\n0123456789\r\n000 \t;ext\r\n\r\n"), 4).done(), "lower-case hex, BWS, 0s");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\r\n", "g\r\n", " 5\r\nhello\r\n0\r\n\r\n", "5 5\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n",
        "5\r\nhello!\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5;\u0001\r\nhello\r\n0\r\n\r\n",
        "0\r\nX\r\n\r\n", "0\r\n folded: yes\r\n\r\n", "0\r\nX(: y\r\n\r\n", "0\r\nX: \u0000\r\n\r\n",
        "fffffffffffffffff\r\n"})
    void refusesMalformedBodies(String body) {
        assertEquals(400, assertThrows(RequestRejected.class, () -> decode(ascii(body), 1)).status());
    }

    @Test
    void boundsEachLineAndTheTrailersInAll() {
        assertEquals(400, assertThrows(RequestRejected.class,
                () -> decode(ascii("0\r\nX: " + "a".repeat(80) + "\r\n\r\n"), 5)).status());
        assertEquals(400, assertThrows(RequestRejected.class,
                () -> decode(ascii("5;" + "e".repeat(80) + "\r\nhello\r\n0\r\n\r\n"), 5)).status());
        String trailers = "X-A: " + "a".repeat(50) + "\r\n";
        assertEquals(400, assertThrows(RequestRejected.class,
                () -> decode(ascii("0\r\n" + trailers.repeat(6) + "\r\n"), 7)).status());
    }

    @Property
    void decodesWhatWasEncodedHoweverItArrives(RandomGenerator random) throws RequestRejected {
        byte[] data = new byte[random.nextInt(0, 3000)];
        random.nextBytes(data);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int at = 0; at < data.length;) {
            int chunk = Math.min(data.length - at, random.nextInt(1, 700));
            String size = Integer.toHexString(chunk);
            wire.writeBytes(ascii((random.nextBoolean() ? size.toUpperCase(java.util.Locale.ROOT) : size)
                    + (random.nextInt(4) == 0 ? " ;ext=" + random.nextInt(1000) : "") + "\r\n"));
            wire.write(data, at, chunk);
            wire.writeBytes(ascii("\r\n"));
            at += chunk;
        }
        wire.writeBytes(ascii("0\r\n" + (random.nextBoolean() ? "Trailer-" + random.nextInt(9) + ": v\r\n" : "") + "\r\n"));
        int length = wire.size();
        wire.writeBytes(ascii("next request"));
        Decoded decoded = decode(wire.toByteArray(), random.nextInt(1, 200));
        assertArrayEquals(data, decoded.data());
        assertEquals(length, decoded.consumed());
        assertTrue(decoded.done());
    }
}

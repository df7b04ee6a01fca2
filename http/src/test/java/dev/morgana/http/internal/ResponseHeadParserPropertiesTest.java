package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.random.RandomGenerator;

/** Seeded properties of the response-head parser (replay a failure with -Dmorgana.seed=N). */
class ResponseHeadParserPropertiesTest {

    @Property
    void parsesWhatWasSentHoweverItArrives(RandomGenerator random) throws RequestRejected {
        ResponseHeads.Model model = ResponseHeads.model(random);
        String wire = model.wire(random);
        MemorySegment buffer = RequestHeadParserTest.bytes(wire + "body");
        ResponseHeadParser parser = new ResponseHeadParser(HeadLimits.DEFAULT);
        ResponseHead head = null;
        long available = 0;
        while (head == null) {
            assertTrue(available < wire.length(), "the head is complete before its last byte");
            available = Math.min(buffer.byteSize(), available + 1 + random.nextInt(16));
            head = parser.parse(buffer, available);
        }
        assertEquals(wire.length(), head.length());
        assertEquals(model.status(), head.status());
        assertEquals(model.minor(), head.minorVersion());
        assertEquals(2 * model.fields().size(), head.pairs().size());
        for (int i = 0; i < model.fields().size(); i++) {
            assertEquals(model.fields().get(i).name().toLowerCase(Locale.ROOT), head.pairs().get(2 * i));
            assertEquals(model.fields().get(i).value(), head.pairs().get(2 * i + 1));
        }
    }

    @Property
    void aMutatedHeadIsParsedConsistentlyOrRefused(RandomGenerator random) {
        byte[] bytes = ResponseHeads.model(random).wire(random).getBytes(StandardCharsets.ISO_8859_1);
        for (int mutations = random.nextInt(1, 4); mutations > 0; mutations--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        assertParsedConsistentlyOrRefused(bytes);
    }

    /** The parser's contract on any bytes: a well-formed head within them, null, or a 502 refusal. */
    static void assertParsedConsistentlyOrRefused(byte[] bytes) {
        MemorySegment buffer = MemorySegment.ofArray(bytes);
        ResponseHead head;
        try {
            head = new ResponseHeadParser(HeadLimits.DEFAULT).parse(buffer, bytes.length);
        } catch (RequestRejected refused) {
            assertEquals(502, refused.status());
            return;
        }
        if (head == null) {
            return;
        }
        assertTrue(head.length() <= bytes.length);
        assertTrue(head.status() >= 100 && head.status() <= 999, "status " + head.status());
        for (int i = 0; i < head.pairs().size(); i += 2) {
            String name = head.pairs().get(i);
            String value = head.pairs().get(i + 1);
            assertTrue(!name.isEmpty() && name.chars().noneMatch(c -> c <= 0x20 || c == ':' || c >= 0x7F), name);
            assertTrue(value.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F), value);
            assertTrue(value.isEmpty() || (value.charAt(0) > ' ' && value.charAt(value.length() - 1) > ' '), value);
        }
        for (String method : new String[] {"GET", "HEAD"}) {
            try {
                BodyFraming framing = BodyFraming.ofResponse(method, head);
                assertTrue(!(framing instanceof BodyFraming.Length(long n)) || n >= 0);
            } catch (RequestRejected refused) {
                assertEquals(502, refused.status());
            }
        }
        // The same bytes a byte at a time give the same head.
        ResponseHeadParser parser = new ResponseHeadParser(HeadLimits.DEFAULT);
        ResponseHead again = null;
        try {
            for (int available = 0; available <= bytes.length && again == null; available++) {
                again = parser.parse(buffer, available);
            }
        } catch (RequestRejected refused) {
            throw new AssertionError("refused byte by byte what was accepted whole", refused);
        }
        assertNotNull(again);
        assertEquals(head, again);
    }
}

package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.testing.Property;
import java.lang.foreign.MemorySegment;
import java.util.random.RandomGenerator;

/** Seeded properties of the request-head parser (replay a failure with -Dmorgana.seed=N). */
class RequestHeadParserPropertiesTest {

    @Property
    void parsesWhatWasSentHoweverItArrives(RandomGenerator random) throws RequestRejected {
        RequestHeads.Model model = RequestHeads.model(random);
        String wire = model.wire(random);
        MemorySegment buffer = RequestHeadParserTest.bytes(wire + "next");
        RequestHeadParser parser = new RequestHeadParser(HeadLimits.DEFAULT);
        RequestHead head = null;
        long available = 0;
        while (head == null) {
            assertTrue(available < wire.length(), "the head is complete before its last byte");
            available = Math.min(buffer.byteSize(), available + 1 + random.nextInt(16));
            head = parser.parse(buffer, available);
        }
        assertEquals(wire.length(), head.length());
        assertEquals(model.method(), head.method());
        assertEquals(model.target(), head.targetString());
        assertEquals(model.minor(), head.minorVersion());
        assertEquals(model.fields().size(), head.fieldCount());
        for (int i = 0; i < head.fieldCount(); i++) {
            assertTrue(head.nameIs(i, model.fields().get(i).name().toLowerCase(java.util.Locale.ROOT)));
            assertEquals(model.fields().get(i).value(), head.valueString(i));
        }
    }

    @Property
    void aMutatedHeadIsParsedConsistentlyOrRefused(RandomGenerator random) {
        byte[] bytes = RequestHeads.model(random).wire(random).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int mutations = random.nextInt(1, 4); mutations > 0; mutations--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        assertParsedConsistentlyOrRefused(bytes);
    }

    /** The parser's contract on any bytes: a head within them whose parts are well-formed, null, or a refusal. */
    static void assertParsedConsistentlyOrRefused(byte[] bytes) {
        MemorySegment buffer = MemorySegment.ofArray(bytes);
        RequestHead head;
        try {
            head = new RequestHeadParser(HeadLimits.DEFAULT).parse(buffer, bytes.length);
        } catch (RequestRejected refused) {
            assertTrue(refused.status() == 400 || refused.status() == 414 || refused.status() == 431
                    || refused.status() == 505, "status " + refused.status());
            return;
        }
        if (head == null) {
            return;
        }
        assertTrue(head.length() <= bytes.length);
        assertTrue(head.targetString().chars().allMatch(c -> c > 0x20 && c < 0x7F), head.targetString());
        for (int i = 0; i < head.fieldCount(); i++) {
            assertTrue(head.nameString(i).chars().noneMatch(c -> c <= 0x20 || c == ':' || c >= 0x7F), head.nameString(i));
            String value = head.valueString(i);
            assertTrue(value.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F), value);
            assertTrue(value.isEmpty() || (value.charAt(0) > ' ' && value.charAt(value.length() - 1) > ' '), value);
        }
        try {
            BodyFraming.of(head);
        } catch (RequestRejected refused) {
            assertTrue(refused.status() == 400 || refused.status() == 501, "status " + refused.status());
        }
        // The same bytes a byte at a time give the same head.
        RequestHeadParser parser = new RequestHeadParser(HeadLimits.DEFAULT);
        RequestHead again = null;
        try {
            for (int available = 0; available <= bytes.length && again == null; available++) {
                again = parser.parse(buffer, available);
            }
        } catch (RequestRejected refused) {
            throw new AssertionError("refused byte by byte what was accepted whole", refused);
        }
        assertNotNull(again);
        assertEquals(head.length(), again.length());
        assertEquals(head.fieldCount(), again.fieldCount());
    }
}

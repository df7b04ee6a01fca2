package dev.morgana.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.morgana.testing.Property;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The untrusted text StaticFiles reads, URL paths and Range fields: seeded properties, and a Jazzer fuzz
 * test of both (its corpus is in {@code StaticFilesPathsTestInputs}).
 */
class StaticFilesPathsTest {

    @Property
    void encodedSegmentsDecodeBackOnce(RandomGenerator random) {
        List<String> segments = new ArrayList<>();
        for (int i = random.nextInt(1, 5); i > 0; i--) {
            StringBuilder segment = new StringBuilder();
            for (int j = random.nextInt(1, 12); j > 0; j--) {
                int c = random.nextInt(4) == 0 ? random.nextInt(0xA0, 0x800) : random.nextInt(0x20, 0x7F);
                segment.appendCodePoint(c == '/' ? '_' : c); // a slash cannot be inside a segment, encoded or not
            }
            if (segment.toString().equals(".") || segment.toString().equals("..")) {
                segment.append('x');
            }
            segments.add(segment.toString());
        }
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        assertEquals(Optional.of(segments), StaticFiles.segments(path.toString()));
        // Decoded once: an encoded percent stays a percent; an encoded slash does not split a segment.
        assertEquals(Optional.of(List.of("%2e%2e")), StaticFiles.segments("/%252e%252e"));
        assertEquals(Optional.empty(), StaticFiles.segments("/a%2Fb"));
    }

    @Property
    void rangesFallInsideTheValue(RandomGenerator random) {
        long size = random.nextLong(0, 10_000);
        String spec = switch (random.nextInt(3)) {
            case 0 -> "bytes=" + random.nextLong(0, 12_000) + "-" + random.nextLong(0, 12_000);
            case 1 -> "bytes=" + random.nextLong(0, 12_000) + "-";
            default -> "bytes=-" + random.nextLong(0, 12_000);
        };
        assertRangeInside(StaticFiles.range(spec, size), size);
    }

    @FuzzTest(maxDuration = "60s")
    void anyPathOrRangeIsSafe(@NotNull String text, long size) {
        Optional<List<String>> segments = StaticFiles.segments(text);
        segments.ifPresent(list -> list.forEach(segment -> {
            assertTrue(!segment.isEmpty() && !segment.equals(".") && !segment.equals(".."), segment);
            assertTrue(segment.indexOf('/') < 0 && segment.indexOf('\0') < 0, segment);
        }));
        assertRangeInside(StaticFiles.range(text, Math.abs(size % 1_000_000)), Math.abs(size % 1_000_000));
    }

    private static void assertRangeInside(long[] range, long size) {
        if (range == null || range.length == 0) {
            return; // ignored, or unsatisfiable
        }
        assertTrue(0 <= range[0] && range[0] <= range[1] && range[1] < size,
                range[0] + "-" + range[1] + " of " + size);
    }
}

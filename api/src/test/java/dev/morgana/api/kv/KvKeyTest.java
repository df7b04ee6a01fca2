package dev.morgana.api.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvKeyTest {

    @Test
    void parsesWithOrWithoutLeadingSlash() {
        KvKey key = KvKey.parse("/docs/index.html");
        assertEquals(List.of("docs", "index.html"), key.segments());
        assertEquals(key, KvKey.parse("docs/index.html"));
        assertEquals("/docs/index.html", key.toString());
        assertEquals("index.html", key.name());
        assertEquals(KvKey.of("docs"), key.parent());
        assertEquals(KvKey.ROOT, key.parent().parent());
        assertEquals(key, KvKey.of("docs").resolve("index.html"));
        assertTrue(key.startsWith(KvKey.of("docs")));
        assertTrue(key.startsWith(KvKey.ROOT));
        assertFalse(KvKey.of("docs").startsWith(key));
    }

    @Test
    void theRootIsSlash() {
        assertEquals(KvKey.ROOT, KvKey.parse("/"));
        assertEquals("/", KvKey.ROOT.toString());
        assertTrue(KvKey.ROOT.isRoot());
        assertThrows(IllegalStateException.class, KvKey.ROOT::parent);
        assertThrows(IllegalStateException.class, KvKey.ROOT::name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a//b", "a/", "//", "./a", "a/.", "a/../b", "..", "/../etc/passwd", "a\u0000b", "\ud800x"})
    void refusesTraversalAndAmbiguity(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvKey.parse(text));
        assertFalse(e.getMessage().contains("\u0000"), "messages escape control characters");
    }

    @Test
    void boundsLength() {
        String longest = "a".repeat(KvKey.MAX_SEGMENT_BYTES);
        assertEquals(longest, KvKey.of(longest).name());
        assertThrows(IllegalArgumentException.class, () -> KvKey.of(longest + "a"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("é".repeat(128)), "255 is a byte limit, not a char limit");
        List<String> deep = java.util.Collections.nCopies(KvKey.MAX_KEY_BYTES / 2, "a");
        assertEquals(KvKey.MAX_KEY_BYTES, KvKey.of(deep).toString().length());
        List<String> deeper = new java.util.ArrayList<>(deep);
        deeper.add("b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvKey.of(deeper));
        assertTrue(e.getMessage().contains("key too long"), e.getMessage());
    }

    @Test
    void refusesSlashInsideASegment() {
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("a/b"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.ROOT.resolve(".."));
    }
}

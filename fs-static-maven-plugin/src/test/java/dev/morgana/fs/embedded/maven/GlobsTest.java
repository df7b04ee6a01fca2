package dev.morgana.fs.embedded.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ant-style patterns against keys' segments. */
class GlobsTest {

    private static boolean matches(String pattern, String path) {
        return Globs.of(List.of(pattern)).matches(List.of(path.split("/")));
    }

    @Test
    void doubleStarMatchesAnyNumberOfSegments() {
        assertEquals(true, matches("**", "a"));
        assertEquals(true, matches("**", "a/b/c"));
        assertEquals(true, matches("**/*.html", "index.html"));
        assertEquals(true, matches("**/*.html", "docs/deep/a.html"));
        assertEquals(false, matches("**/*.html", "docs/a.css"));
        assertEquals(true, matches("docs/**", "docs"));
        assertEquals(true, matches("docs/**/x", "docs/x"));
        assertEquals(true, matches("docs/**/x", "docs/a/b/x"));
        assertEquals(false, matches("docs/**/x", "other/x"));
    }

    @Test
    void starAndQuestionMarkStayWithinASegment() {
        assertEquals(true, matches("*.txt", "a.txt"));
        assertEquals(false, matches("*.txt", "a/b.txt"));
        assertEquals(true, matches("?.txt", "é.txt"));
        assertEquals(false, matches("?.txt", "ab.txt"));
        assertEquals(true, matches("a*b*c", "a-x-b-y-c"));
    }

    @Test
    void otherCharactersAreLiteral() {
        assertEquals(true, matches("a+(b).[c]", "a+(b).[c]"));
        assertEquals(false, matches("a.c", "abc"));
    }

    @Test
    void aTrailingSlashMeansTheFolderAndAllBelow() {
        assertEquals(true, matches("drafts/", "drafts"));
        assertEquals(true, matches("drafts/", "drafts/a/b"));
        assertEquals(true, matches("/drafts", "drafts"));
        assertEquals(false, matches("drafts/", "drafts2"));
    }

    @Test
    void anyPatternOfTheListMatches() {
        Globs globs = Globs.of(List.of("*.css", "*.js"));
        assertEquals(true, globs.matches(List.of("a.js")));
        assertEquals(false, globs.matches(List.of("a.html")));
        assertEquals(false, Globs.of(List.of()).matches(List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Globs.of(List.of(" ")));
    }
}

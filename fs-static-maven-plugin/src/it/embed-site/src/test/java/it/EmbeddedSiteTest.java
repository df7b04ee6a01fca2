package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.name.Names;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The application reads both stores from its own class path, as it would from its jar. */
class EmbeddedSiteTest {

    @Test
    void bothFoldersAreEmbeddedUnderTheirNames() throws Exception {
        Injector injector = Guice.createInjector(Stage.PRODUCTION,
                EmbeddedKvModule.of("site").named("site"), EmbeddedKvModule.of("docs").named("docs"));
        KvRo site = injector.getInstance(Key.get(KvRo.class, Names.named("site")));
        KvRo docs = injector.getInstance(Key.get(KvRo.class, Names.named("docs")));
        for (String path : List.of("index.html", "css/site.css", "été.txt")) {
            byte[] expected = Files.readAllBytes(Path.of("content").resolve(path));
            assertArrayEquals(expected, site.get(KvKey.parse(path)).toArray(ValueLayout.JAVA_BYTE), path);
        }
        assertEquals(3, site.list(KvKey.ROOT).size());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), site.lastModified(KvKey.of("index.html")),
                "project.build.outputTimestamp, not the checkout's time");
        assertEquals(List.of(new KvRo.Entry("README.md", KvRo.Kind.VALUE)), docs.list(KvKey.ROOT));
    }
}

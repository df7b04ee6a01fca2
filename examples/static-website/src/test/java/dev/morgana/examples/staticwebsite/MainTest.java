package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.Unikernel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void offersOnlyTheTargetsThatExistUnixFirst() {
        assertEquals(List.of("unix"), Main.targets(SiteConfig.defaults()).stream().map(Target::name).toList());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(Main.NAME, StaticWebsite.class, Main.targets(SiteConfig.defaults()),
                List.of("--target", "xen"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Launcher.USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("static-website: --target needs one of: unix\n"));
    }

    @Test
    void theApplicationSeesSignaturesAndItsConfigOnly() {
        String graph = Unikernel.of(Main.NAME, StaticWebsite.class,
                Main.targets(SiteConfig.defaults()).getFirst().modules().get()).describe();
        assertEquals("""
                static-website (application StaticWebsite)
                  JvmModule --Console--> UnixStackModule
                  UnixStackModule --Stack--> StaticWebsite
                  EmbeddedKvModule --KvRo--> StaticWebsite
                  JvmModule --Clock--> StaticWebsite
                  JvmModule --Timers--> StaticWebsite
                  JvmModule --Console--> StaticWebsite
                  SiteConfigModule --SiteConfig--> StaticWebsite
                  JvmModule --Entropy--> (unused)
                  UnixStackModule --Tcp--> (unused)
                  UnixStackModule --Udp--> (unused)
                """, graph);
    }

    @Test
    void theBuildEmbedsEveryFileOfSite() throws Exception {
        KvRo site = Guice.createInjector(EmbeddedKvModule.of(Main.STORE)).getInstance(KvRo.class);
        Path folder = Path.of("site");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(4, files.size(), files.toString());
        for (Path file : files) {
            List<String> segments = Stream.of(folder.relativize(file).toString().split("/")).toList();
            assertArrayEquals(Files.readAllBytes(file), site.get(KvKey.of(segments)).toArray(ValueLayout.JAVA_BYTE),
                    file.toString());
        }
    }
}

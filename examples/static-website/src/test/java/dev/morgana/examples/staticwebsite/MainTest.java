package dev.morgana.examples.staticwebsite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.fs.embedded.EmbeddedKvModule;
import dev.morgana.runtime.Launcher;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.DirectConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The command line and the targets it offers; nothing is started. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static List<Target> targets(String... args) {
        SiteConfig.Parsed site = SiteConfig.parse(List.of(args));
        return Main.targets(site, DirectConfig.parse(site.rest()));
    }

    /** The configuration the application is given on {@code target}. */
    private static SiteConfig configOn(String target, String... args) {
        Target chosen = targets(args).stream().filter(t -> t.name().equals(target)).findFirst().orElseThrow();
        SiteConfigModule module = chosen.modules().get().stream().filter(SiteConfigModule.class::isInstance)
                .map(SiteConfigModule.class::cast).findFirst().orElseThrow();
        return Guice.createInjector(module).getInstance(SiteConfig.class);
    }

    @Test
    void offersUnixFirstThenDirect() {
        assertEquals(List.of("unix", "direct"), targets().stream().map(Target::name).toList());
        assertEquals(Launcher.USAGE, run("--target", "xen"));
        assertTrue(err().startsWith("static-website: --target needs one of: unix, direct\n"), err());
    }

    @Test
    void theApplicationSeesSignaturesAndItsConfigOnly() {
        String graph = Unikernel.of(Main.NAME, StaticWebsite.class, targets().getFirst().modules().get()).describe();
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
    void onTheDirectTargetTheSameApplicationSitsOnMorganasOwnTcp() {
        assertEquals(0, run("--tap", "mt0", "--ip", "192.0.2.2/24", "--target", "direct", "describe"), err());
        assertTrue(out().startsWith("static-website (application StaticWebsite)\n"), out());
        assertTrue(out().contains("  TapModule --Network--> EthernetModule\n"), out());
        assertTrue(out().contains("  TcpModule --Tcp--> StackModule\n"), out());
        assertTrue(out().contains("  StackModule --Stack--> StaticWebsite\n"), out());
        assertTrue(out().contains("  SiteConfigModule --SiteConfig--> StaticWebsite\n"), out());
    }

    @Test
    void withoutBindEachTargetListensWhereItCanBeReached() {
        // unix: loopback only. direct has no loopback: the stack's own address, which the certificate covers.
        SiteConfig unix = configOn("unix", "--tap", "mt0", "--ip", "192.0.2.2/24");
        assertEquals(Ipv4Address.LOOPBACK, unix.bind());
        assertEquals(List.of("localhost", "127.0.0.1"), ((Certificates.SelfSigned) unix.certificates()).hostNames());
        SiteConfig direct = configOn("direct", "--tap", "mt0", "--ip", "192.0.2.2/24");
        assertEquals(Ipv4Address.parse("192.0.2.2"), direct.bind());
        assertEquals(List.of("localhost", "127.0.0.1", "192.0.2.2"),
                ((Certificates.SelfSigned) direct.certificates()).hostNames());
        // With DHCP the address comes later: every address.
        assertEquals(Ipv4Address.ANY, configOn("direct", "--tap", "mt0", "--dhcp").bind());
        // --bind holds on both.
        assertEquals(Ipv4Address.ANY, configOn("direct", "--tap", "mt0", "--ip", "192.0.2.2/24", "--bind", "0.0.0.0").bind());
        assertEquals(Ipv4Address.ANY, configOn("unix", "--bind", "0.0.0.0").bind());
    }

    @Test
    void theDirectTargetSaysWhatItNeeds() {
        assertEquals(Launcher.USAGE, run("--target", "direct"));
        assertTrue(err().startsWith("static-website: target direct: the direct target needs --tap NAME, and "
                + "--ip ADDRESS/PREFIX or --dhcp\n"), err());
        assertTrue(err().contains("  --bind ADDRESS ") && err().contains("  --tap NAME "), err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(Launcher.USAGE, run("--tap", "mt0", "--ip", "192.0.2.2"));
        assertTrue(err().startsWith("static-website: --ip needs ADDRESS/PREFIX such as 192.0.2.2/24, got \"192.0.2.2\""),
                err());
        assertEquals(Launcher.USAGE, run("--http-port", "x"));
        assertEquals(Launcher.USAGE, run("--bogus"));
        assertTrue(err().contains("static-website: unknown argument \"--bogus\"\n"), err());
    }

    @Test
    void helpListsTargetsAndOptions() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("  unix ") && out().contains("  direct "), out());
        assertTrue(out().contains("--bind ADDRESS") && out().contains("--tap NAME") && out().contains("--dhcp"), out());
        assertEquals("", err());
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

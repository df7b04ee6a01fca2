package dev.morgana.unix.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.name.Names;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.kv.KvRw;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functor: what it exposes, applied twice under two names, and in a strict injector. */
class FolderKvModuleTest {

    @TempDir
    Path temp;

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void exposesKvRoAndKvRwOnlyWhenWritable() {
        assertEquals(Set.of(Key.get(KvRo.class)), exposed(FolderKvModule.readOnly(temp)));
        assertEquals(Set.of(Key.get(KvRo.class), Key.get(KvRw.class)), exposed(FolderKvModule.readWrite(temp)));
        assertEquals(Set.of(Key.get(KvRo.class, Names.named("assets"))), exposed(FolderKvModule.readOnly(temp).named("assets")));
        assertThrows(IllegalArgumentException.class, () -> FolderKvModule.readOnly(temp).named(" "));
    }

    /** The strictness the runtime's bootstrap applies (CONVENTIONS 7). */
    private static Injector strict(Module... modules) {
        Module rules = new AbstractModule() {
            @Override
            protected void configure() {
                binder().requireExplicitBindings();
                binder().disableCircularProxies();
                binder().requireExactBindingAnnotations();
                binder().requireAtInjectOnConstructors();
                for (Module module : modules) {
                    install(module);
                }
            }
        };
        return Guice.createInjector(Stage.PRODUCTION, rules);
    }

    @Test
    void oneTargetEmbedsTwoFoldersUnderTwoNames() throws Exception {
        Path site = Files.createDirectory(temp.resolve("site"));
        Path data = Files.createDirectory(temp.resolve("data"));
        Files.writeString(site.resolve("index.html"), "hello");
        Injector injector = strict(FolderKvModule.readOnly(site).named("assets"), FolderKvModule.readWrite(data).named("data"));
        KvRo assets = injector.getInstance(Key.get(KvRo.class, Names.named("assets")));
        KvRw store = injector.getInstance(Key.get(KvRw.class, Names.named("data")));
        assertSame(store, injector.getInstance(Key.get(KvRo.class, Names.named("data"))), "one store behind both keys");
        assertThrows(ConfigurationException.class, () -> injector.getInstance(Key.get(KvRw.class, Names.named("assets"))));

        store.set(KvKey.of("counter"), MemorySegment.ofArray("1".getBytes(StandardCharsets.UTF_8)));
        assertEquals("1", Files.readString(data.resolve("counter")));
        assertEquals(Optional.empty(), assets.exists(KvKey.of("counter")), "the folders are apart");
        assertEquals(5, assets.size(KvKey.of("index.html")));
    }

    @Test
    void aMissingFolderFailsWithItsPath() {
        Path missing = temp.resolve("no-such-folder");
        CreationException failure = assertThrows(CreationException.class, () -> strict(FolderKvModule.readWrite(missing)));
        assertTrue(failure.getMessage().contains(missing.toString()), failure.getMessage());
    }
}

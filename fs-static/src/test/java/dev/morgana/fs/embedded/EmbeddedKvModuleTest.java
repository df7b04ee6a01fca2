package dev.morgana.fs.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
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
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functor: what it exposes, applied twice under two names, and in a strict injector. */
class EmbeddedKvModuleTest {

    @TempDir
    Path temp;

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
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
    void exposesKvRoUnqualifiedOrUnderItsName() {
        assertEquals(Set.of(Key.get(KvRo.class)), exposed(EmbeddedKvModule.of("site")));
        assertEquals(Set.of(Key.get(KvRo.class, Names.named("assets"))), exposed(EmbeddedKvModule.of("site").named("assets")));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKvModule.of("site").named(" "));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKvModule.of("../etc"));
    }

    @Test
    void oneTargetEmbedsTwoFoldersUnderTwoNames() throws Exception {
        Map<KvKey, byte[]> site = TestStores.tree();
        site.put(KvKey.of("index.html"), "hello".getBytes(UTF_8));
        Map<KvKey, byte[]> docs = TestStores.tree();
        docs.put(KvKey.of("index.html"), "docs".getBytes(UTF_8));
        TestStores.write(temp, "site", site, 1 << 20, 0);
        TestStores.write(temp, "docs", docs, 1 << 20, 0);
        ClassLoader loader = TestStores.loader(temp);
        Injector injector = strict(EmbeddedKvModule.of("site", loader).named("site"), EmbeddedKvModule.of("docs", loader).named("docs"));
        KvRo first = injector.getInstance(Key.get(KvRo.class, Names.named("site")));
        KvRo second = injector.getInstance(Key.get(KvRo.class, Names.named("docs")));
        assertInstanceOf(EmbeddedKv.class, first);
        assertEquals("hello", new String(first.get(KvKey.of("index.html")).toArray(ValueLayout.JAVA_BYTE), UTF_8));
        assertEquals("docs", new String(second.get(KvKey.of("index.html")).toArray(ValueLayout.JAVA_BYTE), UTF_8));
        assertTrue(first == injector.getInstance(Key.get(KvRo.class, Names.named("site"))), "one store per functor");
    }

    @Test
    void aMissingStoreFailsAtStartNamingItsResource() {
        CreationException failure = assertThrows(CreationException.class,
                () -> strict(EmbeddedKvModule.of("site", TestStores.loader(temp))));
        assertTrue(failure.getMessage().contains("META-INF/morgana/kv/site/index is not among the resources"), failure.getMessage());
    }
}

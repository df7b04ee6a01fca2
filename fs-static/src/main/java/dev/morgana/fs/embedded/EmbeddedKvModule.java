package dev.morgana.fs.embedded;

import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.Provider;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.kv.KvRo;
import dev.morgana.fs.embedded.internal.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The functor of a key-value store embedded in the application at build time.
 *
 * <ul>
 *   <li><b>Requires:</b> nothing.</li>
 *   <li><b>Provides:</b> an {@link EmbeddedKv} over the store's resources (no service: it holds memory, no
 *       device). Its index is read when the store is first injected, and a missing or corrupt store fails
 *       then, naming its resource; contents are read on first use.</li>
 *   <li><b>Exposes:</b> {@link KvRo}, qualified with {@code @Named(name)} after {@link #named}, unqualified
 *       otherwise.</li>
 * </ul>
 *
 * <p>The store's name is the one given to {@code morgana-fs-static-maven-plugin} ({@code <store>}). To embed
 * two folders, generate two stores and apply the functor twice under two names:
 * {@code EmbeddedKvModule.of("site").named("site")} and {@code EmbeddedKvModule.of("docs").named("docs")}.
 */
public final class EmbeddedKvModule extends PrivateModule {

    private final String store;
    private final ClassLoader loader;
    private final String name;

    private EmbeddedKvModule(String store, ClassLoader loader, String name) {
        this.store = Layout.checkName(store);
        this.loader = Objects.requireNonNull(loader, "loader");
        this.name = name;
    }

    /**
     * The store generated under {@code store}, found among the resources of this library's class loader,
     * which on the class path or the module path is the application's.
     *
     * @param store the store's name, as given to the plugin
     * @return the functor, unqualified
     * @throws IllegalArgumentException when {@code store} is not a valid store name
     */
    public static EmbeddedKvModule of(String store) {
        return new EmbeddedKvModule(store, EmbeddedKvModule.class.getClassLoader(), null);
    }

    /**
     * The store generated under {@code store}, found among the resources of {@code loader}: for an
     * application loaded by a class loader of its own (a plugin system, a test's class loader).
     *
     * @param store the store's name, as given to the plugin
     * @param loader the class loader whose resources hold the store
     * @return the functor, unqualified
     * @throws IllegalArgumentException when {@code store} is not a valid store name
     */
    public static EmbeddedKvModule of(String store, ClassLoader loader) {
        return new EmbeddedKvModule(store, loader, null);
    }

    /**
     * The same store, exposed under {@code @Named(name)}, so that a target can apply the functor twice.
     *
     * @param name the qualifier, not blank
     * @return a new functor
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public EmbeddedKvModule named(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a qualifier name must not be blank");
        }
        return new EmbeddedKvModule(store, loader, name);
    }

    @Override
    protected void configure() {
        // The index is read when the store is first injected, not here: a module reads nothing while configured.
        Key<KvRo> key = name == null ? Key.get(KvRo.class) : Key.get(KvRo.class, Names.named(name));
        bind(key).toProvider(new Opener(store, loader)).in(Singleton.class);
        expose(key);
    }

    /** Opens the store; Guice reports its failure with the key that needed it. */
    private record Opener(String store, ClassLoader loader) implements Provider<KvRo> {
        @Override
        public KvRo get() {
            try {
                return EmbeddedKv.open(store, loader);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}

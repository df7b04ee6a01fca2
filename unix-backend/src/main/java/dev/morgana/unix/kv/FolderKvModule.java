package dev.morgana.unix.kv;

import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.kv.KvRw;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The functor of a key-value store over a host folder.
 *
 * <ul>
 *   <li><b>Requires:</b> nothing.</li>
 *   <li><b>Provides:</b> a store over the folder (no service: it opens files only for the length of a call).
 *       The folder must exist and be a directory when the store is first injected.</li>
 *   <li><b>Exposes:</b> {@link KvRo}, and {@link KvRw} when made with {@link #readWrite}; both qualified
 *       with {@code @Named(name)} after {@link #named}, unqualified otherwise.</li>
 * </ul>
 *
 * <p>To serve two folders, apply the functor twice under two names:
 * {@code FolderKvModule.readOnly(site).named("assets")} and {@code FolderKvModule.readWrite(data).named("data")}.
 */
public final class FolderKvModule extends PrivateModule {

    private final Path root;
    private final boolean writable;
    private final String name;

    private FolderKvModule(Path root, boolean writable, String name) {
        this.root = Objects.requireNonNull(root, "root");
        this.writable = writable;
        this.name = name;
    }

    /**
     * A store that only reads {@code root}: it exposes {@link KvRo} only, and refuses writes even through a cast.
     *
     * @param root the folder
     * @return the functor, unqualified
     */
    public static FolderKvModule readOnly(Path root) {
        return new FolderKvModule(root, false, null);
    }

    /**
     * A store that reads and writes {@code root}.
     *
     * @param root the folder
     * @return the functor, unqualified
     */
    public static FolderKvModule readWrite(Path root) {
        return new FolderKvModule(root, true, null);
    }

    /**
     * The same store, exposed under {@code @Named(name)}, so that a target can apply the functor twice.
     *
     * @param name the qualifier, not blank
     * @return a new functor
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public FolderKvModule named(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a qualifier name must not be blank");
        }
        return new FolderKvModule(root, writable, name);
    }

    @Override
    protected void configure() {
        // The store is made when first injected, not here: a module opens nothing while it is configured.
        bind(FolderKv.Config.class).toInstance(new FolderKv.Config(root, writable));
        bind(FolderKv.class).in(Singleton.class);
        Key<KvRo> readOnly = name == null ? Key.get(KvRo.class) : Key.get(KvRo.class, Names.named(name));
        bind(readOnly).to(FolderKv.class);
        expose(readOnly);
        if (writable) {
            Key<KvRw> readWrite = name == null ? Key.get(KvRw.class) : Key.get(KvRw.class, Names.named(name));
            bind(readWrite).to(FolderKv.class);
            expose(readWrite);
        }
    }
}

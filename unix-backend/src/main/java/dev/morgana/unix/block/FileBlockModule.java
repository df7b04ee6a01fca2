package dev.morgana.unix.block;

import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.block.Block;
import java.nio.file.Path;

/**
 * The functor of a disk image served as a block device.
 *
 * <ul>
 *   <li><b>Requires:</b> nothing.</li>
 *   <li><b>Provides:</b> a {@link Block} over the file (a service: the file is opened when it starts and
 *       closed when it stops; building the injector touches nothing).</li>
 *   <li><b>Exposes:</b> {@code Block}, unqualified, or {@code @Named(name) Block} when given a name.</li>
 * </ul>
 *
 * <p>A target with two disks applies the functor twice under two names, for example
 * {@code new FileBlockModule("root", rootImage, 4096, true)} and
 * {@code new FileBlockModule("data", dataImage, 512, false)}, and the application injects
 * {@code @Named("data") Block}.
 *
 * <p>The file must exist when the device starts, as a regular file whose size is a whole number of
 * sectors; it is never created or resized. The sector count is its size divided by the sector size.
 * Discards punch holes through {@code fallocate(2)}, a restricted method of the FFM API: run with
 * {@code --enable-native-access=dev.morgana.unix} (or {@code ALL-UNNAMED} on the class path).
 */
public final class FileBlockModule extends PrivateModule {

    private final Key<Block> key;
    private final FileBlock.Config config;

    /**
     * Serves {@code file} as the target's one unqualified {@link Block}.
     *
     * @param file the disk image; it is not opened or checked until the device starts
     * @param sectorSize 512 or 4096
     * @param readOnly whether the device refuses writes and discards (the file is opened for reading only)
     * @throws IllegalArgumentException when the sector size is neither 512 nor 4096
     */
    public FileBlockModule(Path file, int sectorSize, boolean readOnly) {
        this(Key.get(Block.class), file, sectorSize, readOnly);
    }

    /**
     * Serves {@code file} as {@code @Named(name) Block}, so that one target can have several disks.
     *
     * @param name the qualifier's value, not blank
     * @param file the disk image; it is not opened or checked until the device starts
     * @param sectorSize 512 or 4096
     * @param readOnly whether the device refuses writes and discards (the file is opened for reading only)
     * @throws IllegalArgumentException when the name is blank or the sector size is neither 512 nor 4096
     */
    public FileBlockModule(String name, Path file, int sectorSize, boolean readOnly) {
        this(Key.get(Block.class, Names.named(requireName(name))), file, sectorSize, readOnly);
    }

    private FileBlockModule(Key<Block> key, Path file, int sectorSize, boolean readOnly) {
        this.key = key;
        this.config = new FileBlock.Config(file, sectorSize, readOnly);
    }

    private static String requireName(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a disk's name is not blank");
        }
        return name;
    }

    @Override
    protected void configure() {
        bind(FileBlock.Config.class).toInstance(config);
        bind(FileBlock.class).in(Singleton.class);
        bind(key).to(FileBlock.class);
        expose(key);
    }
}

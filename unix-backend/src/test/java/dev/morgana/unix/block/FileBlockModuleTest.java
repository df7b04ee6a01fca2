package dev.morgana.unix.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import com.google.inject.spi.Elements;
import com.google.inject.spi.PrivateElements;
import dev.morgana.api.Application;
import dev.morgana.api.block.Block;
import dev.morgana.api.block.BlockInfo;
import dev.morgana.runtime.Unikernel;
import dev.morgana.runtime.jvm.JvmModule;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functor: what it exposes, and two disks in one unikernel going through the real lifecycle. */
class FileBlockModuleTest {

    @TempDir
    Path dir;

    private static Set<Key<?>> exposed(Module module) {
        return Elements.getElements(module).stream().filter(PrivateElements.class::isInstance)
                .map(PrivateElements.class::cast).flatMap(p -> p.getExposedKeys().stream()).collect(Collectors.toSet());
    }

    @Test
    void exposesExactlyOneBlockUnqualifiedOrUnderItsName() {
        assertEquals(Set.of(Key.get(Block.class)), exposed(new FileBlockModule(dir.resolve("a.img"), 512, false)));
        assertEquals(Set.of(Key.get(Block.class, Names.named("data"))),
                exposed(new FileBlockModule("data", dir.resolve("a.img"), 4096, true)));
        assertThrows(IllegalArgumentException.class, () -> new FileBlockModule(" ", dir.resolve("a.img"), 512, false));
    }

    /** Copies the read-only disk's first sector to the writable one's last. */
    static final class CopiesASector implements Application {
        private final Block source;
        private final Block target;

        @Inject
        public CopiesASector(@Named("source") Block source, @Named("target") Block target) {
            this.source = source;
            this.target = target;
        }

        @Override
        public void run() throws Exception {
            assertEquals(new BlockInfo(4096, 2, false), source.info());
            assertEquals(new BlockInfo(512, 8, true), target.info());
            MemorySegment sector = MemorySegment.ofArray(new byte[4096]);
            source.read(0, sector);
            target.write(0, sector);
            target.flush();
        }
    }

    @Test
    void twoDisksUnderTwoNamesStartWithTheUnikernelAndStopWithIt() throws Exception {
        byte[] content = new byte[2 * 4096];
        Arrays.fill(content, (byte) 0x42);
        Path source = Files.write(dir.resolve("source.img"), content);
        Path target = Files.write(dir.resolve("target.img"), new byte[8 * 512]);
        List<Module> modules = List.of(new JvmModule(), new FileBlockModule("source", source, 4096, true),
                new FileBlockModule("target", target, 512, false));
        Unikernel.of("disks", CopiesASector.class, modules).run();
        assertArrayEquals(Arrays.copyOf(content, 4096), Files.readAllBytes(target));
        assertEquals(0, Images.descriptorsOn(source), "the unikernel's stop closed the source");
        assertEquals(0, Images.descriptorsOn(target), "the unikernel's stop closed the target");
    }

    static final class NeedsADisk implements Application {
        @Inject
        public NeedsADisk(Block disk) {}

        @Override
        public void run() {}
    }

    @Test
    void buildingTheInjectorOpensNothingAndAMissingImageFailsTheStart() {
        Path missing = dir.resolve("missing.img");
        List<Module> modules = List.of(new FileBlockModule(missing, 512, false), new AbstractModule() {});
        String graph = Unikernel.of("missing", NeedsADisk.class, modules).describe();
        assertTrue(graph.contains("FileBlockModule"), graph);
        assertFalse(Files.exists(missing), "describing the unikernel touches no file");
        Exception e = assertThrows(Exception.class, () -> Unikernel.of("missing", NeedsADisk.class, modules).run());
        assertTrue(e instanceof NoSuchFileException, "the start fails with the missing file: " + e);
        assertFalse(Files.exists(missing), "and creates none");
    }
}

package dev.morgana.fs.embedded.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal's own work: parameters onto the generator, the resource root, the timestamp rules. */
class EmbedMojoTest {

    @TempDir
    Path temp;

    private EmbedMojo mojo(Path folder) {
        EmbedMojo mojo = new EmbedMojo();
        mojo.folder = folder.toFile();
        mojo.store = "site";
        mojo.outputDirectory = temp.resolve("target/generated-resources/morgana-kv").toFile();
        mojo.outputTimestamp = "2026-01-01T00:00:00Z";
        mojo.packSize = 1 << 20;
        mojo.sourceDateEpoch = null;
        mojo.project = new MavenProject();
        mojo.project.getBuild().setDirectory(temp.resolve("target").toString());
        return mojo;
    }

    @Test
    void writesTheStoreAndAddsItsFolderToTheResourcesOnce() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "hello");
        EmbedMojo mojo = mojo(site);
        mojo.execute();
        mojo.execute();
        List<String> roots = mojo.project.getResources().stream().map(Resource::getDirectory).toList();
        assertEquals(List.of(mojo.outputDirectory.getAbsolutePath()), roots);
        var store = GeneratorTest.open(mojo.outputDirectory.toPath(), "site");
        assertEquals(5, store.size(KvKey.of("index.html")));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), store.lastModified(KvKey.of("index.html")));
        assertTrue(Files.isRegularFile(temp.resolve("target/morgana-kv-fingerprints/site")), "the fingerprint stays out of the jar");
    }

    @Test
    void skipWritesNothing() throws Exception {
        EmbedMojo mojo = mojo(Files.createDirectories(temp.resolve("site")));
        mojo.skip = true;
        mojo.execute();
        assertFalse(mojo.outputDirectory.exists());
        assertEquals(List.of(), mojo.project.getResources());
    }

    @Test
    void badParametersFailTheBuildSayingWhy() throws Exception {
        EmbedMojo missing = mojo(temp.resolve("no-such-folder"));
        MojoExecutionException noFolder = assertThrows(MojoExecutionException.class, missing::execute);
        assertTrue(noFolder.getMessage().contains("is not a directory"), noFolder.getMessage());
        EmbedMojo badName = mojo(Files.createDirectories(temp.resolve("site")));
        badName.store = "My Site";
        MojoExecutionException name = assertThrows(MojoExecutionException.class, badName::execute);
        assertTrue(name.getMessage().contains("\"My Site\" is not"), name.getMessage());
    }

    @Test
    void theTimestampIsTheProjectsThenSourceDateEpochsThenNone() throws Exception {
        Instant newYear = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Optional.of(newYear), EmbedMojo.timestamp("2026-01-01T00:00:00Z", "0"));
        assertEquals(Optional.of(newYear), EmbedMojo.timestamp("2026-01-01T01:00:00+01:00", null));
        assertEquals(Optional.of(newYear), EmbedMojo.timestamp(String.valueOf(newYear.getEpochSecond()), null));
        assertEquals(Optional.of(Instant.ofEpochSecond(1)), EmbedMojo.timestamp(null, "1"));
        assertEquals(Optional.of(Instant.ofEpochSecond(1)), EmbedMojo.timestamp("-", "1"), "one character turns the project's off");
        assertEquals(Optional.empty(), EmbedMojo.timestamp("", " "));
        assertEquals(Optional.empty(), EmbedMojo.timestamp(null, null));
        assertThrows(MojoExecutionException.class, () -> EmbedMojo.timestamp("yesterday", null));
        assertThrows(MojoExecutionException.class, () -> EmbedMojo.timestamp(null, "yesterday"));
    }
}

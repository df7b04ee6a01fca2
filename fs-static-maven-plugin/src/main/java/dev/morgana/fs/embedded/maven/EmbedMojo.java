package dev.morgana.fs.embedded.maven;

import java.io.File;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Embeds a folder in the application as a read-only key-value store: writes the store's index and packs
 * under {@code outputDirectory}, which it adds to the project's resources, so that they end up in the jar
 * and {@code EmbeddedKvModule.of(store)} finds them at run time.
 *
 * <p>Reproducible: the same folder gives the same bytes. With {@code project.build.outputTimestamp} set
 * (or else the {@code SOURCE_DATE_EPOCH} environment variable), every key's modification time is that
 * instant; without either, the files' own. Incremental: when neither the folder (names, sizes,
 * modification times) nor the configuration changed since the last run, nothing is written.
 */
@Mojo(name = "embed", defaultPhase = LifecyclePhase.GENERATE_RESOURCES, threadSafe = true)
public final class EmbedMojo extends AbstractMojo {

    /** The folder to embed. */
    @Parameter(required = true)
    File folder;

    /**
     * The store's name, which the application gives to {@code EmbeddedKvModule.of}: 1 to 64 characters of
     * {@code a-z 0-9 . _ -}, starting with a letter or digit. Two stores in one application need two names.
     */
    @Parameter(required = true)
    String store;

    /** Ant-style patterns of the keys to take ({@code **} for all, {@code **}{@code /*.html}, {@code docs/}). */
    @Parameter
    List<String> includes = List.of("**");

    /** Ant-style patterns of the keys to leave out; a folder left out takes everything below it along. */
    @Parameter
    List<String> excludes = List.of();

    /** The resource folder the store is written to, added to the project's resources. */
    @Parameter(defaultValue = "${project.build.directory}/generated-resources/morgana-kv", required = true)
    File outputDirectory;

    /**
     * The instant to record as every key's modification time, as for the jar's entries: ISO-8601 with an
     * offset, or seconds since the epoch; a single character (such as {@code -}) means none.
     */
    @Parameter(defaultValue = "${project.build.outputTimestamp}")
    String outputTimestamp;

    /** The size packs are filled up to, in bytes: the unit read into memory on first use. */
    @Parameter(defaultValue = "1048576")
    long packSize;

    /** Skips the goal; the resources of an earlier run stay where they are. */
    @Parameter(property = "morgana.kv.skip", defaultValue = "false")
    boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** {@code SOURCE_DATE_EPOCH} as this build sees it; a field so that tests can set it. */
    String sourceDateEpoch = System.getenv("SOURCE_DATE_EPOCH");

    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("Skipping the embedded store " + store);
            return;
        }
        Generator.Config config;
        try {
            config = new Generator.Config(folder.toPath(), outputDirectory.toPath(), store, includes, excludes,
                    timestamp(outputTimestamp, sourceDateEpoch), packSize,
                    new File(project.getBuild().getDirectory(), "morgana-kv-fingerprints/" + store).toPath());
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        }
        Generator.Result result;
        try {
            result = Generator.generate(config, getLog()::warn);
        } catch (IOException | IllegalArgumentException e) {
            throw new MojoExecutionException("Cannot embed " + folder + " as store " + store + ": " + e.getMessage(), e);
        }
        if (result.upToDate()) {
            getLog().info("Embedded store " + store + " is up to date (" + result.values() + " values from " + folder + ")");
        } else {
            getLog().info("Embedded " + folder + " as store " + store + ": " + result.values() + " values and "
                    + result.dictionaries() + " dictionaries, " + result.bytes() + " bytes stored as " + result.stored()
                    + " in " + result.packs() + " packs");
        }
        addResourceRoot();
    }

    /** Adds the output folder to the resources once, however many stores an execution list writes there. */
    private void addResourceRoot() {
        String directory = outputDirectory.getAbsolutePath();
        for (Resource resource : project.getResources()) {
            if (new File(resource.getDirectory()).getAbsolutePath().equals(directory)) {
                return;
            }
        }
        Resource resource = new Resource();
        resource.setDirectory(directory);
        project.addResource(resource);
    }

    /**
     * The instant to record for every key: {@code project.build.outputTimestamp} when set, as Maven's own
     * plugins read it; otherwise {@code SOURCE_DATE_EPOCH}; otherwise none.
     */
    static Optional<Instant> timestamp(String outputTimestamp, String sourceDateEpoch) throws MojoExecutionException {
        if (outputTimestamp != null && outputTimestamp.strip().length() > 1) {
            String value = outputTimestamp.strip();
            try {
                return Optional.of(value.chars().allMatch(Character::isDigit) ? Instant.ofEpochSecond(Long.parseLong(value))
                        : OffsetDateTime.parse(value).toInstant());
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new MojoExecutionException("project.build.outputTimestamp \"" + value + "\" is neither ISO-8601 with an "
                        + "offset (2026-01-01T00:00:00Z) nor seconds since the epoch", e);
            }
        }
        if (sourceDateEpoch != null && !sourceDateEpoch.isBlank()) {
            try {
                return Optional.of(Instant.ofEpochSecond(Long.parseLong(sourceDateEpoch.strip())));
            } catch (NumberFormatException e) {
                throw new MojoExecutionException("SOURCE_DATE_EPOCH \"" + sourceDateEpoch + "\" is not seconds since the epoch", e);
            }
        }
        return Optional.empty();
    }
}

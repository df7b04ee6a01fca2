package dev.morgana.unix.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** Disk images for the tests, and what the host says about them (stat, /proc, mount). */
final class Images {

    private Images() {}

    /** Writes an image of {@code sectors} sectors of random bytes and returns its path. */
    static Path random(Path dir, String name, int sectorSize, int sectors, RandomGenerator random) throws IOException {
        byte[] content = new byte[sectorSize * sectors];
        random.nextBytes(content);
        return Files.write(dir.resolve(name), content);
    }

    static FileBlock started(Path file, int sectorSize, boolean readOnly) throws IOException {
        FileBlock block = new FileBlock(new FileBlock.Config(file, sectorSize, readOnly));
        block.start();
        return block;
    }

    /** The file's allocated size in bytes, as {@code stat(1)} reports it: blocks times block unit. */
    static long allocatedBytes(Path file) throws IOException, InterruptedException {
        String[] blocksAndUnit = run("stat", "-c", "%b %B", file.toString()).strip().split(" ");
        return Long.parseLong(blocksAndUnit[0]) * Long.parseLong(blocksAndUnit[1]);
    }

    /** How many of this process's file descriptors refer to {@code file}, read from {@code /proc/self/fd}. */
    static int descriptorsOn(Path file) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to see this process's descriptors");
        Path real = file.toRealPath();
        int count = 0;
        List<Path> links;
        try (Stream<Path> list = Files.list(fds)) {
            links = list.toList();
        }
        for (Path link : links) {
            try {
                if (Path.of(Files.readSymbolicLink(link).toString()).equals(real)) {
                    count++;
                }
            } catch (IOException closedMeanwhile) {
                // the directory listing's own descriptor, or one another thread closed since: not ours
            }
        }
        return count;
    }

    /** Whether the tests run as root, which mounting needs. */
    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Mounts a file system of {@code type} at {@code at} (made here) and returns the command that
     * unmounts it; skips the test, with the reason, where mounting is not allowed.
     */
    static AutoCloseable mount(String type, String options, Path at) throws IOException, InterruptedException {
        assumeTrue(root(), "mounting a " + type + " needs root");
        Files.createDirectories(at);
        Process mount = new ProcessBuilder("mount", "-t", type, "-o", options, type, at.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "cannot mount a " + type + " here (no CAP_SYS_ADMIN?): " + output);
        return () -> {
            // Lazily if busy, so that a failing test still leaves no mount behind.
            if (new ProcessBuilder("umount", at.toString()).start().waitFor() != 0) {
                new ProcessBuilder("umount", "-l", at.toString()).start().waitFor();
            }
        };
    }

    /** Runs a host command, bounded in time, and returns its standard output; fails on a non-zero exit. */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 30 s");
        }
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed: " + output);
        return output;
    }

    /**
     * Whether the file system holding {@code dir} punches holes, judged by util-linux's
     * {@code fallocate --punch-hole} on a probe file, not by the code under test.
     */
    static boolean punchesHoles(Path dir) throws IOException, InterruptedException {
        Path probe = dir.resolve("hole-probe");
        try {
            Files.write(probe, new byte[256 * 1024]);
            Process fallocate = new ProcessBuilder("fallocate", "--punch-hole", "--offset", "0", "--length", "131072",
                    probe.toString()).redirectErrorStream(true).start();
            fallocate.getInputStream().readAllBytes();
            return fallocate.waitFor(30, TimeUnit.SECONDS) && fallocate.exitValue() == 0;
        } catch (IOException noFallocateCommand) {
            return false;
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}

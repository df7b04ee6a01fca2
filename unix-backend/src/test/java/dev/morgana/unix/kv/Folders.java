package dev.morgana.unix.kv;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Small helpers the FolderKv tests share. */
final class Folders {

    private Folders() {}

    static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8));
    }

    static String text(MemorySegment segment) {
        return new String(segment.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Every path below {@code top}: "directory", or a file's modification time and contents. */
    static TreeMap<String, String> snapshot(Path top) throws IOException {
        TreeMap<String, String> all = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.toList()) {
                all.put(top.relativize(path).toString(), Files.isDirectory(path) ? "directory"
                        : Files.getLastModifiedTime(path) + " " + new String(Files.readAllBytes(path), StandardCharsets.UTF_8));
            }
        }
        return all;
    }
}

package dev.morgana.benchmarks.http;

import java.nio.file.Files;
import java.nio.file.Path;

/** The 1 KiB file every HTTP server of the benchmark serves: {@code HttpFile DIRECTORY} writes it for nginx. */
public final class HttpFile {

    private HttpFile() {}

    static byte[] bytes() {
        byte[] file = new byte[1024];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) ('a' + i % 26);
        }
        return file;
    }

    public static void main(String[] args) throws Exception {
        Files.write(Path.of(args[0]).resolve("file.bin"), bytes());
    }
}

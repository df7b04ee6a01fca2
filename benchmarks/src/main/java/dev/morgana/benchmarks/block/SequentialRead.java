package dev.morgana.benchmarks.block;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.block.Block;
import dev.morgana.runtime.Unikernel;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.unix.block.FileBlockModule;
import jakarta.inject.Inject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a whole file through {@code FileBlock} in 1 MiB requests into one native buffer, as {@code dd bs=1M}
 * does, five times over, and prints the median MiB/s of the last three passes (the first two warm the JIT
 * up): {@code SequentialRead FILE}.
 */
public final class SequentialRead implements Application {

    private static final int REQUEST = 1024 * 1024;

    private final Block block;
    private final Console console;

    @Inject
    public SequentialRead(Block block, Console console) {
        this.block = block;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        long sectorsPerRequest = REQUEST / block.info().sectorSize();
        MemorySegment buffer = Arena.ofConfined().allocate(REQUEST, 4096);
        double[] rates = new double[5];
        for (int pass = 0; pass < rates.length; pass++) {
            long start = System.nanoTime();
            long sectors = block.info().sectorCount();
            for (long sector = 0; sector < sectors; sector += sectorsPerRequest) {
                long count = Math.min(sectorsPerRequest, sectors - sector);
                block.read(sector, buffer.asSlice(0, count * block.info().sectorSize()));
            }
            rates[pass] = block.info().sizeBytes() / 1048576.0 / ((System.nanoTime() - start) / 1e9);
        }
        double[] measured = java.util.Arrays.copyOfRange(rates, 2, 5);
        java.util.Arrays.sort(measured);
        console.log(String.format("%.0f MiB/s", measured[1]));
    }

    public static void main(String[] args) throws Exception {
        Unikernel.of("sequential-read", SequentialRead.class,
                List.of(new JvmModule(), new FileBlockModule(Path.of(args[0]), 4096, true))).run();
    }
}

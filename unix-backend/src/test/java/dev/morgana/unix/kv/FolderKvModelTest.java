package dev.morgana.unix.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import dev.morgana.api.kv.KvRw;
import dev.morgana.testing.ApiGen;
import dev.morgana.testing.Gen;
import dev.morgana.testing.Property;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random sequence of every read and write, batches (nested, committed and abandoned) included, gives the
 * same answers and the same errors from a folder as from {@link ModelKv}; the folder then holds what the
 * model holds, also for a store opened anew on it, and no temporary file is left.
 */
class FolderKvModelTest {

    private static final int STEPS = 60;

    /** Thrown by a batch's body to abandon it. */
    static final class Abandon extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandon() {
            super("abandoned by the test", null, false, false);
        }
    }

    /** One call, made the same way on the store and on the model. */
    @FunctionalInterface
    interface Call {
        Object on(KvRw kv) throws KvException;
    }

    /** A step of a run: a call, or a batch of steps. */
    sealed interface Step permits Single, Grouped {}

    record Single(String text, Call call) implements Step {}

    record Grouped(List<Step> steps, boolean abandon) implements Step {}

    @Property
    void aFolderBehavesAsTheModel(RandomGenerator random, @TempDir Path folder) throws Exception {
        KvRw store = new FolderKv(new FolderKv.Config(folder, true));
        ModelKv model = new ModelKv();
        Deque<String> trace = new ArrayDeque<>();
        for (int i = 0; i < STEPS; i++) {
            run(step(random, 0), store, model, true, trace);
        }
        compare("digest of the whole tree", trace, model, store, kv -> kv.digest(KvKey.ROOT));
        assertEquals(dump(model), dump(new FolderKv(new FolderKv.Config(folder, false))),
                "a store opened anew on the folder holds what the model holds");
        try (Stream<Path> all = Files.walk(folder)) {
            assertEquals(List.of(), all.filter(path -> FolderKv.reserved(path.getFileName().toString())).toList(),
                    "no temporary file or removed dictionary is left behind");
        }
    }

    /**
     * Runs a step on both. A batch runs the model's batch inside the store's, so that each inner step is
     * compared as it happens; when the body throws, both abandon.
     */
    private static void run(Step step, KvRw store, ModelKv model, boolean top, Deque<String> trace) {
        switch (step) {
            case Single single -> compare(single.text(), trace, model, store, single.call());
            case Grouped grouped -> {
                trace.addLast("batch of " + grouped.steps().size() + (grouped.abandon() ? ", abandoned" : "") + " {");
                ModelKv before = model.copy();
                String outcome = outcome(() -> store.batch(view -> model.batch(sameModel -> {
                    for (Step inner : grouped.steps()) {
                        run(inner, view, model, false, trace);
                        if (top) {
                            // Readers outside the batch see nothing of it before it returns.
                            compare("outside the batch, digest of the whole tree", trace, before, store,
                                    kv -> kv.digest(KvKey.ROOT));
                        } else {
                            assertThrows(IllegalStateException.class, () -> store.exists(KvKey.ROOT),
                                    "a view refuses use while a batch nested in it runs");
                        }
                    }
                    if (grouped.abandon()) {
                        throw new Abandon();
                    }
                    return "committed";
                })));
                trace.addLast("} " + outcome);
                assertEquals(grouped.abandon() ? "threw Abandon" : "ok committed", outcome, String.join("\n", trace));
                compare("after the batch, digest of the whole tree", trace, model, store, kv -> kv.digest(KvKey.ROOT));
            }
        }
    }

    private static void compare(String text, Deque<String> trace, KvRw model, KvRw store, Call call) {
        String expected = outcome(() -> call.on(model));
        String actual = outcome(() -> call.on(store));
        trace.addLast(text + " -> " + expected);
        while (trace.size() > 60) {
            trace.removeFirst();
        }
        assertEquals(expected, actual, "after these steps (last 60):\n" + String.join("\n", trace));
    }

    @FunctionalInterface
    interface Outcome {
        Object get() throws KvException;
    }

    /** What a call gave, as text: results compared by content, errors by kind and key. */
    static String outcome(Outcome call) {
        try {
            return "ok " + show(call.get());
        } catch (KvException e) {
            return "threw " + e.getClass().getSimpleName() + " " + e.key();
        } catch (IllegalArgumentException e) {
            return "threw IllegalArgumentException";
        } catch (Abandon e) {
            return "threw Abandon";
        }
    }

    private static String show(Object result) {
        return switch (result) {
            case null -> "";
            case MemorySegment segment -> (segment.isReadOnly() ? "" : "WRITABLE ") + segment.byteSize() + " bytes "
                    + HexFormat.of().formatHex(segment.toArray(ValueLayout.JAVA_BYTE));
            case Instant instant -> "a time";
            default -> result.toString();
        };
    }

    /** Everything in a store: key to value bytes, or to "dictionary". */
    static TreeMap<String, String> dump(KvRo kv) throws KvException {
        TreeMap<String, String> all = new TreeMap<>();
        dump(kv, KvKey.ROOT, all);
        return all;
    }

    private static void dump(KvRo kv, KvKey key, TreeMap<String, String> all) throws KvException {
        for (KvRo.Entry entry : kv.list(key)) {
            KvKey child = key.resolve(entry.name());
            if (entry.kind() == KvRo.Kind.VALUE) {
                all.put(child.toString(), HexFormat.of().formatHex(kv.get(child).toArray(ValueLayout.JAVA_BYTE)));
            } else {
                all.put(child.toString(), "dictionary");
                dump(kv, child, all);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Generators: few names, so that keys collide, values and dictionaries meet, and errors happen often.

    private static final Gen<String> SEGMENTS = random -> random.nextInt(20) == 0
            ? ApiGen.kvSegments().next(random)
            : Gen.oneOf("a", "b").next(random);

    private static final Gen<KvKey> KEYS = random -> {
        int depth = switch (random.nextInt(12)) {
            case 0 -> 0;
            case 1, 2, 3, 4, 5 -> 1;
            case 6, 7, 8, 9 -> 2;
            default -> 3;
        };
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            segments.add(SEGMENTS.next(random));
        }
        return KvKey.of(segments);
    };

    /** Mostly small values; now and then one larger than the store's copy buffer. */
    private static final Gen<byte[]> VALUES = random -> random.nextInt(30) == 0
            ? Gen.bytes(64 * 1024, 70_000).next(random)
            : Gen.bytes(0, 40).next(random);

    private static Step step(RandomGenerator random, int depth) {
        KvKey key = KEYS.next(random);
        int choice = random.nextInt(100);
        if (choice < 20) {
            byte[] value = VALUES.next(random);
            // Values arrive in every kind of segment the store must copy from.
            int flavour = random.nextInt(4);
            return new Single("set " + key + " " + value.length + " bytes (flavour " + flavour + ")", kv -> {
                kv.set(key, segment(value, flavour));
                return null;
            });
        }
        if (choice < 30) {
            long offset = random.nextInt(30) == 0 ? -1 : random.nextInt(60);
            byte[] data = Gen.bytes(0, 24).next(random);
            return new Single("setPartial " + key + " at " + offset + " " + data.length + " bytes",
                    kv -> {
                        kv.setPartial(key, offset, MemorySegment.ofArray(data));
                        return null;
                    });
        }
        if (choice < 38) {
            return new Single("remove " + key, kv -> {
                kv.remove(key);
                return null;
            });
        }
        if (choice < 48) {
            KvKey destination = random.nextInt(10) == 0 && !key.isRoot() ? key.resolve("a") : KEYS.next(random);
            return new Single("rename " + key + " to " + destination, kv -> {
                kv.rename(key, destination);
                return null;
            });
        }
        if (choice < 54) {
            long size = random.nextInt(30) == 0 ? -1 : random.nextInt(100);
            return new Single("allocate " + key + " " + size, kv -> {
                kv.allocate(key, size);
                return null;
            });
        }
        if (choice < 60 && depth < 2) {
            int count = 1 + random.nextInt(6);
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                steps.add(step(random, depth + 1));
            }
            return new Grouped(List.copyOf(steps), random.nextInt(4) == 0);
        }
        if (choice < 68) {
            return new Single("get " + key, kv -> kv.get(key));
        }
        if (choice < 74) {
            long offset = random.nextInt(30) == 0 ? -1 : random.nextInt(80);
            long length = switch (random.nextInt(10)) {
                case 0 -> Long.MAX_VALUE;
                case 1 -> -1;
                default -> random.nextInt(80);
            };
            return new Single("getPartial " + key + " " + offset + "+" + length, kv -> kv.getPartial(key, offset, length));
        }
        if (choice < 82) {
            return new Single("list " + key, kv -> kv.list(key));
        }
        if (choice < 88) {
            return new Single("exists " + key, kv -> {
                Optional<KvRo.Kind> kind = kv.exists(key);
                return kind;
            });
        }
        if (choice < 92) {
            return new Single("size " + key, kv -> kv.size(key));
        }
        if (choice < 98) {
            return new Single("digest " + key, kv -> kv.digest(key));
        }
        return new Single("lastModified " + key, kv -> kv.lastModified(key));
    }

    /** The bytes as a heap, a read-only, a native, or a {@code long[]}-backed segment. */
    private static MemorySegment segment(byte[] bytes, int flavour) {
        return switch (flavour) {
            case 0 -> MemorySegment.ofArray(bytes);
            case 1 -> MemorySegment.ofArray(bytes).asReadOnly();
            case 2 -> Arena.ofAuto().allocate(Math.max(bytes.length, 1)).copyFrom(MemorySegment.ofArray(bytes)).asSlice(0, bytes.length);
            default -> {
                long[] longs = new long[(bytes.length + 7) / 8];
                MemorySegment wide = MemorySegment.ofArray(longs);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, wide, 0, bytes.length);
                yield wide.asSlice(0, bytes.length);
            }
        };
    }
}

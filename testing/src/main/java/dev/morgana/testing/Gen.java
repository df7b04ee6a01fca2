package dev.morgana.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A generator of values from a seeded {@link RandomGenerator}. A generator draws only from the generator
 * it is given, so the same seed always gives the same value.
 *
 * @param <T> what it generates
 */
@FunctionalInterface
public interface Gen<T> {

    /**
     * Draws one value.
     *
     * @param random the run's seeded generator
     * @return the value
     */
    T next(RandomGenerator random);

    /**
     * Transforms what this generator draws.
     *
     * @param <R> the new type
     * @param mapper applied to each value
     * @return the new generator
     */
    default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
        return random -> mapper.apply(next(random));
    }

    /**
     * Integers from {@code min} to {@code max}, both included, uniformly.
     *
     * @param min the smallest
     * @param max the largest, at least {@code min}
     * @return the generator
     */
    static Gen<Integer> integers(int min, int max) {
        return random -> (int) random.nextLong(min, (long) max + 1);
    }

    /**
     * Longs from {@code min} to {@code max}, both included, uniformly.
     *
     * @param min the smallest
     * @param max the largest, at least {@code min} and below {@link Long#MAX_VALUE}
     * @return the generator
     */
    static Gen<Long> longs(long min, long max) {
        return random -> random.nextLong(min, max + 1);
    }

    /**
     * Byte arrays of a length from {@code minLength} to {@code maxLength}, with uniform bytes.
     *
     * @param minLength the shortest
     * @param maxLength the longest
     * @return the generator
     */
    static Gen<byte[]> bytes(int minLength, int maxLength) {
        return random -> {
            byte[] bytes = new byte[integers(minLength, maxLength).next(random)];
            random.nextBytes(bytes);
            return bytes;
        };
    }

    /**
     * One of the given values, uniformly.
     *
     * @param <T> their type
     * @param values at least one
     * @return the generator
     */
    @SafeVarargs
    static <T> Gen<T> oneOf(T... values) {
        List<T> copy = new ArrayList<>();
        for (T value : values) {
            copy.add(value);
        }
        requireChoice(copy);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /**
     * Draws from one of the given generators, chosen uniformly.
     *
     * @param <T> what they generate
     * @param generators at least one
     * @return the generator
     */
    @SafeVarargs
    static <T> Gen<T> either(Gen<? extends T>... generators) {
        List<Gen<? extends T>> copy = new ArrayList<>();
        for (Gen<? extends T> generator : generators) {
            copy.add(generator);
        }
        requireChoice(copy);
        return random -> copy.get(random.nextInt(copy.size())).next(random);
    }

    // The varargs arrays above are copied element by element: handing them on would be heap pollution.
    private static void requireChoice(List<?> choices) {
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("choose from at least one");
        }
    }

    /**
     * Lists of values from {@code element}, of a length from {@code minSize} to {@code maxSize}.
     *
     * @param <T> the element type
     * @param element generates each element
     * @param minSize the shortest
     * @param maxSize the longest
     * @return the generator
     */
    static <T> Gen<List<T>> lists(Gen<? extends T> element, int minSize, int maxSize) {
        return random -> {
            int size = integers(minSize, maxSize).next(random);
            List<T> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(element.next(random));
            }
            return List.copyOf(list);
        };
    }

    /**
     * Strings of characters from {@code alphabet} (code points, so surrogate pairs stay whole), of a length
     * in code points from {@code minLength} to {@code maxLength}.
     *
     * @param alphabet the characters to use, not empty
     * @param minLength the shortest
     * @param maxLength the longest
     * @return the generator
     */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        int[] codePoints = alphabet.codePoints().toArray();
        return random -> {
            int length = integers(minLength, maxLength).next(random);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < length; i++) {
                out.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            return out.toString();
        };
    }

    /**
     * Copies of {@code valid}, damaged one way or not at all, evenly: unchanged, cut short (possibly to
     * nothing), one to three bytes replaced, or one bit flipped — what properties feed a parser to show that
     * it reads bytes or refuses them, and nothing else.
     *
     * @param valid a well-formed message; never changed
     * @return the generator
     */
    static Gen<byte[]> damaged(byte[] valid) {
        byte[] original = valid.clone();
        return random -> {
            byte[] bytes = original.clone();
            if (bytes.length == 0) {
                return bytes;
            }
            switch (random.nextInt(4)) {
                case 0 -> { }
                case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 2 -> {
                    for (int i = random.nextInt(1, 4); i > 0; i--) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    }
                }
                default -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            return bytes;
        };
    }
}

package dev.morgana.testing;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.TestAbortedException;
import org.opentest4j.TestSkippedException;

/**
 * Runs a {@link Property} once per seed. The annotation registers it; tests do not use it directly.
 */
public final class PropertyExtension implements TestTemplateInvocationContextProvider {

    /** Created by JUnit. */
    public PropertyExtension() {}

    /** Replays one seed: {@code -Dmorgana.seed=N}. */
    static final String SEED = "morgana.seed";

    /** Overrides the number of seeds: {@code -Dmorgana.tries=N}. */
    static final String TRIES = "morgana.tries";

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(method -> method.isAnnotationPresent(Property.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        Optional<Long> replay = parameter(context, SEED).map(value -> parse(SEED, value));
        if (replay.isPresent()) {
            return Stream.of(new Run(replay.get(), 1, 1, true));
        }
        int tries = parameter(context, TRIES).map(value -> Math.toIntExact(parse(TRIES, value)))
                .orElse(method.getAnnotation(Property.class).tries());
        if (tries < 1) {
            throw new IllegalArgumentException("a property runs at least once, got tries = " + tries);
        }
        SplittableRandom seeds = new SplittableRandom(baseSeed(context.getRequiredTestClass(), method));
        long[] chosen = LongStream.generate(seeds::nextLong).limit(tries).toArray();
        return LongStream.range(0, tries).mapToObj(i -> new Run(chosen[(int) i], (int) i + 1, tries, false));
    }

    /** A stable seed per property: the same names give the same seeds on every machine. */
    static long baseSeed(Class<?> type, Method method) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (type.getName() + "#" + method.getName()).getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return hash;
    }

    private static Optional<String> parameter(ExtensionContext context, String name) {
        return context.getConfigurationParameter(name).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static long parse(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " takes a whole number, got \"" + value + "\"", e);
        }
    }

    /** One run of a property. */
    private record Run(long seed, int index, int tries, boolean replay) implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return replay ? "replay of seed " + seed : "seed " + seed;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new SeededRandom(seed), new ReportSeed(seed, index, tries, replay));
        }
    }

    /** Hands the run's generator to the test method. */
    private record SeededRandom(long seed) implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RandomGenerator.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return new SplittableRandom(seed);
        }
    }

    /** Puts the seed, and how to replay it, at the top of a failure. */
    private record ReportSeed(long seed, int index, int tries, boolean replay) implements TestExecutionExceptionHandler {

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
            if (failure instanceof TestAbortedException || failure instanceof TestSkippedException) {
                throw failure; // an assumption that does not hold for this seed skips the run; it is no failure
            }
            String where = replay ? "replaying seed " + seed : "with seed " + seed + " (run " + index + " of " + tries + ")";
            throw new PropertyFailure("property " + context.getRequiredTestMethod().getName() + " failed " + where
                    + "; replay with -D" + SEED + "=" + seed + ": " + failure, seed, failure);
        }
    }
}

package dev.morgana.unix.net;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.net.Stack;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.UnixTargets;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a test body as the application of a unikernel on the {@code unix} target, so that every test
 * goes through the real lifecycle: the event loops start before the body and stop after it.
 */
final class OnUnix {

    private OnUnix() {}

    @FunctionalInterface
    interface Body {
        void run(Stack stack) throws Exception;
    }

    static final class BodyRunner implements Application {
        private final Stack stack;
        private final Body body;

        @Inject
        public BodyRunner(Stack stack, Body body) {
            this.stack = stack;
            this.body = body;
        }

        @Override
        public void run() throws Exception {
            body.run(stack);
        }
    }

    static void run(Body body) throws Exception {
        List<Module> target = new ArrayList<>(UnixTargets.unixModules());
        target.add(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Body.class).toInstance(body);
            }
        });
        Unikernel.of("test", BodyRunner.class, target).run();
    }
}

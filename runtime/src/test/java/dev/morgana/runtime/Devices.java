package dev.morgana.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.Application;
import dev.morgana.api.Service;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Set;

/**
 * A small device stack for the bootstrap's tests: a driver, a link layer over it and a transport over
 * that, each a functor (a private module that requires its input and exposes its output), each a service
 * that writes its start and stop to the {@link Journal}.
 */
final class Devices {

    private Devices() {}

    interface Driver {}

    interface Link {}

    interface Transport {}

    /** Which devices fail to start or stop, or start so slowly that only an interrupt ends it. */
    record Faults(Set<String> failToStart, Set<String> failToStop, Set<String> hangOnStart) {
        static final Faults NONE = new Faults(Set.of(), Set.of());

        Faults(Set<String> failToStart, Set<String> failToStop) {
            this(failToStart, failToStop, Set.of());
        }
    }

    abstract static class Device implements Service {
        private final String name;
        private final Journal journal;
        private final Faults faults;

        Device(String name, Journal journal, Faults faults) {
            this.name = name;
            this.journal = journal;
            this.faults = faults;
        }

        @Override
        public void start() throws InterruptedException {
            if (faults.hangOnStart().contains(name)) {
                journal.add("starting " + name + " slowly");
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    journal.add("start " + name + " interrupted");
                    throw e;
                }
            }
            if (faults.failToStart().contains(name)) {
                journal.add("start " + name + " failed");
                throw new IllegalStateException(name + " cannot open its device");
            }
            journal.add("start " + name);
        }

        @Override
        public void stop() {
            journal.add("stop " + name);
            if (faults.failToStop().contains(name)) {
                throw new IllegalStateException(name + " cannot close its device");
            }
        }
    }

    static final class TestDriver extends Device implements Driver {
        @Inject
        public TestDriver(Journal journal, Faults faults) {
            super("driver", journal, faults);
        }
    }

    static final class TestLink extends Device implements Link {
        @Inject
        public TestLink(Driver driver, Journal journal, Faults faults) {
            super("link", journal, faults);
        }
    }

    static final class TestTransport extends Device implements Transport {
        @Inject
        public TestTransport(Link link, Journal journal, Faults faults) {
            super("transport", journal, faults);
        }
    }

    /** The journal and the faults, shared by every device. */
    static final class Harness extends AbstractModule {
        private final Journal journal;
        private final Faults faults;

        Harness(Journal journal, Faults faults) {
            this.journal = journal;
            this.faults = faults;
        }

        @Override
        protected void configure() {
            bind(Journal.class).toInstance(journal);
            bind(Faults.class).toInstance(faults);
        }
    }

    /** DRIVER. */
    static final class DriverModule extends PrivateModule {
        @Override
        protected void configure() {
            bind(Driver.class).to(TestDriver.class).in(Singleton.class);
            expose(Driver.class);
        }
    }

    /** DRIVER → LINK. */
    static final class LinkModule extends PrivateModule {
        @Override
        protected void configure() {
            requireBinding(Driver.class);
            bind(Link.class).to(TestLink.class).in(Singleton.class);
            expose(Link.class);
        }
    }

    /** LINK → TRANSPORT. */
    static final class TransportModule extends PrivateModule {
        @Override
        protected void configure() {
            requireBinding(Link.class);
            bind(Transport.class).to(TestTransport.class).in(Singleton.class);
            expose(Transport.class);
        }
    }

    /** Uses the transport; what it does is up to the test, through the journal. */
    static final class TransportUser implements Application {
        private final Journal journal;

        @Inject
        public TransportUser(Transport transport, Journal journal) {
            this.journal = journal;
        }

        @Override
        public void run() {
            journal.add("run");
        }
    }

    /** Fails while running. */
    static final class FailingUser implements Application {
        private final Journal journal;

        @Inject
        public FailingUser(Transport transport, Journal journal) {
            this.journal = journal;
        }

        @Override
        public void run() throws java.io.IOException {
            journal.add("run");
            throw new java.io.IOException("the application gave up");
        }
    }

    /** A device a functor keeps to itself: nothing outside the functor names it, yet it must start. */
    static final class Hidden extends Device {
        @Inject
        public Hidden(Journal journal, Faults faults) {
            super("hidden", journal, faults);
        }
    }

    /** LINK → TRANSPORT, with a private helper device that it does not expose. */
    static final class TransportWithHiddenHelperModule extends PrivateModule {
        @Override
        protected void configure() {
            requireBinding(Link.class);
            bind(Hidden.class).in(Singleton.class);
            bind(Transport.class).to(TestTransport.class).in(Singleton.class);
            expose(Transport.class);
        }
    }

    /** A counter: a stateful device that a functor can provide more than once. */
    interface Counter {
        int increment();
    }

    static final class MemoryCounter implements Counter {
        private int count;

        @Inject
        public MemoryCounter() {}

        @Override
        public synchronized int increment() {
            return ++count;
        }
    }

    /** () → COUNTER, qualified, so that one target can apply it twice. */
    static final class CounterModule extends PrivateModule {
        private final String qualifier;

        CounterModule(String qualifier) {
            this.qualifier = qualifier;
        }

        @Override
        protected void configure() {
            bind(Counter.class).annotatedWith(Names.named(qualifier)).to(MemoryCounter.class).in(Singleton.class);
            expose(Counter.class).annotatedWith(Names.named(qualifier));
        }
    }

    /** Uses two counters from the same functor. */
    static final class TwoCounters implements Application {
        private final Counter hits;
        private final Counter misses;
        private final Journal journal;

        @Inject
        public TwoCounters(@Named("hits") Counter hits, @Named("misses") Counter misses, Journal journal) {
            this.hits = hits;
            this.misses = misses;
            this.journal = journal;
        }

        @Override
        public void run() {
            hits.increment();
            journal.add("hits " + hits.increment() + ", misses " + misses.increment() + ", same " + (hits == misses));
        }
    }
}

package dev.morgana.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.Network;
import dev.morgana.runtime.Devices.CounterModule;
import dev.morgana.runtime.Devices.DriverModule;
import dev.morgana.runtime.Devices.Faults;
import dev.morgana.runtime.Devices.Harness;
import dev.morgana.runtime.Devices.LinkModule;
import dev.morgana.runtime.Devices.TransportModule;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnikernelTest {

    private final Journal journal = new Journal();

    private List<Module> stack(Faults faults) {
        // Declared top-down on purpose: the start order must come from dependencies, not from this list.
        return List.of(new TransportModule(), new LinkModule(), new DriverModule(), new Harness(journal, faults));
    }

    @Test
    void servicesStartInDependencyOrderAndStopInReverse() throws Exception {
        Unikernel.of("stack", Devices.TransportUser.class, stack(Faults.NONE)).run();
        assertEquals(List.of("start driver", "start link", "start transport", "run",
                "stop transport", "stop link", "stop driver"), journal.entries());
    }

    @Test
    void whenAServiceFailsToStartThoseAlreadyStartedStopAndNothingRuns() {
        Unikernel unikernel = Unikernel.of("stack", Devices.TransportUser.class, stack(new Faults(Set.of("link"), Set.of())));
        IllegalStateException failure = assertThrows(IllegalStateException.class, unikernel::run);
        assertEquals("link cannot open its device", failure.getMessage());
        assertEquals(List.of("start driver", "start link failed", "stop driver"), journal.entries());
    }

    @Test
    void whenTheApplicationFailsServicesStillStop() {
        Unikernel unikernel = Unikernel.of("stack", Devices.FailingUser.class, stack(Faults.NONE));
        IOException failure = assertThrows(IOException.class, unikernel::run);
        assertEquals("the application gave up", failure.getMessage());
        assertEquals(List.of("start driver", "start link", "start transport", "run",
                "stop transport", "stop link", "stop driver"), journal.entries());
    }

    @Test
    void aServiceThatFailsToStopDoesNotKeepTheOthersRunning() {
        Unikernel unikernel = Unikernel.of("stack", Devices.TransportUser.class, stack(new Faults(Set.of(), Set.of("link"))));
        IllegalStateException failure = assertThrows(IllegalStateException.class, unikernel::run);
        assertEquals("link cannot close its device", failure.getCause().getMessage());
        assertEquals(List.of("start driver", "start link", "start transport", "run",
                "stop transport", "stop link", "stop driver"), journal.entries());
    }

    @Test
    void aMissingSignatureIsNamedWithTheModuleThatNeedsIt() {
        List<Module> withoutDriver = List.of(new TransportModule(), new LinkModule(), new Harness(journal, Faults.NONE));
        TargetException failure = assertThrows(TargetException.class,
                () -> Unikernel.of("stack", Devices.TransportUser.class, withoutDriver).run());
        assertEquals("""
                unikernel "stack" cannot start:
                  - Devices.Driver is not provided by any module, and Devices.LinkModule needs it \
                (dev.morgana.runtime.Devices$Driver)
                Add to the target a module that provides it.""", failure.getMessage());
        assertTrue(journal.entries().isEmpty(), "nothing starts");
    }

    /** A functor that forgot to declare its input with requireBinding still gets a readable message. */
    static final class UndeclaredInputModule extends PrivateModule {
        @Override
        protected void configure() {
            bind(Greeter.class).to(ConsoleGreeter.class).in(Singleton.class);
            expose(Greeter.class);
        }
    }

    interface Greeter {}

    static final class ConsoleGreeter implements Greeter {
        @Inject
        public ConsoleGreeter(Console console) {}
    }

    static final class Greeted implements Application {
        @Inject
        public Greeted(Greeter greeter) {}

        @Override
        public void run() {}
    }

    @Test
    void anUndeclaredMissingInputIsNamedWithItsModuleToo() {
        TargetException failure = assertThrows(TargetException.class,
                () -> Unikernel.of("greeter", Greeted.class, List.of(new UndeclaredInputModule())).run());
        assertTrue(failure.getMessage().contains(
                "Console is not provided by any module, and UnikernelTest.UndeclaredInputModule needs it"),
                failure.getMessage());
    }

    static final class NeedsNetwork implements Application {
        @Inject
        public NeedsNetwork(Network network) {}

        @Override
        public void run() {}
    }

    @Test
    void aSignatureTheApplicationNeedsIsNamedWithTheApplication() {
        TargetException failure = assertThrows(TargetException.class,
                () -> Unikernel.of("app", NeedsNetwork.class, List.of()).describe());
        assertTrue(failure.getMessage().contains(
                "Network is not provided by any module, and UnikernelTest.NeedsNetwork needs it"), failure.getMessage());
    }

    @Test
    void oneFunctorAppliedTwiceUnderTwoQualifiersGivesTwoIndependentInstances() throws Exception {
        List<Module> target = List.of(new CounterModule("hits"), new CounterModule("misses"), new Harness(journal, Faults.NONE));
        Unikernel.of("counters", Devices.TwoCounters.class, target).run();
        assertEquals(List.of("hits 2, misses 1, same false"), journal.entries());
    }

    @Test
    void describePrintsWhoProvidesWhatToWhom() {
        String text = Unikernel.of("stack", Devices.TransportUser.class, stack(Faults.NONE)).describe();
        List<String> lines = text.lines().toList();
        assertEquals("stack (application Devices.TransportUser)", lines.getFirst());
        assertTrue(lines.containsAll(List.of(
                "  Devices.DriverModule --Devices.Driver--> Devices.LinkModule",
                "  Devices.LinkModule --Devices.Link--> Devices.TransportModule",
                "  Devices.TransportModule --Devices.Transport--> Devices.TransportUser",
                "  Devices.Harness --Journal--> Devices.TransportUser",
                "  Devices.Harness --Devices.Faults--> Devices.DriverModule")), text);
        assertTrue(journal.entries().isEmpty(), "describe starts nothing");
    }

    @Test
    void describeTellsTwoApplicationsOfOneFunctorApart() {
        List<Module> target = List.of(new CounterModule("hits"), new CounterModule("misses"), new Harness(journal, Faults.NONE));
        String text = Unikernel.of("counters", Devices.TwoCounters.class, target).describe();
        assertTrue(text.contains("  Devices.CounterModule [@Named(\"hits\") Devices.Counter] --@Named(\"hits\") Devices.Counter--> Devices.TwoCounters"), text);
        assertTrue(text.contains("  Devices.CounterModule [@Named(\"misses\") Devices.Counter] --@Named(\"misses\") Devices.Counter--> Devices.TwoCounters"), text);
    }

    @Test
    void describeDotIsAGraphvizDigraphWithOneEdgePerSignature() {
        String dot = Unikernel.of("stack", Devices.TransportUser.class, stack(Faults.NONE)).describeDot();
        assertTrue(dot.startsWith("digraph \"stack\" {\n"), dot);
        assertTrue(dot.contains("  \"Devices.LinkModule\" -> \"Devices.TransportModule\" [label=\"Devices.Link\"];"), dot);
        assertTrue(dot.contains("  \"Devices.TransportUser\" [shape=doubleoctagon];"), dot);
        assertTrue(dot.endsWith("}\n"));
    }

    @Test
    void theStrictInjectorRefusesJustInTimeBindings() {
        final class Loose extends AbstractModule {
            @Override
            protected void configure() {}
        }
        // The application's dependency on a concrete class that no module binds is refused, not built silently.
        TargetException failure = assertThrows(TargetException.class,
                () -> Unikernel.of("loose", NeedsConcrete.class, List.of(new Loose())).describe());
        assertTrue(failure.getMessage().contains("Devices.MemoryCounter is not provided by any module"), failure.getMessage());
    }

    static final class NeedsConcrete implements Application {
        @Inject
        public NeedsConcrete(Devices.MemoryCounter counter) {}

        @Override
        public void run() {}
    }

    @Test
    void aServiceReachedThroughTwoKeysStartsAndStopsOnce() throws Exception {
        List<Module> target = new ArrayList<>(stack(Faults.NONE));
        target.add(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Devices.Driver.class).annotatedWith(Names.named("alias")).to(Devices.Driver.class);
            }
        });
        Unikernel.of("stack", Devices.TransportUser.class, target).run();
        assertEquals(List.of("start driver", "start link", "start transport", "run",
                "stop transport", "stop link", "stop driver"), journal.entries());
    }

    @Test
    void aServiceThatAFunctorKeepsToItselfStartsAndStopsToo() throws Exception {
        List<Module> target = List.of(new Devices.TransportWithHiddenHelperModule(), new LinkModule(), new DriverModule(),
                new Harness(journal, Faults.NONE));
        Unikernel.of("hidden", Devices.TransportUser.class, target).run();
        assertTrue(journal.entries().contains("start hidden") && journal.entries().contains("stop hidden"),
                journal.entries().toString());
    }

    interface Apples {}

    interface Pears {}

    static final class Fruit implements Apples, Pears {
        @Inject
        public Fruit() {}
    }

    static final class ApplesModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(Apples.class).to(Fruit.class);
        }
    }

    static final class PearsModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(Pears.class).to(Fruit.class);
        }
    }

    static final class EatsBoth implements Application {
        @Inject
        public EatsBoth(Apples apples, Pears pears) {}

        @Override
        public void run() {}
    }

    @Test
    void aClassTwoModulesBindToIsNotAnEdgeBetweenThem() {
        String text = Unikernel.of("fruit", EatsBoth.class, List.of(new ApplesModule(), new PearsModule())).describe();
        assertEquals("""
                fruit (application UnikernelTest.EatsBoth)
                  UnikernelTest.ApplesModule --UnikernelTest.Apples--> UnikernelTest.EatsBoth
                  UnikernelTest.PearsModule --UnikernelTest.Pears--> UnikernelTest.EatsBoth
                """, text);
    }
}

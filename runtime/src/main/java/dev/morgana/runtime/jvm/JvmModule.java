package dev.morgana.runtime.jvm;

import com.google.inject.PrivateModule;
import com.google.inject.Singleton;
import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Timers;

/**
 * The functor of the JVM basics.
 *
 * <ul>
 *   <li><b>Requires:</b> nothing.</li>
 *   <li><b>Provides:</b> {@link Clock} ({@code System.nanoTime} and the system wall clock), {@link Timers}
 *       (one daemon scheduler thread, a service), {@link Entropy} (a SHA-256 Hash_DRBG seeded from the
 *       operating system), {@link Console} (standard output).</li>
 *   <li><b>Exposes:</b> {@code Clock}, {@code Timers}, {@code Entropy}, {@code Console}, unqualified.</li>
 * </ul>
 */
public final class JvmModule extends PrivateModule {

    /** Creates the module; it takes no configuration. */
    public JvmModule() {}

    @Override
    protected void configure() {
        bind(Clock.class).to(SystemClock.class).in(Singleton.class);
        bind(Timers.class).to(SchedulerTimers.class).in(Singleton.class);
        bind(Entropy.class).to(DrbgEntropy.class).in(Singleton.class);
        bind(Console.class).to(StdoutConsole.class).in(Singleton.class);
        expose(Clock.class);
        expose(Timers.class);
        expose(Entropy.class);
        expose(Console.class);
    }
}

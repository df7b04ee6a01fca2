package dev.morgana.runtime;

import com.google.inject.Module;
import dev.morgana.api.Application;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A unikernel that runs until it is told to stop, for {@link ShutdownTest}: its devices and application
 * print what happens to them, and the test sends SIGTERM to the process.
 */
final class SigtermFixture {

    private SigtermFixture() {}

    /** Waits until interrupted, as a server would. */
    static final class Serve implements Application {
        @Inject
        public Serve(Devices.Transport transport) {}

        @Override
        public void run() {
            System.out.println("running");
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                System.out.println("application interrupted");
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Journal printing = new Journal() {
            @Override
            synchronized void add(String entry) {
                System.out.println(entry);
            }
        };
        Devices.Faults faults = args.length > 0 && args[0].equals("hang-on-link")
                ? new Devices.Faults(java.util.Set.of(), java.util.Set.of(), java.util.Set.of("link"))
                : Devices.Faults.NONE;
        List<Module> target = List.of(new Devices.TransportModule(), new Devices.LinkModule(), new Devices.DriverModule(),
                new Devices.Harness(printing, faults));
        try {
            Unikernel.of("sigterm", Serve.class, target).run();
        } catch (Exception e) {
            System.out.println("ended by " + e.getClass().getSimpleName());
        }
    }
}

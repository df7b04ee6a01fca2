package dev.morgana.examples.udpecho;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Udp;
import jakarta.inject.Inject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends every UDP datagram that arrives on its port back to where it came from, unchanged, until stopped.
 * Knows only the {@link Udp} and {@link Console} signatures and its {@link EchoConfig}; on the
 * {@code direct} target the same stack also answers ping, through its ICMP.
 */
public final class UdpEcho implements Application {

    private final Udp udp;
    private final EchoConfig config;
    private final Console console;
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    @Inject
    public UdpEcho(Udp udp, EchoConfig config, Console console) {
        this.udp = udp;
        this.config = config;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        int port = config.port();
        udp.listen(port, (source, destination, payload) -> {
            // On the stack's thread: write never blocks, and reads the payload before the handler returns.
            try {
                udp.write(port, source, payload);
                echoed.incrementAndGet();
            } catch (NetworkException e) {
                // One datagram lost, as UDP may; counted and reported when stopping, not per datagram.
                failed.incrementAndGet();
            }
        });
        try {
            console.log("udp-echo: echoing UDP datagrams on port " + port);
            new CountDownLatch(1).await(); // parks until the unikernel is stopped
        } catch (InterruptedException stop) {
            // Stopping is how this application ends: it returns, and the interrupt has done its work. (Set
            // again, it would also fail the console's write below, on a virtual thread.)
        } finally {
            udp.unlisten(port);
        }
        console.log("udp-echo: stopped after echoing " + echoed.get() + " datagram(s), " + failed.get()
                + " could not be sent");
    }
}

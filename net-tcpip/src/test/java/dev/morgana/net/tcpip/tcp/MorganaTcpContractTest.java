package dev.morgana.net.tcpip.tcp;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.testing.VirtualClock;
import dev.morgana.testing.net.SimulatedSwitch;
import dev.morgana.testing.net.TcpContract;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The TCP contract on Morgana's own TCP, the direct target's: two whole stacks (Ethernet, ARP, IPv4, ICMP,
 * TCP, as their functors bind them), the server's and the client's, on a simulated switch. The contract's
 * applications wait in real time, so the stacks run on the JVM's clock and timers, as on the direct target,
 * and a thread of the test keeps the switch's virtual clock in step with real time. The unanswered endpoint
 * is an address on the switch where no host is: its ARP requests go unanswered, so the SYNs never leave.
 */
class MorganaTcpContractTest extends TcpContract {

    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address NOBODY = Ipv4Address.parse("10.0.0.3");

    @Override
    protected Sides start() throws Exception {
        VirtualClock clock = new VirtualClock();
        SimulatedSwitch lan = SimulatedSwitch.builder(clock).ports(2).build();
        Injector jvm = Guice.createInjector(new JvmModule());
        Timers timers = jvm.getInstance(Timers.class);
        ((Service) timers).start();
        Clock realClock = jvm.getInstance(Clock.class);
        TcpLayer server = TcpLayerTest.node(lan.port(0), realClock, timers, SERVER, 1);
        TcpLayer client = TcpLayerTest.node(lan.port(1), realClock, timers, CLIENT, 2);
        Thread driver = Thread.ofPlatform().name("contract clock").daemon().start(() -> {
            long realStart = System.nanoTime();
            long virtualStart = clock.monotonicNanos();
            while (!Thread.currentThread().isInterrupted()) {
                clock.advanceTo(Math.max(clock.monotonicNanos(), virtualStart + System.nanoTime() - realStart));
                LockSupport.parkNanos(100_000);
            }
        });
        return new Sides() {
            @Override
            public Tcp server() {
                return server;
            }

            @Override
            public Tcp client() {
                return client;
            }

            @Override
            public Ipv4Address serverAddress() {
                return SERVER;
            }

            @Override
            public Ipv4Address clientAddress() {
                return CLIENT;
            }

            @Override
            public Optional<Endpoint> unanswered() {
                return Optional.of(new Endpoint(NOBODY, 80));
            }

            @Override
            public void stop() throws Exception {
                client.stop();
                server.stop();
                driver.interrupt();
                driver.join(Duration.ofSeconds(10));
                ((Service) timers).stop();
            }
        };
    }
}

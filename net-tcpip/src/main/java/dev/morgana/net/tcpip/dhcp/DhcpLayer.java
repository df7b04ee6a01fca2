package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Udp;
import dev.morgana.net.tcpip.ipv4.Ipv4Addressing;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shell of the DHCP client: {@link DhcpCore} wired to UDP ports 68 → 67, to the IPv4 layer's addressing,
 * and to the target's clock and timers. Each event (start, a datagram on port 68, the core's deadline, stop)
 * is fed to the core under a lock, as the stack has no event loop yet; the actions it returns are performed
 * after the lock is released. The lease events readdress IPv4 (and are reported on the console), and IPv4's
 * address is the source of every message sent, so they come first — a DISCOVER after an expiry or a NAK, or a
 * DECLINE, leaves from 0.0.0.0, not from the address just lost (RFC 2131 §4.1, §4.4.5) — except when the
 * lease was released: the RELEASE leaves from the address before it goes.
 *
 * <p>Before a lease IPv4 is unconfigured, so UDP sends from 0.0.0.0 to the limited broadcast and receives
 * the servers' broadcast replies: exactly what the core asks for.
 */
public final class DhcpLayer implements Service {

    private final Udp udp;
    private final Ipv4Addressing addressing;
    private final Ethernet ethernet;
    private final Clock clock;
    private final Timers timers;
    private final Entropy entropy;
    private final Console console;
    private final Object lock = new Object();
    private final AtomicLong malformed = new AtomicLong();
    private DhcpCore core;
    private Timers.Timer timer;
    private long scheduled = Long.MAX_VALUE;
    private boolean running;

    /**
     * The shell; nothing happens until {@link #start}.
     *
     * @param udp where messages go and come from
     * @param addressing the IPv4 layer's addressing, which lease events change
     * @param ethernet the interface: its MAC identifies the client, its MTU bounds the messages it takes
     * @param clock the monotonic time the core runs on
     * @param timers the core's deadlines
     * @param entropy the seed of the core's transaction identifiers and jitter
     * @param console where leases gained and lost are reported
     */
    @Inject
    public DhcpLayer(Udp udp, Ipv4Addressing addressing, Ethernet ethernet, Clock clock, Timers timers,
            Entropy entropy, Console console) {
        this.udp = udp;
        this.addressing = addressing;
        this.ethernet = ethernet;
        this.clock = clock;
        this.timers = timers;
        this.entropy = entropy;
        this.console = console;
    }

    @Override
    public void start() throws NetworkException {
        // Option 57: what one frame holds, as no reassembled DHCP reply is expected (RFC 2131 §2: 576 at least).
        int maxMessage = Math.max(576, Math.min(ethernet.mtu(), 65535));
        DhcpCore.Actions actions;
        synchronized (lock) {
            core = new DhcpCore(ethernet.mac(), maxMessage, new SplittableRandom(entropy.nextLong()));
            running = true;
        }
        udp.listen(DhcpPacket.CLIENT_PORT, (source, destination, payload) -> received(payload));
        synchronized (lock) {
            actions = core.start(clock.monotonicNanos());
        }
        perform(actions);
    }

    @Override
    public void stop() {
        DhcpCore.Actions actions;
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            cancelTimer();
            actions = core.stop(clock.monotonicNanos());
        }
        perform(actions); // the RELEASE, sent while UDP still runs (it stops after us)
        udp.unlisten(DhcpPacket.CLIENT_PORT);
    }

    /**
     * Returns the messages on port 68 dropped because they were not DHCP.
     *
     * @return the count
     */
    public long malformed() {
        return malformed.get();
    }

    private void received(MemorySegment payload) {
        DhcpMessage message;
        try {
            message = DhcpMessage.parse(payload);
        } catch (MalformedPacketException e) {
            malformed.incrementAndGet();
            return;
        }
        DhcpCore.Actions actions;
        synchronized (lock) {
            if (!running) {
                return;
            }
            actions = core.received(clock.monotonicNanos(), message);
        }
        perform(actions);
    }

    private void expired() {
        DhcpCore.Actions actions;
        synchronized (lock) {
            if (!running) {
                return;
            }
            scheduled = Long.MAX_VALUE;
            timer = null;
            actions = core.timer(clock.monotonicNanos());
        }
        perform(actions);
    }

    private void perform(DhcpCore.Actions actions) {
        boolean releasing = actions.events().stream()
                .anyMatch(event -> event instanceof DhcpCore.Lost lost && lost.reason() == DhcpCore.Reason.RELEASED);
        if (releasing) {
            send(actions);
            apply(actions);
        } else {
            apply(actions);
            send(actions);
        }
        schedule();
    }

    private void send(DhcpCore.Actions actions) {
        for (DhcpCore.Transmit transmit : actions.transmits()) {
            MemorySegment packet = MemorySegment.ofArray(new byte[transmit.message().length()]);
            transmit.message().emit(packet);
            try {
                udp.write(DhcpPacket.CLIENT_PORT, new Endpoint(transmit.destination(), DhcpPacket.SERVER_PORT), packet);
            } catch (NetworkException e) {
                // Lost like a datagram on the wire: the core retransmits on its own timers.
                console.log("dhcp: could not send a " + transmit.message().type() + ": " + e.getMessage());
            }
        }
    }

    private void apply(DhcpCore.Actions actions) {
        for (DhcpCore.LeaseEvent event : actions.events()) {
            DhcpLease lease = event.lease();
            switch (event) {
                case DhcpCore.Acquired acquired -> {
                    addressing.assign(lease.address(), lease.prefix(), lease.routers().stream().findFirst());
                    console.log("dhcp: leased " + describe(lease));
                }
                case DhcpCore.Renewed renewed -> {
                    addressing.assign(lease.address(), lease.prefix(), lease.routers().stream().findFirst());
                    console.log("dhcp: renewed " + describe(lease));
                }
                case DhcpCore.Lost lost -> {
                    addressing.unassign();
                    console.log("dhcp: lost " + lease.address() + " (" + lost.reason() + ")");
                }
            }
        }
    }

    private static String describe(DhcpLease lease) {
        return lease.address() + " in " + lease.prefix()
                + lease.routers().stream().findFirst().map(router -> " via " + router).orElse("")
                + " from " + lease.server() + " for " + lease.seconds() + " s";
    }

    // The core's deadline after every event, read afresh (another thread's event may have moved it since
    // these actions were returned); a timer already set for the same time is kept.
    private void schedule() {
        synchronized (lock) {
            long deadline = core.deadline();
            if (!running || deadline == scheduled) {
                return;
            }
            cancelTimer();
            if (deadline != Long.MAX_VALUE) {
                scheduled = deadline;
                timer = timers.schedule(deadline, this::expired);
            }
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        scheduled = Long.MAX_VALUE;
    }
}

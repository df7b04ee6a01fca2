package dev.morgana.net.ethernet.internal;

import dev.morgana.api.Clock;
import dev.morgana.api.Service;
import dev.morgana.api.Timers;
import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.api.net.NetworkException;
import dev.morgana.net.ethernet.ArpConfig;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shell around {@link ArpCore}: feeds it received ARP packets, timer expiries and the application's
 * calls, with the time read from {@link Clock}, and performs what it returns — packets through
 * {@link Ethernet}, one {@link Timers} timer at the core's next deadline, callbacks, log lines.
 *
 * <p><b>Threads.</b> Morgana has no stack event loop yet (DESIGN §5 foresees one per stack). Until it
 * does, the shell serialises the core with a lock instead, and performs each event's actions on the thread
 * that brought the event, after releasing the lock (so a callback may call back into ARP): the device's
 * receive thread for answers, the timer thread for retries and timeouts, and the caller's own thread when
 * {@link #resolve} is answered from the cache at once or refused (queue full, stopped). Callbacks must not
 * block. When the event loop comes, it replaces the lock and this paragraph.
 *
 * <p><b>Allocation.</b> The commonest packet, a request for our address from a neighbour already in the
 * cache, is answered without allocating: the core's {@link ArpCore#answerKnownRequest} refreshes the entry
 * and the reply is written, with the lock held, through a fill kept for the purpose. Every other packet goes
 * through the parsed message and the core's actions.
 */
public final class ArpLayer implements Arp, Service {

    private static final System.Logger LOG = System.getLogger(ArpLayer.class.getName());

    private final Ethernet ethernet;
    private final Clock clock;
    private final Timers timers;
    private final ArpCore<Resolution> core;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Timers.Timer timer;
    private long generation; // of the timer: a timer that fires after being replaced does nothing
    private long timerDeadline = Long.MAX_VALUE;
    private long malformed;
    private long sendFailures;
    private final ReplyFill reply = new ReplyFill();
    private final long ourMac;
    private boolean replying;

    /**
     * Creates the shell; it receives once started.
     *
     * @param ethernet the layer below
     * @param clock where {@code now} comes from
     * @param timers where retries and timeouts are scheduled
     * @param config bounds, timers, static entries
     */
    @Inject
    public ArpLayer(Ethernet ethernet, Clock clock, Timers timers, ArpConfig config) {
        this.ethernet = ethernet;
        this.clock = clock;
        this.timers = timers;
        this.core = new ArpCore<>(ethernet.mac(), config);
        this.ourMac = ethernet.mac().bits();
    }

    @Override
    public void start() {
        ethernet.register(Ethernet.ARP, this::payload);
    }

    @Override
    public void stop() {
        ethernet.register(Ethernet.ARP, (source, destination, payload) -> {});
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            actions = core.close();
            if (timer != null) {
                timer.cancel();
                timer = null;
                generation++;
                timerDeadline = Long.MAX_VALUE;
            }
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    /**
     * Handles one ARP payload from Ethernet.
     *
     * @param source the frame's source
     * @param destination the frame's destination
     * @param payload the ARP packet, perhaps padded
     */
    void payload(MacAddress source, MacAddress destination, MemorySegment payload) {
        try {
            ArpMessage.validate(payload);
        } catch (MalformedPacketException e) {
            lock.lock();
            try {
                malformed++;
            } finally {
                lock.unlock();
            }
            return;
        }
        if (ArpPacket.operation(payload) == ArpPacket.REQUEST && answeredInPlace(payload)) {
            return;
        }
        ArpMessage message = ArpMessage.parse(payload);
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            actions = schedule(core.received(clock.monotonicNanos(), message));
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    /**
     * Answers a request from a known neighbour without allocating (see {@link ArpCore#answerKnownRequest}):
     * the reply is written while the lock is held, through a fill kept for the purpose.
     */
    private boolean answeredInPlace(MemorySegment request) {
        lock.lock();
        try {
            if (replying) {
                return false; // a device that delivers from inside write: let the general path answer
            }
            int senderIp = ArpPacket.senderIp(request);
            int targetIp = ArpPacket.targetIp(request);
            MacAddress requester = core.answerKnownRequest(clock.monotonicNanos(), ArpPacket.senderMac(request),
                    senderIp, targetIp);
            if (requester == null) {
                return false;
            }
            replying = true;
            reply.set(requester.bits(), targetIp, senderIp);
            try {
                ethernet.write(requester, Ethernet.ARP, ArpPacket.LENGTH, reply);
            } catch (NetworkException e) {
                sendFailures++;
                LOG.log(Level.DEBUG, () -> "ARP could not send a reply to " + requester + ": " + e.getMessage());
            } finally {
                replying = false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the reply of {@link #answeredInPlace}; used with the lock held. */
    private final class ReplyFill implements Fill {
        private long targetMac;
        private int senderIp;
        private int targetIp;

        void set(long targetMac, int senderIp, int targetIp) {
            this.targetMac = targetMac;
            this.senderIp = senderIp;
            this.targetIp = targetIp;
        }

        @Override
        public int into(MemorySegment buffer) {
            ArpPacket.put(buffer, ArpPacket.REPLY, ourMac, senderIp, targetMac, targetIp);
            return ArpPacket.LENGTH;
        }
    }

    @Override
    public Optional<MacAddress> lookup(Ipv4Address address) {
        lock.lock();
        try {
            return core.lookup(clock.monotonicNanos(), address);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resolve(Ipv4Address address, Resolution resolution) {
        java.util.Objects.requireNonNull(resolution, "resolution");
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            actions = schedule(core.resolve(clock.monotonicNanos(), address, resolution));
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    @Override
    public Set<Ipv4Address> addresses() {
        lock.lock();
        try {
            return core.addresses();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void addAddress(Ipv4Address address) {
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            actions = schedule(core.addAddress(clock.monotonicNanos(), address));
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    @Override
    public void removeAddress(Ipv4Address address) {
        lock.lock();
        try {
            core.removeAddress(address);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void announce(Ipv4Address address) {
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            actions = core.announce(clock.monotonicNanos(), address);
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    private void fire(long scheduled) {
        ArpCore.Actions<Resolution> actions;
        lock.lock();
        try {
            if (scheduled != generation || timer == null) {
                return; // replaced by an earlier one, or stopped
            }
            timer = null;
            timerDeadline = Long.MAX_VALUE;
            actions = schedule(core.timer(clock.monotonicNanos()));
        } finally {
            lock.unlock();
        }
        perform(actions);
    }

    /** Keeps one timer at the core's next deadline. Called with the lock held. */
    private ArpCore.Actions<Resolution> schedule(ArpCore.Actions<Resolution> actions) {
        long deadline = actions.deadline();
        if (deadline == Long.MAX_VALUE || deadline >= timerDeadline) {
            return actions; // nothing to wait for, or the pending timer comes first (its handler reschedules)
        }
        if (timer != null) {
            timer.cancel();
        }
        long scheduled = ++generation;
        timerDeadline = deadline;
        timer = timers.schedule(deadline, () -> fire(scheduled));
        return actions;
    }

    /** Sends, then completes, then reports; never with the lock held. */
    private void perform(ArpCore.Actions<Resolution> actions) {
        for (ArpCore.Send send : actions.sends()) {
            try {
                ethernet.write(send.destination(), Ethernet.ARP, ArpPacket.LENGTH, send.message()::emit);
            } catch (NetworkException e) {
                lock.lock();
                try {
                    sendFailures++;
                } finally {
                    lock.unlock();
                }
                LOG.log(Level.DEBUG, () -> "ARP could not send " + send.message() + ": " + e.getMessage());
            }
        }
        for (ArpCore.Resolved<Resolution> resolved : actions.resolved()) {
            resolved.waiter().resolved(resolved.mac());
        }
        for (ArpCore.Failed<Resolution> failed : actions.failed()) {
            failed.waiter().failed(failed.error());
        }
        for (ArpCore.Conflict conflict : actions.conflicts()) {
            LOG.log(Level.WARNING, () -> "ARP: " + conflict.claimant() + " claims our address " + conflict.address()
                    + (conflict.defended() ? "; defended with an announcement" : "; not defended again so soon"));
        }
    }

    /**
     * The shell's counters.
     *
     * @param core the core's
     * @param malformed ARP payloads the parser refused
     * @param sendFailures packets Ethernet could not send
     * @param cacheSize dynamic entries now
     * @param pending resolutions waiting now
     */
    public record Counters(ArpCore.Counters core, long malformed, long sendFailures, int cacheSize, int pending) {}

    /**
     * Returns the counters.
     *
     * @return a snapshot
     */
    public Counters counters() {
        lock.lock();
        try {
            return new Counters(core.counters(), malformed, sendFailures, core.cacheSize(), core.pending());
        } finally {
            lock.unlock();
        }
    }
}

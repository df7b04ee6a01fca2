package dev.morgana.unix.tap;

import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.Service;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import jakarta.inject.Inject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * NETWORK over a Linux TAP device ({@code /dev/net/tun} with {@code IFF_TAP | IFF_NO_PI}): each
 * {@code read(2)} of the descriptor is one Ethernet frame the kernel sent into the TAP, each
 * {@code write(2)} one frame the kernel receives from it.
 *
 * <p><b>Receiving.</b> One platform thread reads the non-blocking descriptor into a native buffer and hands
 * each frame to the handler as a read-only slice of that buffer, then reuses it for the next frame. When a
 * read finds nothing ({@code EAGAIN}) the thread sleeps in {@code poll(2)} on two descriptors: the TAP and
 * an {@code eventfd}. {@link #stop} writes the eventfd, which wakes the thread at once wherever it is; it
 * then waits for the thread to end before it closes anything. Closing the TAP's descriptor under a blocked
 * {@code read} would not do: Linux keeps the open file alive until that read returns, so the thread would
 * sleep on (until the next frame, perhaps never), and the descriptor's number could meanwhile be reused
 * for another file. Interrupting a platform thread does not end a native call either.
 *
 * <p><b>Sending.</b> A writer borrows one of a bounded pool of native buffers, the caller's {@link Fill}
 * writes the frame straight into it, and one {@code write(2)} hands it to the kernel: the frame is copied
 * once, into the kernel. Writers on many threads proceed in parallel. When every buffer is borrowed, the
 * frame is dropped and counted, as a full transmit ring would; so is a frame the kernel has no room for.
 * {@link #stop} refuses new writes and waits for those in progress before it frees the buffers.
 */
final class TapNetwork implements Network, Service {

    private static final int HEADER = 14;
    /** Room for one 802.1Q tag, which a received frame may carry beyond the MTU. */
    private static final int VLAN_TAG = 4;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    /** Set in {@link #writers} once the device stops; the lower bits count writes in progress. */
    private static final int CLOSED = 1 << 30;
    private static final Path CLONE_DEVICE = Path.of("/dev/net/tun");

    private static final VarHandle FRAMES_IN;
    private static final VarHandle BYTES_IN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FRAMES_IN = lookup.findVarHandle(TapNetwork.class, "framesIn", long.class);
            BYTES_IN = lookup.findVarHandle(TapNetwork.class, "bytesIn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TapConfig config;
    private final Console console;
    private final Path cloneDevice;
    private final MacAddress mac;

    // Written by the receive thread only, read by counters() from any thread.
    @SuppressWarnings("unused")
    private long framesIn;
    @SuppressWarnings("unused")
    private long bytesIn;
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder drops = new LongAdder();
    private final AtomicLong handlerFailures = new AtomicLong();

    private final AtomicInteger writers = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile boolean closing;
    private volatile FrameHandler handler;
    private volatile Opened opened;
    private volatile Throwable failure;

    /** The open device and everything its loop and writers use; freed by {@link #stop}. */
    private record Opened(String name, int mtu, int fd, int wakeFd, Arena arena, Pool pool, Thread receiver) {}

    /** A native frame buffer and the segment its calls store {@code errno} in; {@code home} is its pool slot. */
    private record Buffer(int home, MemorySegment frame, MemorySegment state) {}

    /**
     * A device configured by {@code config}, opened by {@link #start()}.
     *
     * @param config the TAP to open
     * @param entropy makes up the MAC address when none is configured
     * @param console where failures without a caller (a handler's exception, a dead device) are reported
     */
    @Inject
    TapNetwork(TapConfig config, Entropy entropy, Console console) {
        this(config, entropy, console, CLONE_DEVICE);
    }

    TapNetwork(TapConfig config, Entropy entropy, Console console, Path cloneDevice) {
        this.config = config;
        this.console = console;
        this.cloneDevice = cloneDevice;
        this.mac = config.mac().orElseGet(() -> randomMac(entropy));
    }

    /** A random address with the individual/group bit clear (unicast) and the universal/local bit set (IEEE 802). */
    static MacAddress randomMac(Entropy entropy) {
        long bits = entropy.nextLong() & 0xFFFF_FFFF_FFFFL;
        return new MacAddress(bits & ~0x0100_0000_0000L | 0x0200_0000_0000L);
    }

    /**
     * Opens or creates the TAP, sets or reads its MTU and starts the receive thread.
     *
     * @throws NetworkException {@code DEVICE_FAILED} when {@code /dev/net/tun} is missing or may not be
     *     opened, the TAP cannot be created or attached (no {@code CAP_NET_ADMIN}, the name belongs to
     *     another kind of interface, another process has it) or the MTU is refused; the message says which,
     *     with the C library's text for the error
     */
    @Override
    public void start() throws NetworkException {
        if (opened != null || stopping.get()) {
            throw new IllegalStateException("a TapNetwork starts once");
        }
        Arena arena = Arena.ofShared();
        int fd = -1;
        int wakeFd = -1;
        try {
            MemorySegment state = LinuxTap.callState(arena);
            fd = LinuxTap.open(state, arena.allocateFrom(cloneDevice.toString()),
                    LinuxTap.O_RDWR | LinuxTap.O_NONBLOCK | LinuxTap.O_CLOEXEC);
            if (fd < 0) {
                throw openFailed(LinuxTap.errno(state));
            }
            MemorySegment ifreq = ifreq(arena, config.name());
            ifreq.set(ValueLayout.JAVA_SHORT, LinuxTap.IFREQ_UNION, (short) (LinuxTap.IFF_TAP | LinuxTap.IFF_NO_PI));
            if (LinuxTap.ioctl(state, fd, LinuxTap.TUNSETIFF, ifreq) < 0) {
                throw attachFailed(LinuxTap.errno(state));
            }
            String name = ifreq.getString(0, StandardCharsets.UTF_8); // "mt%d" comes back as "mt0"
            int mtu = mtu(arena, state, name);
            wakeFd = LinuxTap.eventfd(state, 0, LinuxTap.EFD_CLOEXEC);
            if (wakeFd < 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                        "TAP " + name + ": eventfd failed (" + LinuxTap.describe(LinuxTap.errno(state)) + ")");
            }
            long bufferSize = mtu + HEADER + VLAN_TAG;
            Pool pool = new Pool(arena, config.buffers(), bufferSize);
            Buffer receiveBuffer = new Buffer(-1, arena.allocate(bufferSize, 64), LinuxTap.callState(arena));
            MemorySegment pollFds = arena.allocate(2 * LinuxTap.POLLFD_SIZE, 8);
            pollFds.set(ValueLayout.JAVA_INT, 0, fd);
            pollFds.set(ValueLayout.JAVA_SHORT, 4, LinuxTap.POLLIN);
            pollFds.set(ValueLayout.JAVA_INT, LinuxTap.POLLFD_SIZE, wakeFd);
            pollFds.set(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 4, LinuxTap.POLLIN);
            int tapFd = fd;
            Thread receiver = Thread.ofPlatform().name("morgana-tap-" + name).daemon(true)
                    .unstarted(() -> receive(name, tapFd, receiveBuffer, pollFds));
            opened = new Opened(name, mtu, fd, wakeFd, arena, pool, receiver);
            receiver.start();
        } catch (NetworkException | RuntimeException | Error e) {
            MemorySegment state = LinuxTap.callState(Arena.ofAuto());
            if (wakeFd >= 0) {
                LinuxTap.close(state, wakeFd);
            }
            if (fd >= 0) {
                LinuxTap.close(state, fd);
            }
            opened = null;
            arena.close();
            throw e;
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment ifreq = arena.allocate(LinuxTap.IFREQ_SIZE, 8);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8); // TapConfig checked: at most 15 bytes
        MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return ifreq;
    }

    /** Sets the interface's MTU when configured, and reads it back, through an ioctl on an IPv4 socket. */
    private int mtu(Arena arena, MemorySegment state, String name) throws NetworkException {
        int socket = LinuxTap.socket(state, LinuxTap.AF_INET, LinuxTap.SOCK_DGRAM | LinuxTap.SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + name
                    + ": no socket to set or read its MTU through (" + LinuxTap.describe(LinuxTap.errno(state)) + ")");
        }
        try {
            MemorySegment ifreq = ifreq(arena, name);
            if (config.mtu().isPresent()) {
                int mtu = config.mtu().getAsInt();
                ifreq.set(ValueLayout.JAVA_INT, LinuxTap.IFREQ_UNION, mtu);
                if (LinuxTap.ioctl(state, socket, LinuxTap.SIOCSIFMTU, ifreq) < 0) {
                    int errno = LinuxTap.errno(state);
                    throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + name
                            + ": the kernel refused MTU " + mtu
                            + (errno == LinuxTap.EPERM ? " (setting an MTU needs CAP_NET_ADMIN)" : "")
                            + " (" + LinuxTap.describe(errno) + ")");
                }
            }
            if (LinuxTap.ioctl(state, socket, LinuxTap.SIOCGIFMTU, ifreq) < 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + name
                        + ": cannot read its MTU (" + LinuxTap.describe(LinuxTap.errno(state)) + ")");
            }
            return ifreq.get(ValueLayout.JAVA_INT, LinuxTap.IFREQ_UNION);
        } finally {
            LinuxTap.close(state, socket);
        }
    }

    private NetworkException openFailed(int errno) {
        String why = switch (errno) {
            case LinuxTap.ENOENT, LinuxTap.ENODEV -> cloneDevice + " does not exist or has no driver: load the "
                    + "TUN/TAP driver (modprobe tun), or pass the device into the container (--device /dev/net/tun)";
            case LinuxTap.EACCES, LinuxTap.EPERM -> "no permission to open " + cloneDevice
                    + ": run as root, or with CAP_NET_ADMIN and read-write access to it";
            default -> "cannot open " + cloneDevice;
        };
        return new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                "TAP " + config.name() + ": " + why + " (" + LinuxTap.describe(errno) + ")");
    }

    private NetworkException attachFailed(int errno) {
        String name = config.name();
        String why = switch (errno) {
            case LinuxTap.EPERM, LinuxTap.EACCES -> "creating or attaching it needs CAP_NET_ADMIN: run as root, or "
                    + "create it beforehand for this user (ip tuntap add " + name + " mode tap user USER)";
            case LinuxTap.EBUSY -> "another process has it open (a TAP without multiple queues has one reader)";
            case LinuxTap.EINVAL -> "an interface of that name exists and is not a TAP device, or the kernel "
                    + "refused the name";
            default -> "the kernel refused to create or attach it";
        };
        return new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                "TAP " + name + ": " + why + " (" + LinuxTap.describe(errno) + ")");
    }

    /**
     * Stops the receive thread, refuses new writes with {@code CLOSED}, waits for writes in progress, then
     * closes the TAP (a TAP this device created disappears with it) and frees the buffers.
     *
     * @throws IllegalStateException when the receive thread or a write did not finish within 5 s (a handler
     *     or a fill that blocks; the descriptors and buffers are then left open rather than freed under it),
     *     or when called from the frame handler
     */
    @Override
    public void stop() {
        Opened open = opened;
        if (open != null && Thread.currentThread() == open.receiver) {
            throw new IllegalStateException("a frame handler must not stop its own TAP device: stop waits for "
                    + "the handler to return");
        }
        if (open == null || !stopping.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        writers.getAndAdd(CLOSED);
        MemorySegment state = LinuxTap.callState(open.arena);
        MemorySegment one = open.arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1);
        LinuxTap.write(state, open.wakeFd, one, Long.BYTES); // cannot fail: the counter is far from full
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MILLIS);
        boolean interrupted = false;
        try {
            open.receiver.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        while ((writers.get() & ~CLOSED) != 0 && System.nanoTime() < deadline && !interrupted) {
            Thread.onSpinWait();
            Thread.yield();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        boolean receiving = open.receiver.isAlive();
        int writing = writers.get() & ~CLOSED;
        if (receiving || writing != 0) {
            throw new IllegalStateException("TAP " + open.name + " did not stop within " + STOP_TIMEOUT_MILLIS
                    + " ms (" + (receiving ? "the frame handler still runs" : writing + " writes still fill")
                    + "); its descriptors and buffers stay open rather than freed under them");
        }
        LinuxTap.close(state, open.wakeFd);
        LinuxTap.close(state, open.fd);
        open.arena.close();
    }

    /**
     * Returns the interface's name, as the kernel gave it (a {@code %d} in the configured name is a number here).
     *
     * @return the name
     * @throws IllegalStateException before the device started
     */
    String name() {
        return started().name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when the MTU was not configured and the device has not started (the
     *     interface's own MTU is read when it starts)
     */
    @Override
    public int mtu() {
        Opened open = opened;
        if (open != null) {
            return open.mtu;
        }
        if (config.mtu().isPresent()) {
            return config.mtu().getAsInt();
        }
        throw new IllegalStateException("TAP " + config.name() + " has not started: its MTU is the interface's, "
                + "read when it starts (configure one with TapConfig.withMtu to know it before)");
    }

    @Override
    public void write(int size, Fill fill) throws NetworkException {
        Opened open = started();
        if (size < 0 || size > open.mtu + HEADER) {
            throw new IllegalArgumentException("a frame on TAP " + open.name + " has at most " + (open.mtu + HEADER)
                    + " bytes (MTU " + open.mtu + " plus the 14-byte header), asked for " + size);
        }
        if (writers.getAndIncrement() >= CLOSED) {
            writers.getAndDecrement();
            throw new NetworkException(NetworkException.Reason.CLOSED, "TAP " + open.name + " is closed");
        }
        try {
            Throwable failed = failure;
            if (failed != null) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                        "TAP " + open.name + " failed: " + failed.getMessage(), failed);
            }
            Buffer buffer = open.pool.take();
            if (buffer == null) {
                drops.increment();
                return;
            }
            try {
                int length = fill.into(buffer.frame.asSlice(0, size));
                if (length < 0 || length > size) {
                    throw new IllegalArgumentException("the fill wrote " + length + " bytes into a buffer of " + size);
                }
                if (length == 0) {
                    return;
                }
                if (length < HEADER) {
                    throw new IllegalArgumentException("a frame has at least its 14-byte header, the fill wrote "
                            + length + " bytes");
                }
                send(open, buffer, length);
            } finally {
                open.pool.give(buffer);
            }
        } finally {
            writers.getAndDecrement();
        }
    }

    private void send(Opened open, Buffer buffer, int length) throws NetworkException {
        while (true) {
            long written = LinuxTap.write(buffer.state, open.fd, buffer.frame, length);
            if (written == length) {
                framesOut.increment();
                bytesOut.add(length);
                return;
            }
            if (written >= 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + open.name + " took "
                        + written + " bytes of a " + length + "-byte frame");
            }
            int errno = LinuxTap.errno(buffer.state);
            switch (errno) {
                case LinuxTap.EINTR -> { }
                // No room in the kernel, or the interface is down (moving it between namespaces takes it down):
                // the frame is lost as it would be on a wire.
                case LinuxTap.EAGAIN, LinuxTap.ENOBUFS, LinuxTap.ENOMEM, LinuxTap.EIO -> {
                    drops.increment();
                    return;
                }
                default -> throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "writing a "
                        + length + "-byte frame to TAP " + open.name + " failed (" + LinuxTap.describe(errno) + ")");
            }
        }
    }

    @Override
    public void listen(FrameHandler handler) {
        this.handler = handler;
    }

    @Override
    public Counters counters() {
        return new Counters((long) FRAMES_IN.getOpaque(this), (long) BYTES_IN.getOpaque(this), framesOut.sum(),
                bytesOut.sum(), drops.sum());
    }

    private Opened started() {
        Opened open = opened;
        if (open == null) {
            throw new IllegalStateException("TAP " + config.name() + " has not started");
        }
        return open;
    }

    /** The receive thread: read until the TAP is empty, then sleep in poll until a frame or stop comes. */
    private void receive(String name, int fd, Buffer buffer, MemorySegment pollFds) {
        MemorySegment frames = buffer.frame;
        long capacity = frames.byteSize();
        try {
            while (!closing) {
                long length = LinuxTap.read(buffer.state, fd, frames, capacity);
                if (length >= 0) {
                    deliver(frames, length, capacity);
                    continue;
                }
                int errno = LinuxTap.errno(buffer.state);
                if (errno == LinuxTap.EAGAIN) {
                    if (!await(name, buffer.state, pollFds)) {
                        return;
                    }
                } else if (errno != LinuxTap.EINTR) {
                    throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                            "reading from TAP " + name + " failed (" + LinuxTap.describe(errno) + ")");
                }
            }
        } catch (NetworkException | RuntimeException | Error e) {
            if (!closing) {
                failure = e;
                console.log("TAP " + name + " stopped receiving: " + e);
            }
        }
    }

    private void deliver(MemorySegment frames, long length, long capacity) {
        FrameHandler current = handler;
        // The kernel reports a frame's whole length even when it did not fit (the MTU was raised under us).
        if (current == null || length > capacity || length < HEADER) {
            drops.increment();
            return;
        }
        FRAMES_IN.setOpaque(this, (long) FRAMES_IN.getOpaque(this) + 1);
        BYTES_IN.setOpaque(this, (long) BYTES_IN.getOpaque(this) + length);
        try {
            current.frame(frames.asSlice(0, length).asReadOnly());
        } catch (RuntimeException e) {
            long failures = handlerFailures.incrementAndGet();
            if (Long.bitCount(failures) == 1) { // the 1st, 2nd, 4th, 8th …: enough to see, never a flood
                console.log("a frame handler on TAP " + config.name() + " threw (" + failures + " so far): " + e);
            }
        }
    }

    /**
     * Sleeps until the TAP has a frame or {@link #stop} wrote the eventfd.
     *
     * @return {@code true} to read again, {@code false} to end the loop
     */
    private boolean await(String name, MemorySegment state, MemorySegment pollFds) throws NetworkException {
        while (true) {
            pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            pollFds.set(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 6, (short) 0);
            if (LinuxTap.poll(state, pollFds, 2, -1) < 0) {
                int errno = LinuxTap.errno(state);
                if (errno == LinuxTap.EINTR) {
                    continue;
                }
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                        "waiting for TAP " + name + " failed (" + LinuxTap.describe(errno) + ")");
            }
            if (pollFds.get(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 6) != 0) {
                return false;
            }
            short events = pollFds.get(ValueLayout.JAVA_SHORT, 6);
            if ((events & LinuxTap.POLLIN) == 0
                    && (events & (LinuxTap.POLLERR | LinuxTap.POLLHUP | LinuxTap.POLLNVAL)) != 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + name
                        + " went away (poll events 0x" + Integer.toHexString(events & 0xFFFF) + ")");
            }
            return true;
        }
    }

    /**
     * The writers' buffers: one slot each, taken with a compare-and-set and given back to the same slot by
     * the only thread that holds it. A writer starts looking at a slot chosen by its thread, so concurrent
     * writers rarely contend for one.
     */
    private static final class Pool {
        private final AtomicReferenceArray<Buffer> slots;

        Pool(Arena arena, int count, long size) {
            slots = new AtomicReferenceArray<>(count);
            for (int i = 0; i < count; i++) {
                slots.set(i, new Buffer(i, arena.allocate(size, 64), LinuxTap.callState(arena)));
            }
        }

        Buffer take() {
            int count = slots.length();
            int start = (int) (Thread.currentThread().threadId() % count);
            for (int i = 0; i < count; i++) {
                int slot = start + i < count ? start + i : start + i - count;
                Buffer buffer = slots.get(slot);
                if (buffer != null && slots.compareAndSet(slot, buffer, null)) {
                    return buffer;
                }
            }
            return null;
        }

        void give(Buffer buffer) {
            slots.set(buffer.home, buffer);
        }
    }
}

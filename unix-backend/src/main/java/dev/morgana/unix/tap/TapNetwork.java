package dev.morgana.unix.tap;

import dev.morgana.api.Console;
import dev.morgana.api.Entropy;
import dev.morgana.api.EventLoop;
import dev.morgana.api.Service;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import dev.morgana.unix.internal.CustomCarriers;
import jakarta.inject.Inject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * NETWORK over a Linux TAP device ({@code /dev/net/tun} with {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}): each
 * {@code read(2)} of the descriptor is one Ethernet frame the kernel sent into the TAP, each
 * {@code write(2)} one frame the kernel receives from it, both behind a 10-byte {@code struct virtio_net_hdr}.
 *
 * <p><b>TCP segmentation offload.</b> That header lets a write hand the kernel one TCP "super-segment" of up to
 * 64 KiB ({@link #writeTcpSegments}): the kernel cuts it into segments of the MSS where it leaves the host (or
 * hands it whole to a local socket), and completes each one's checksum, so that a response of many segments
 * costs one system call and one pass through the kernel's receive path. The header of a read is skipped: no
 * {@code TUNSETOFFLOAD} is set, so the kernel sends us only whole frames with complete checksums.
 * {@code -Dmorgana.tap.offload=false} turns the offload off ({@link #tcpSegmentationLimit} is then 0), as
 * {@code ethtool -K … tso off} would, to compare.
 *
 * <p><b>Receiving.</b> The device has one platform thread. Frames are read from the non-blocking descriptor into
 * one native buffer and handed to the handler one at a time, each as a read-only slice of that buffer, which
 * the next frame reuses. When a read finds nothing ({@code EAGAIN}) the thread sleeps in {@code poll(2)} on
 * two descriptors: the TAP and an {@code eventfd}. {@link #stop} writes the eventfd, which wakes the thread at
 * once wherever it is; it then waits for the thread to end before it closes anything.
 *
 * <p><b>The platform thread is an {@link EventLoop}.</b> It carries virtual threads, and the frames are read and
 * delivered by one of them, 64 at a time, beside the threads started on the loop: TCP starts the handler of
 * each connection it accepts there, so that the handler reads what the loop just received and writes its
 * answer without a thread crossing (on a JVM with one core to itself, the JDK's scheduler cost the website two
 * context switches per request). The platform thread itself only runs what is queued and sleeps in poll, so
 * it never waits for a lock that a thread it carries holds: a frame handler that must wait parks. A thread
 * woken from elsewhere (a timer, another thread) is queued for the loop, and the eventfd wakes the loop if it
 * sleeps; one woken after the device stopped finishes on the JDK's common pool. This needs
 * {@link CustomCarriers}; without it the platform thread reads and delivers the frames itself, handlers run
 * on the JDK's scheduler, and {@link #start} says so on the console.
 *
 * <p>Closing the TAP's descriptor under a blocked
 * {@code read} would not do: Linux keeps the open file alive until that read returns, so the thread would
 * sleep on (until the next frame, perhaps never), and the descriptor's number could meanwhile be reused
 * for another file. Interrupting a platform thread does not end a native call either.
 *
 * <p><b>Sending.</b> A writer borrows one of a bounded pool of native buffers, the caller's {@link Fill}
 * writes the frame straight into it, and one {@code write(2)} hands it to the kernel: the frame is copied
 * once, into the kernel. Writers on many threads proceed in parallel. When every buffer is borrowed, the
 * frame is dropped and counted, as a full transmit ring would; so is a frame the kernel has no room for.
 * Offloaded frames come from a pool of their own, of {@link #OFFLOAD_BUFFERS} buffers of 64 KiB, so that
 * ordinary ones stay MTU-sized: a device holds {@code buffers × (MTU + 28)} bytes + 128 KiB for writing (the
 * 128 KiB only while the offload is on).
 * {@link #stop} refuses new writes and waits for those in progress before it frees the buffers.
 */
final class TapNetwork implements Network, Service {

    private static final int HEADER = 14;
    /** {@code sizeof(struct virtio_net_hdr)}: the TAP's default {@code TUNSETVNETHDRSZ}. */
    static final int VNET_HEADER = 10;
    /** The largest frame {@link #writeTcpSegments} takes: the largest IPv4 datagram with its Ethernet header. */
    static final int SEGMENTATION_LIMIT = 0xFFFF + HEADER;
    /**
     * Buffers of {@link #SEGMENTATION_LIMIT} bytes for offloaded writes, apart from the MTU-sized ones so that
     * those stay small: 2 × 64 KiB per device. TCP sends under one lock, so one is in use at a time; a write
     * finding neither free is dropped and counted, as any other.
     */
    private static final int OFFLOAD_BUFFERS = 2;
    // struct virtio_net_hdr (<linux/virtio_net.h>), in the host's byte order (no TUNSETVNETLE/BE is set).
    static final int VNET_F_NEEDS_CSUM = 1;
    static final int VNET_GSO_TCPV4 = 1;
    private static final ValueLayout.OfShort NATIVE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Room for one 802.1Q tag, which a received frame may carry beyond the MTU. */
    private static final int VLAN_TAG = 4;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    /** Set in {@link #writers} once the device stops; the lower bits count writes in progress. */
    private static final int CLOSED = 1 << 30;
    private static final Path CLONE_DEVICE = Path.of("/dev/net/tun");
    /**
     * How many frames the loop reads before it runs the virtual threads they woke, and how many of those it runs
     * before it reads again: each side gets its turn under load.
     */
    private static final int BATCH = 64;

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
    /** Whether {@link #writeTcpSegments} is offered: {@code -Dmorgana.tap.offload=false} says no. */
    private final boolean offload = !"false".equals(System.getProperty("morgana.tap.offload"));
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
    private record Opened(String name, int mtu, int fd, int wakeFd, Arena arena, Pool pool, Pool offloadPool,
            Loop loop) {}

    /**
     * A native buffer, the frame from byte {@link #VNET_HEADER} on behind its virtio header, and the segment its
     * calls store {@code errno} in; {@code home} is its pool slot.
     */
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
            ifreq.set(ValueLayout.JAVA_SHORT, LinuxTap.IFREQ_UNION,
                    (short) (LinuxTap.IFF_TAP | LinuxTap.IFF_NO_PI | LinuxTap.IFF_VNET_HDR));
            if (LinuxTap.ioctl(state, fd, LinuxTap.TUNSETIFF, ifreq) < 0) {
                throw attachFailed(LinuxTap.errno(state));
            }
            String name = ifreq.getString(0, StandardCharsets.UTF_8); // "mt%d" comes back as "mt0"
            int mtu = mtu(arena, state, name);
            wakeFd = LinuxTap.eventfd(state, 0, LinuxTap.EFD_CLOEXEC | LinuxTap.EFD_NONBLOCK);
            if (wakeFd < 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                        "TAP " + name + ": eventfd failed (" + LinuxTap.describe(LinuxTap.errno(state)) + ")");
            }
            long bufferSize = VNET_HEADER + mtu + HEADER + VLAN_TAG;
            Pool pool = new Pool(arena, config.buffers(), bufferSize);
            // Null with the offload off: writeTcpSegments refuses before it would take from it.
            Pool offloadPool = offload ? new Pool(arena, OFFLOAD_BUFFERS, VNET_HEADER + SEGMENTATION_LIMIT) : null;
            Buffer receiveBuffer = new Buffer(-1, arena.allocate(bufferSize, 64), LinuxTap.callState(arena));
            MemorySegment pollFds = arena.allocate(2 * LinuxTap.POLLFD_SIZE, 8);
            pollFds.set(ValueLayout.JAVA_INT, 0, fd);
            pollFds.set(ValueLayout.JAVA_SHORT, 4, LinuxTap.POLLIN);
            pollFds.set(ValueLayout.JAVA_INT, LinuxTap.POLLFD_SIZE, wakeFd);
            pollFds.set(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 4, LinuxTap.POLLIN);
            Loop loop = new Loop(name, fd, wakeFd, arena, receiveBuffer, pollFds);
            opened = new Opened(name, mtu, fd, wakeFd, arena, pool, offloadPool, loop);
            loop.thread.start();
            if (!CustomCarriers.available()) {
                console.log("TAP " + name + ": the virtual threads of its connections run on the JDK's scheduler, "
                        + "not on its receive loop (" + CustomCarriers.whyNot() + ")");
            }
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
        if (open != null && (Thread.currentThread() == open.loop.receiver || Thread.currentThread() == open.loop.thread)) {
            throw new IllegalStateException("a frame handler must not stop its own TAP device: stop waits for "
                    + "the handler to return");
        }
        if (open == null || !stopping.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        writers.getAndAdd(CLOSED);
        open.loop.wake();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MILLIS);
        boolean interrupted = false;
        try {
            open.loop.thread.join(STOP_TIMEOUT_MILLIS);
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
        boolean receiving = open.loop.thread.isAlive();
        int writing = writers.get() & ~CLOSED;
        if (receiving || writing != 0) {
            throw new IllegalStateException("TAP " + open.name + " did not stop within " + STOP_TIMEOUT_MILLIS
                    + " ms (" + (receiving ? "the frame handler still runs" : writing + " writes still fill")
                    + "); its descriptors and buffers stay open rather than freed under them");
        }
        MemorySegment state = LinuxTap.callState(open.arena);
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
        write(open, open.pool, size, 0, fill);
    }

    /** The largest IPv4 datagram with its Ethernet header: the kernel segments what we write. */
    @Override
    public int tcpSegmentationLimit() {
        return offload ? SEGMENTATION_LIMIT : 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The frame is written behind a virtio header that asks the kernel to segment it ({@link #offloadHeader}).
     * It counts as one frame out, of its whole length.
     *
     * @throws IllegalArgumentException also when the frame the fill wrote is not IPv4 carrying TCP with
     *     well-formed header lengths
     */
    @Override
    public void writeTcpSegments(int size, int segmentSize, Fill fill) throws NetworkException {
        Opened open = started();
        if (!offload) {
            throw new UnsupportedOperationException("TAP " + open.name
                    + ": offload is off (-Dmorgana.tap.offload=false)");
        }
        if (size < 0 || size > SEGMENTATION_LIMIT || segmentSize <= 0 || segmentSize > 0xFFFF) {
            throw new IllegalArgumentException("an offloaded frame on TAP " + open.name + " has at most "
                    + SEGMENTATION_LIMIT + " bytes in segments of 1–65535, asked for " + size + " in segments of "
                    + segmentSize);
        }
        write(open, open.offloadPool, size, segmentSize, fill);
    }

    /** Writes one frame from a buffer of {@code pool}; a {@code segmentSize} of 0 asks for no offload. */
    private void write(Opened open, Pool pool, int size, int segmentSize, Fill fill) throws NetworkException {
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
            Buffer buffer = pool.take();
            if (buffer == null) {
                drops.increment();
                return;
            }
            try {
                int length = fill.into(buffer.frame.asSlice(VNET_HEADER, size));
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
                if (segmentSize == 0) {
                    buffer.frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L); // no offload: all ten bytes zero
                    buffer.frame.set(NATIVE_U16, 8, (short) 0);
                } else {
                    offloadHeader(buffer.frame, length, segmentSize);
                }
                send(open, buffer, length);
            } finally {
                pool.give(buffer);
            }
        } finally {
            writers.getAndDecrement();
        }
    }

    /**
     * Writes the virtio header of an offloaded frame at the start of {@code buffer}, the frame behind it:
     * {@code NEEDS_CSUM}, {@code GSO_TCPV4}, the length of the Ethernet, IPv4 and TCP headers as the frame has
     * them, the segment size, and where the TCP checksum starts and lies (Linux completes it from the partial sum
     * the field holds).
     *
     * @param buffer the virtio header's 10 bytes, then the frame
     * @param length the frame's length
     * @param segmentSize the TCP data per segment
     * @throws IllegalArgumentException when the frame is not IPv4 carrying TCP with sane header lengths
     */
    static void offloadHeader(MemorySegment buffer, int length, int segmentSize) {
        MemorySegment frame = buffer.asSlice(VNET_HEADER, length);
        int ipv4 = HEADER;
        if (length < ipv4 + 40 || (frame.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                12) & 0xFFFF) != 0x0800) {
            throw new IllegalArgumentException("an offloaded frame carries IPv4, with at least 40 bytes of headers");
        }
        int versionIhl = frame.get(ValueLayout.JAVA_BYTE, ipv4) & 0xFF;
        int ipHeader = (versionIhl & 0xF) * 4;
        int tcp = ipv4 + ipHeader;
        if (versionIhl >>> 4 != 4 || ipHeader < 20 || frame.get(ValueLayout.JAVA_BYTE, ipv4 + 9) != 6
                || length < tcp + 20) {
            throw new IllegalArgumentException("an offloaded frame carries TCP over IPv4");
        }
        int tcpHeader = ((frame.get(ValueLayout.JAVA_BYTE, tcp + 12) & 0xFF) >>> 4) * 4;
        if (tcpHeader < 20 || length < tcp + tcpHeader) {
            throw new IllegalArgumentException("an offloaded frame's TCP header is " + tcpHeader + " bytes");
        }
        buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) VNET_F_NEEDS_CSUM);
        buffer.set(ValueLayout.JAVA_BYTE, 1, (byte) VNET_GSO_TCPV4);
        buffer.set(NATIVE_U16, 2, (short) (tcp + tcpHeader)); // hdr_len
        buffer.set(NATIVE_U16, 4, (short) segmentSize); // gso_size
        buffer.set(NATIVE_U16, 6, (short) tcp); // csum_start
        buffer.set(NATIVE_U16, 8, (short) 16); // csum_offset: the TCP checksum field
    }

    private void send(Opened open, Buffer buffer, int length) throws NetworkException {
        while (true) {
            long written = LinuxTap.write(buffer.state, open.fd, buffer.frame, VNET_HEADER + length);
            if (written == VNET_HEADER + length) {
                framesOut.increment();
                bytesOut.add(length);
                return;
            }
            if (written >= 0) {
                throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + open.name + " took "
                        + written + " bytes of a " + (VNET_HEADER + length) + "-byte write (a " + length
                        + "-byte frame behind its virtio header)");
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

    /** Delivers the frame behind the virtio header of a read of {@code read} bytes into {@code buffer}. */
    private void deliver(MemorySegment buffer, long read, long capacity) {
        FrameHandler current = handler;
        // The kernel reports a frame's whole length even when it did not fit (the MTU was raised under us).
        if (current == null || read > capacity || read < VNET_HEADER + HEADER) {
            drops.increment();
            return;
        }
        long length = read - VNET_HEADER;
        FRAMES_IN.setOpaque(this, (long) FRAMES_IN.getOpaque(this) + 1);
        BYTES_IN.setOpaque(this, (long) BYTES_IN.getOpaque(this) + length);
        try {
            current.frame(buffer.asSlice(VNET_HEADER, length).asReadOnly());
        } catch (RuntimeException e) {
            long failures = handlerFailures.incrementAndGet();
            if (Long.bitCount(failures) == 1) { // the 1st, 2nd, 4th, 8th …: enough to see, never a flood
                console.log("a frame handler on TAP " + config.name() + " threw (" + failures + " so far): " + e);
            }
        }
    }

    /**
     * The device's platform thread. With {@link CustomCarriers} it is an event loop: it runs the stretches of
     * its virtual threads, among them the receiver (which reads up to {@link #BATCH} frames, then lets the
     * threads they woke run), and sleeps in poll once nothing is queued, watching the TAP while the receiver
     * waits for frames. Without them it reads and delivers frames itself, as it sleeps in poll between.
     */
    private final class Loop implements EventLoop, Executor {
        private final String tap;
        private final int fd;
        private final int wakeFd;
        private final Buffer buffer;
        private final MemorySegment pollFds;
        /** The eventfd's increment, and the errno of its writes, which nothing reads: any thread may wake the loop. */
        private final MemorySegment one;
        private final MemorySegment wakeState;
        /** Where the loop reads the eventfd's counter into, to reset it. */
        private final MemorySegment counter;
        private final boolean carries = CustomCarriers.available();
        final Thread thread;
        /** The thread that delivers frames: a virtual thread of this loop's, or the loop's own thread. */
        final Thread receiver;
        /** Stretches of virtual threads to run, from any thread. */
        private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
        /** Set before the loop looks at the queue one last time and sleeps: whoever queues then writes the eventfd. */
        private volatile boolean sleeping;
        /** Set once the loop ran its last stretch: what is queued later runs on the common pool. */
        private volatile boolean ended;
        /** The receiver found the TAP empty and parked: the loop watches the TAP for it. */
        private volatile boolean awaitingFrames;
        private volatile boolean receiverDone;

        Loop(String tap, int fd, int wakeFd, Arena arena, Buffer buffer, MemorySegment pollFds) {
            this.tap = tap;
            this.fd = fd;
            this.wakeFd = wakeFd;
            this.buffer = buffer;
            this.pollFds = pollFds;
            this.one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            this.wakeState = LinuxTap.callState(arena);
            this.counter = arena.allocate(ValueLayout.JAVA_LONG);
            this.thread = Thread.ofPlatform().name("morgana-tap-" + tap).daemon(true)
                    .unstarted(carries ? this::carry : this::receiveAlone);
            this.receiver = carries
                    ? virtualThreads().name("morgana-tap-" + tap + "-receiver").unstarted(() -> runEvents(this::receive))
                    : thread;
        }

        @Override
        public Thread.Builder.OfVirtual virtualThreads() {
            return carries ? CustomCarriers.on(this) : Thread.ofVirtual();
        }

        /** Queues a stretch of one of the loop's virtual threads; after the loop ended, runs it on the common pool. */
        @Override
        public void execute(Runnable stretch) {
            queued.add(stretch);
            if (ended) {
                elsewhere();
            } else if (sleeping) {
                wake();
            }
        }

        private void elsewhere() {
            for (Runnable stretch; (stretch = queued.poll()) != null; ) {
                ForkJoinPool.commonPool().execute(stretch);
            }
        }

        void wake() {
            LinuxTap.write(wakeState, wakeFd, one, Long.BYTES); // cannot fail: the counter is far from full
        }

        /** The event loop: runs what is queued, sleeps when nothing is, until stopped and the receiver is done. */
        private void carry() {
            receiver.start();
            try {
                while (!(closing && receiverDone)) {
                    runQueued();
                    sleeping = true;
                    try {
                        if (queued.isEmpty()) {
                            boolean watch = awaitingFrames && !closing && failure == null;
                            boolean tapReady = await(watch);
                            if (tapReady || closing) {
                                awaitingFrames = false;
                                LockSupport.unpark(receiver);
                            }
                        }
                    } finally {
                        sleeping = false;
                    }
                }
            } catch (NetworkException | RuntimeException | Error e) {
                failed(e);
            } finally {
                ended = true;
                elsewhere();
            }
        }

        /** The receiver: reads frames until the TAP is empty, parks until the loop sees more, until stopped. */
        private void receive() {
            try {
                while (!closing && failure == null) {
                    if (receiveBatch()) {
                        awaitingFrames = true;
                        LockSupport.park(this);
                        awaitingFrames = false;
                    } else {
                        Thread.yield(); // the threads this batch woke run before the next batch
                    }
                }
            } catch (NetworkException | RuntimeException | Error e) {
                failed(e);
            } finally {
                receiverDone = true;
            }
        }

        /** Without carriers of ours: the platform thread reads and delivers frames, and sleeps in poll between. */
        private void receiveAlone() {
            try {
                while (!closing) {
                    if (receiveBatch()) {
                        await(true);
                    }
                }
            } catch (NetworkException | RuntimeException | Error e) {
                failed(e);
            }
        }

        private void failed(Throwable e) {
            if (!closing && failure == null) {
                failure = e;
                console.log("TAP " + tap + " stopped receiving: " + e);
            }
        }

        /**
         * Reads and delivers up to {@link #BATCH} frames.
         *
         * @return true when the TAP is empty
         */
        private boolean receiveBatch() throws NetworkException {
            MemorySegment frames = buffer.frame;
            long capacity = frames.byteSize();
            for (int received = 0; received < BATCH && !closing; ) {
                long length = LinuxTap.read(buffer.state, fd, frames, capacity);
                if (length >= 0) {
                    deliver(frames, length, capacity);
                    received++;
                    continue;
                }
                int errno = LinuxTap.errno(buffer.state);
                if (errno == LinuxTap.EAGAIN) {
                    return true;
                } else if (errno != LinuxTap.EINTR) {
                    throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                            "reading from TAP " + tap + " failed (" + LinuxTap.describe(errno) + ")");
                }
            }
            return false;
        }

        /** Runs up to {@link #BATCH} queued stretches. */
        private void runQueued() {
            Runnable stretch;
            for (int ran = 0; ran < BATCH && (stretch = queued.poll()) != null; ran++) {
                try {
                    stretch.run();
                } catch (RuntimeException | Error e) {
                    console.log("a virtual thread on TAP " + tap + "'s loop threw: " + e);
                }
            }
        }

        /**
         * Sleeps until the eventfd is written (a thread queued, or {@link #stop}) or, when {@code watchTap}, the
         * TAP has a frame.
         *
         * @return true when the TAP has a frame
         * @throws NetworkException when poll fails, or the TAP went away
         */
        private boolean await(boolean watchTap) throws NetworkException {
            MemorySegment state = buffer.state;
            pollFds.set(ValueLayout.JAVA_INT, 0, watchTap ? fd : -1); // poll skips a negative descriptor
            while (true) {
                pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                pollFds.set(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 6, (short) 0);
                if (LinuxTap.poll(state, pollFds, 2, -1) < 0) {
                    int errno = LinuxTap.errno(state);
                    if (errno == LinuxTap.EINTR) {
                        continue;
                    }
                    throw new NetworkException(NetworkException.Reason.DEVICE_FAILED,
                            "waiting for TAP " + tap + " failed (" + LinuxTap.describe(errno) + ")");
                }
                if (pollFds.get(ValueLayout.JAVA_SHORT, LinuxTap.POLLFD_SIZE + 6) != 0) {
                    LinuxTap.read(state, wakeFd, counter, Long.BYTES); // resets it (non-blocking: it may be 0 again)
                }
                short events = watchTap ? pollFds.get(ValueLayout.JAVA_SHORT, 6) : 0;
                if ((events & LinuxTap.POLLIN) == 0
                        && (events & (LinuxTap.POLLERR | LinuxTap.POLLHUP | LinuxTap.POLLNVAL)) != 0) {
                    throw new NetworkException(NetworkException.Reason.DEVICE_FAILED, "TAP " + tap
                            + " went away (poll events 0x" + Integer.toHexString(events & 0xFFFF) + ")");
                }
                return events != 0;
            }
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

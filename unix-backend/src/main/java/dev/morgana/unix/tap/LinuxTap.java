package dev.morgana.unix.tap;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The Linux calls a TAP device needs, bound through the FFM API with {@code errno} captured: {@code open},
 * {@code ioctl} ({@code TUNSETIFF}, {@code SIOCGIFMTU}, {@code SIOCSIFMTU}), {@code read}, {@code write},
 * {@code poll}, {@code eventfd}, {@code socket}, {@code close} and {@code strerror}. Every call returns the
 * C result; a negative result means the caller reads {@link #errno}. Restricted methods: the JVM needs
 * {@code --enable-native-access} for this module.
 */
final class LinuxTap {

    // <fcntl.h>, <sys/eventfd.h>, <sys/socket.h>: the generic values x86-64 and AArch64 share.
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    // <linux/if_tun.h>, <linux/sockios.h>, <net/if.h>.
    static final long TUNSETIFF = 0x400454caL;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    /** Every frame read or written starts with a {@code struct virtio_net_hdr} (<linux/virtio_net.h>). */
    static final short IFF_VNET_HDR = 0x4000;
    /** {@code IFNAMSIZ}: the name with its terminating NUL. */
    static final int IFNAMSIZ = 16;
    /** {@code sizeof(struct ifreq)} on 64-bit Linux: the name, then a 24-byte union. */
    static final long IFREQ_SIZE = 40;
    /** Offset of {@code ifr_flags} and {@code ifr_mtu} in the union. */
    static final long IFREQ_UNION = IFNAMSIZ;

    // <poll.h>: struct pollfd { int fd; short events; short revents; }.
    static final short POLLIN = 0x001;
    static final short POLLERR = 0x008;
    static final short POLLHUP = 0x010;
    static final short POLLNVAL = 0x020;
    static final long POLLFD_SIZE = 8;

    // <errno.h>.
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN;
    private static final MethodHandle IOCTL;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle POLL;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle SOCKET;
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;

    static {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            // The constants above are Linux's: binding them elsewhere would call the wrong requests.
            throw new UnsupportedOperationException("TAP devices exist on Linux only");
        }
        SymbolLookup libc = LINKER.defaultLookup();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
        AddressLayout p = ValueLayout.ADDRESS;
        // open and ioctl are variadic: their third argument is passed as C passes variadic arguments.
        OPEN = bind(libc, "open", FunctionDescriptor.of(i, p, i, i), CAPTURE, Linker.Option.firstVariadicArg(2));
        IOCTL = bind(libc, "ioctl", FunctionDescriptor.of(i, i, l, p), CAPTURE, Linker.Option.firstVariadicArg(2));
        READ = bind(libc, "read", FunctionDescriptor.of(l, i, p, l), CAPTURE);
        WRITE = bind(libc, "write", FunctionDescriptor.of(l, i, p, l), CAPTURE);
        POLL = bind(libc, "poll", FunctionDescriptor.of(i, p, l, i), CAPTURE);
        EVENTFD = bind(libc, "eventfd", FunctionDescriptor.of(i, i, i), CAPTURE);
        SOCKET = bind(libc, "socket", FunctionDescriptor.of(i, i, i, i), CAPTURE);
        CLOSE = bind(libc, "close", FunctionDescriptor.of(i, i), CAPTURE);
        STRERROR = bind(libc, "strerror", FunctionDescriptor.of(cString(), i));
    }

    private LinuxTap() {}

    /** A pointer to a C string of at most 256 bytes, such as {@code strerror}'s. */
    @SuppressWarnings("restricted")
    private static AddressLayout cString() {
        return ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE));
    }

    // Downcalls are restricted methods by design; this is the one place this package makes them, and the
    // module's documentation asks applications for --enable-native-access.
    @SuppressWarnings("restricted")
    private static MethodHandle bind(SymbolLookup libc, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        MemorySegment symbol = libc.find(name).orElseThrow(
                () -> new UnsupportedOperationException("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * Allocates the segment a call stores its {@code errno} in.
     *
     * @param arena where
     * @return a segment for {@link #errno}
     */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(STATE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable t) {
            throw impossible("open", t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, argument);
        } catch (Throwable t) {
            throw impossible("ioctl", t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, count);
        } catch (Throwable t) {
            throw impossible("read", t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, count);
        } catch (Throwable t) {
            throw impossible("write", t);
        }
    }

    static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw impossible("poll", t);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw impossible("eventfd", t);
        }
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw impossible("socket", t);
        }
    }

    /**
     * Closes a descriptor. Never retried on {@code EINTR}: Linux has released the descriptor by then, and a
     * second close could close another thread's new file.
     */
    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw impossible("close", t);
        }
    }

    /**
     * The C library's text for an error number, with the number: {@code "errno 2: No such file or directory"}.
     *
     * @param errno the error number
     * @return the text
     */
    static String describe(int errno) {
        String text;
        try {
            // glibc returns a string from its table for known numbers, which no other call overwrites.
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            text = message.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            text = "?";
        }
        return "errno " + errno + ": " + text;
    }

    private static IllegalStateException impossible(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(call + "(2) threw", t); // a downcall throws nothing checked
    }
}

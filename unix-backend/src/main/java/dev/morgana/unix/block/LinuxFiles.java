package dev.morgana.unix.block;

import java.io.IOException;
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
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The three Linux calls the JDK does not offer for files: {@code open(2)}, {@code close(2)} and
 * {@code fallocate(2)} with {@code FALLOC_FL_PUNCH_HOLE}, bound through the FFM API with {@code errno}
 * captured. Restricted methods: the JVM needs {@code --enable-native-access} for this module.
 */
final class LinuxFiles {

    // From <fcntl.h> and <linux/falloc.h>; the same on every Linux architecture the JDK runs on.
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    // From <errno.h>: the generic values, which x86-64 and AArch64 share.
    private static final int EINTR = 4;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    private LinuxFiles() {}

    /** The bound functions, or empty off Linux or where the C library lacks one of them. */
    private record Calls(MethodHandle open, MethodHandle close, MethodHandle fallocate, StructLayout state,
            VarHandle errno) {

        static final Optional<Calls> INSTANCE = bind();

        // Downcalls are restricted methods by design; this is the one place they are made, and the module's
        // documentation asks applications for --enable-native-access.
        @SuppressWarnings("restricted")
        private static Optional<Calls> bind() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                return Optional.empty(); // the flag values above are Linux's; elsewhere they would be wrong
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> open = libc.find("open");
            Optional<MemorySegment> close = libc.find("close");
            Optional<MemorySegment> fallocate = libc.find("fallocate");
            if (open.isEmpty() || close.isEmpty() || fallocate.isEmpty()) {
                return Optional.empty();
            }
            StructLayout state = Linker.Option.captureStateLayout();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            return Optional.of(new Calls(
                    // open is variadic: the mode is its first variadic argument, passed as C passes an int.
                    linker.downcallHandle(open.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno, Linker.Option.firstVariadicArg(2)),
                    linker.downcallHandle(close.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                            errno),
                    linker.downcallHandle(fallocate.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                            errno),
                    state,
                    state.varHandle(MemoryLayout.PathElement.groupElement("errno"))));
        }
    }

    /**
     * Whether the calls are bound: on Linux with a C library that has {@code fallocate}.
     *
     * @return {@code true} where {@link #open}, {@link #close} and {@link #punchHole} work
     */
    static boolean available() {
        return Calls.INSTANCE.isPresent();
    }

    /**
     * Opens a file that exists; never creates one.
     *
     * @param path the file
     * @param flags for example {@link #O_RDWR} with {@link #O_CLOEXEC}
     * @return the file descriptor
     * @throws IOException with the errno when {@code open} fails
     */
    static int open(Path path, int flags) throws IOException {
        Calls calls = calls();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(calls.state());
            MemorySegment name = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) calls.open().invokeExact(state, name, flags, 0);
                if (fd >= 0) {
                    return fd;
                }
                int errno = errno(calls, state);
                if (errno != EINTR) {
                    throw new IOException("open(" + path + ") failed with errno " + errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException("open(2) threw", impossible); // a downcall throws nothing checked
        }
    }

    /**
     * Closes a file descriptor. Not retried on {@code EINTR}: Linux has released the descriptor by then,
     * and a second close could close another thread's new file.
     *
     * @param fd the descriptor
     * @throws IOException with the errno when {@code close} reports an error
     */
    static void close(int fd) throws IOException {
        Calls calls = calls();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(calls.state());
            int result = (int) calls.close().invokeExact(state, fd);
            if (result != 0 && errno(calls, state) != EINTR) {
                throw new IOException("close(" + fd + ") failed with errno " + errno(calls, state));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException("close(2) threw", impossible);
        }
    }

    /**
     * Frees the file's blocks in a byte range, keeping its size: the range then reads as zeros.
     *
     * @param fd a descriptor open for writing
     * @param offset the first byte
     * @param length how many bytes, more than 0
     * @return {@code false} when the file system cannot punch holes ({@code EOPNOTSUPP}, or {@code ENOSYS}
     *     from a kernel without {@code fallocate}); nothing was changed then
     * @throws IOException with the errno for any other failure
     */
    static boolean punchHole(int fd, long offset, long length) throws IOException {
        Calls calls = calls();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(calls.state());
            while (true) {
                int result = (int) calls.fallocate().invokeExact(state, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        offset, length);
                if (result == 0) {
                    return true;
                }
                int errno = errno(calls, state);
                if (errno == EOPNOTSUPP || errno == ENOSYS) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new IOException("fallocate(PUNCH_HOLE, " + offset + ", " + length + ") failed with errno "
                            + errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException("fallocate(2) threw", impossible);
        }
    }

    private static Calls calls() {
        return Calls.INSTANCE.orElseThrow(() -> new UnsupportedOperationException(
                "open, close and fallocate are bound on Linux only"));
    }

    private static int errno(Calls calls, MemorySegment state) {
        return (int) calls.errno().get(state, 0L);
    }
}

package dev.morgana.runtime.jvm;

import dev.morgana.api.Console;
import dev.morgana.api.Service;
import jakarta.inject.Inject;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The console of a process: standard output, each line written whole.
 *
 * <p>Once started, lines gather in memory and a platform thread of the console's own writes them every
 * {@link #INTERVAL_NANOS} in one system call. So an application's thread never makes the write itself: on a
 * virtual thread that call would pin its carrier and make the JDK's scheduler start another to stand in, and on
 * an event loop it would hold up the loop (measured under wrk: a context switch and a write per request). At
 * most {@link #LIMIT} bytes wait: a caller that would pass it parks until they are written, so nothing is lost;
 * stopping writes what is left. Before it starts and after it stops, lines are written at once.
 */
final class StdoutConsole implements Console, Service {

    /** How often the writer writes what has gathered: 5 ms, below what a person reading a log notices. */
    static final long INTERVAL_NANOS = 5_000_000;
    /** Bytes that may wait: about 8,000 lines of ordinary length. */
    static final int LIMIT = 1 << 20;

    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    // Guarded by lock.
    private byte[] pending = new byte[8192];
    private int length;
    private Thread writer; // null unless started
    private boolean stopping;

    @Inject
    public StdoutConsole() {
        this(new FileOutputStream(FileDescriptor.out));
    }

    /** Writes to {@code out} instead of standard output (for tests). */
    StdoutConsole(OutputStream out) {
        this.out = out;
    }

    @Override
    public void log(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            if (writer == null) {
                write(bytes, bytes.length); // not started, or stopped: at once, on the caller's thread
                return;
            }
            while (length > 0 && length + bytes.length > LIMIT && writer != null) {
                drained.awaitUninterruptibly(); // the writer is behind: wait for it rather than lose lines
            }
            if (writer == null) {
                write(bytes, bytes.length);
                return;
            }
            if (length + bytes.length > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + bytes.length));
            }
            System.arraycopy(bytes, 0, pending, length, bytes.length);
            length += bytes.length;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        lock.lock();
        try {
            if (writer == null) {
                stopping = false;
                writer = Thread.ofPlatform().name("morgana-console").daemon().start(this::run);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes every line logged so far, then writes later lines at once. */
    @Override
    public void stop() throws InterruptedException {
        Thread stopped;
        lock.lock();
        try {
            stopped = writer;
            stopping = true;
        } finally {
            lock.unlock();
        }
        if (stopped != null) {
            LockSupport.unpark(stopped);
            stopped.join();
        }
    }

    /** The writer: every interval, what has gathered, in one write; at stop, the rest. */
    private void run() {
        byte[] spare = new byte[8192];
        while (true) {
            LockSupport.parkNanos(INTERVAL_NANOS);
            byte[] full;
            int n;
            lock.lock();
            try {
                if (stopping) {
                    // The rest, under the lock: a line logged after this one is written after it, at once.
                    write(pending, length);
                    length = 0;
                    writer = null;
                    drained.signalAll();
                    return;
                }
                full = pending;
                n = length;
                pending = spare.length >= full.length ? spare : new byte[full.length];
                length = 0;
            } finally {
                lock.unlock();
            }
            if (n == 0) {
                spare = full;
                continue;
            }
            write(full, n); // outside the lock: loggers go on gathering the next batch meanwhile
            spare = full;
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void write(byte[] bytes, int n) {
        if (n == 0) {
            return;
        }
        try {
            out.write(bytes, 0, n);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write to standard output", e);
        }
    }
}

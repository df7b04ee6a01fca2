package dev.morgana.testing.net;

import dev.morgana.api.Clock;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link Network} decorator that records every frame it passes, both ways, in a classic pcap file that
 * Wireshark and {@code tshark -r} read: the link type is {@code LINKTYPE_ETHERNET} (1), timestamps have
 * microseconds and come from the wall time of the {@link Clock} given (a
 * {@link dev.morgana.testing.VirtualClock} in simulations, so captures are reproducible), and every frame is
 * kept whole (up to the snapshot length, 256 KiB).
 *
 * <pre>{@code
 * try (PcapRecordingNetwork capture = PcapRecordingNetwork.toFile(lan.port(0), clock, Path.of("node0.pcap"))) {
 *     stack.start(capture);
 *     ...
 * }   // tshark -r node0.pcap
 * }</pre>
 *
 * <p>Frames the stack writes are recorded as the inner device's fill returns (the bytes the inner device
 * sends, without a copy of their own), frames it receives before its handler sees them. The file is written
 * through a buffer: {@link #flush()} or {@link #close()} makes it complete. An error writing the file does
 * not disturb the traffic: recording stops and {@link #flush()} or {@link #close()} throws it.
 * Thread-safe; records are written in the order frames pass.
 *
 * <p>The format (libpcap's, little-endian): a 24-byte global header — magic {@code a1b2c3d4}, version 2.4,
 * zone 0, accuracy 0, snapshot length 262144, link type 1 — then per frame a 16-byte record header (seconds,
 * microseconds, captured length, original length) and the frame.
 */
public final class PcapRecordingNetwork implements Network, AutoCloseable {

    /** The classic pcap magic number, microsecond timestamps. */
    static final int MAGIC = 0xA1B2_C3D4;
    /** The snapshot length written in the header: larger than any frame recorded. */
    static final int SNAPLEN = 262_144;
    /** {@code LINKTYPE_ETHERNET}. */
    static final int LINKTYPE_ETHERNET = 1;

    private final Network inner;
    private final Clock clock;
    private final OutputStream out;
    private final byte[] recordHeader = new byte[16];
    private IOException failure;
    private boolean closed;
    private long recorded;

    /**
     * Records the frames of {@code inner} to {@code out}, writing the pcap header now.
     *
     * @param inner the device whose frames are recorded
     * @param clock whose wall time stamps each frame
     * @param out where the file goes; closed by {@link #close()}
     * @throws IOException when the header cannot be written
     */
    public PcapRecordingNetwork(Network inner, Clock clock, OutputStream out) throws IOException {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), 1 << 16);
        byte[] header = new byte[24];
        putInt(header, 0, MAGIC);
        putShort(header, 4, 2);
        putShort(header, 6, 4);
        putInt(header, 8, 0);
        putInt(header, 12, 0);
        putInt(header, 16, SNAPLEN);
        putInt(header, 20, LINKTYPE_ETHERNET);
        this.out.write(header);
    }

    /**
     * Records the frames of {@code inner} to a new file (an existing one is replaced).
     *
     * @param inner the device whose frames are recorded
     * @param clock whose wall time stamps each frame
     * @param file the pcap file
     * @return the recording device
     * @throws IOException when the file cannot be created
     */
    public static PcapRecordingNetwork toFile(Network inner, Clock clock, Path file) throws IOException {
        OutputStream stream = Files.newOutputStream(file);
        try {
            return new PcapRecordingNetwork(inner, clock, stream);
        } catch (IOException | RuntimeException failed) {
            stream.close();
            throw failed;
        }
    }

    @Override
    public MacAddress mac() {
        return inner.mac();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public void write(int size, Fill fill) throws NetworkException {
        Objects.requireNonNull(fill, "fill");
        inner.write(size, buffer -> {
            int length = fill.into(buffer);
            if (length >= 0 && length <= buffer.byteSize()) {
                record(buffer.asSlice(0, length));
            }
            return length;
        });
    }

    @Override
    public void listen(FrameHandler handler) {
        Objects.requireNonNull(handler, "handler");
        inner.listen(frame -> {
            record(frame);
            handler.frame(frame);
        });
    }

    @Override
    public Counters counters() {
        return inner.counters();
    }

    /**
     * Counts the frames recorded so far.
     *
     * @return frames written to the file (or its buffer)
     */
    public synchronized long recorded() {
        return recorded;
    }

    private synchronized void record(MemorySegment frame) {
        if (closed || failure != null) {
            return;
        }
        Instant now = clock.instant();
        int length = Math.toIntExact(frame.byteSize());
        int captured = Math.min(length, SNAPLEN);
        putInt(recordHeader, 0, (int) now.getEpochSecond());
        putInt(recordHeader, 4, now.getNano() / 1000);
        putInt(recordHeader, 8, captured);
        putInt(recordHeader, 12, length);
        try {
            out.write(recordHeader);
            out.write(frame.asSlice(0, captured).toArray(ValueLayout.JAVA_BYTE));
            recorded++;
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Writes what is buffered to the file.
     *
     * @throws IOException when writing failed, now or at an earlier frame
     */
    public synchronized void flush() throws IOException {
        rethrow();
        if (!closed) {
            out.flush();
        }
    }

    /**
     * Stops recording and closes the file; frames keep passing, unrecorded. Idempotent.
     *
     * @throws IOException when writing failed, now or at an earlier frame
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            rethrow();
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        if (failure != null) {
            throw new IOException("recording the pcap file failed", failure);
        }
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
        bytes[at + 2] = (byte) (value >>> 16);
        bytes[at + 3] = (byte) (value >>> 24);
    }

    private static void putShort(byte[] bytes, int at, int value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
    }
}

package dev.morgana.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the frames of a classic pcap file of Ethernet frames — a capture from {@code tcpdump -w}, or one that
 * {@link PcapRecordingNetwork} wrote — so that tests can take a real peer's bytes as their golden bytes.
 */
public final class Pcap {

    private static final int MAGIC_MICROS = 0xA1B2C3D4;
    private static final int MAGIC_NANOS = 0xA1B23C4D;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private Pcap() {}

    /**
     * The frames of a pcap file, in order, each as captured.
     *
     * @param file the whole file: either byte order, microsecond or nanosecond timestamps
     * @return the frames
     * @throws IllegalArgumentException when it is not a pcap of Ethernet frames ({@code LINKTYPE_ETHERNET}),
     *     or a record runs past the end
     */
    public static List<byte[]> frames(byte[] file) {
        ByteBuffer bytes = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < FILE_HEADER) {
            throw new IllegalArgumentException("not a pcap file: " + file.length + " bytes");
        }
        int magic = bytes.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            bytes.order(ByteOrder.BIG_ENDIAN);
            magic = bytes.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IllegalArgumentException("not a pcap file: magic " + Integer.toHexString(bytes.getInt(0)));
            }
        }
        if (bytes.getInt(20) != PcapRecordingNetwork.LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("not a capture of Ethernet frames: link type " + bytes.getInt(20));
        }
        List<byte[]> frames = new ArrayList<>();
        int at = FILE_HEADER;
        while (at < file.length) {
            if (at + RECORD_HEADER > file.length) {
                throw new IllegalArgumentException("a record header runs past the end at byte " + at);
            }
            int captured = bytes.getInt(at + 8);
            if (captured < 0 || at + RECORD_HEADER + (long) captured > file.length) {
                throw new IllegalArgumentException("a record of " + captured + " bytes runs past the end at byte " + at);
            }
            frames.add(Arrays.copyOfRange(file, at + RECORD_HEADER, at + RECORD_HEADER + captured));
            at += RECORD_HEADER + captured;
        }
        return frames;
    }

    /**
     * The frames of a pcap file kept as a resource beside {@code anchor} (a test's golden capture).
     *
     * @param anchor the class whose package holds the resource
     * @param resource its name, relative to that package
     * @return the frames
     * @throws IllegalStateException when there is no such resource
     */
    public static List<byte[]> frames(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource + " beside " + anchor.getName());
            }
            return frames(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

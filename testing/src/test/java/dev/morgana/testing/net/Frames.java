package dev.morgana.testing.net;

import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.Network;
import dev.morgana.api.net.NetworkException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Frames for the simulated network's tests, and a handler that keeps copies of what it receives. */
final class Frames {

    private Frames() {}

    /** An Ethernet II frame. */
    static byte[] ethernet(MacAddress destination, MacAddress source, int etherType, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.put(destination.toBytes()).put(source.toBytes()).putShort((short) etherType).put(payload);
        return frame.array();
    }

    /** A frame of the local experimental EtherType whose payload starts with {@code sequence}, padded to 60 bytes. */
    static byte[] numbered(MacAddress destination, MacAddress source, int sequence) {
        byte[] payload = new byte[46];
        ByteBuffer.wrap(payload).putInt(sequence);
        return ethernet(destination, source, 0x88B5, payload);
    }

    /** The sequence number of a {@link #numbered} frame. */
    static int sequence(byte[] frame) {
        return ByteBuffer.wrap(frame, 14, 4).getInt();
    }

    /** Writes {@code frame} on {@code network}, asking for exactly its size. */
    static void send(Network network, byte[] frame) {
        try {
            network.write(frame.length, buffer -> {
                MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
                return frame.length;
            });
        } catch (NetworkException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Listens on {@code network} and keeps a copy of every frame. */
    static List<byte[]> received(Network network) {
        List<byte[]> frames = new ArrayList<>();
        network.listen(frame -> frames.add(frame.toArray(ValueLayout.JAVA_BYTE)));
        return frames;
    }
}

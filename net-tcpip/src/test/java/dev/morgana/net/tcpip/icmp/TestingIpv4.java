package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Ipv4Prefix;
import dev.morgana.api.net.NetworkException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Ipv4} for testing the layers above it until the real one is merged: it records what is written
 * (destination, protocol, the bytes the fill wrote) and delivers datagrams the test injects to the handler
 * registered for their protocol, as native read-only segments valid during the call only, as a device's
 * would be. It checks the {@link Fill} contract on every write. Single-threaded.
 */
public final class TestingIpv4 implements Ipv4 {

    /** One datagram written. */
    public record Written(Ipv4Address destination, int protocol, byte[] payload) {}

    private final Ipv4Address address;
    private final Ipv4Prefix network;
    private final DatagramHandler[] handlers = new DatagramHandler[256];
    private final List<Written> written = new ArrayList<>();
    private NetworkException failure;

    /**
     * A host at {@code address} on {@code network}, with the MTU of Ethernet.
     *
     * @param address our address
     * @param network the on-link prefix
     */
    public TestingIpv4(Ipv4Address address, Ipv4Prefix network) {
        this.address = address;
        this.network = network;
    }

    @Override
    public Ipv4Address address() {
        return address;
    }

    @Override
    public Ipv4Prefix network() {
        return network;
    }

    @Override
    public int mtu() {
        return 1480;
    }

    @Override
    public void write(Ipv4Address destination, int protocol, int size, Fill fill) throws NetworkException {
        if (size < 0 || size > 65_515) {
            throw new AssertionError("a payload of " + size + " bytes asked for");
        }
        if (failure != null) {
            throw failure;
        }
        MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
        int length = fill.into(buffer);
        if (length < 0 || length > size) {
            throw new AssertionError("the fill wrote " + length + " of " + size + " bytes");
        }
        written.add(new Written(destination, protocol, buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE)));
    }

    @Override
    public void register(int protocol, DatagramHandler handler) {
        handlers[protocol] = handler;
    }

    /**
     * Delivers a datagram to the handler of its protocol.
     *
     * @param protocol the protocol
     * @param source the sender
     * @param destination the destination
     * @param payload the IPv4 payload; copied into a native segment that is freed after the call
     */
    public void deliver(int protocol, Ipv4Address source, Ipv4Address destination, byte[] payload) {
        DatagramHandler handler = handlers[protocol];
        if (handler == null) {
            throw new AssertionError("nothing registered for protocol " + protocol);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(Math.max(1, payload.length)).asSlice(0, payload.length);
            MemorySegment.copy(payload, 0, segment, ValueLayout.JAVA_BYTE, 0, payload.length);
            handler.datagram(source, destination, segment.asReadOnly());
        }
    }

    /**
     * Returns and forgets what was written so far.
     *
     * @return the datagrams, oldest first
     */
    public List<Written> takeWritten() {
        List<Written> taken = List.copyOf(written);
        written.clear();
        return taken;
    }

    /**
     * Makes every later write fail, or succeed again.
     *
     * @param failure what to throw, or null
     */
    public void failWith(NetworkException failure) {
        this.failure = failure;
    }
}

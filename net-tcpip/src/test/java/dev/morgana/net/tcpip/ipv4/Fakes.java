package dev.morgana.net.tcpip.ipv4;

import dev.morgana.api.net.Arp;
import dev.morgana.api.net.Ethernet;
import dev.morgana.api.net.Fill;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.NetworkException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Doubles for the layers below IPv4, for tests that look at one packet at a time. */
final class Fakes {

    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");

    private Fakes() {}

    /** One frame written: to whom, and the IPv4 packet. */
    record Written(MacAddress destination, int etherType, byte[] packet) {}

    /** A datagram handed to {@link RecordingEthernet#writeTcpSegments}. */
    record Offloaded(MacAddress destination, int segmentSize, byte[] packet) {}

    /** An Ethernet that keeps what is written and hands the test the registered handler. */
    static final class RecordingEthernet implements Ethernet {
        final List<Written> written = new ArrayList<>();
        final Map<Integer, PayloadHandler> handlers = new HashMap<>();
        int mtu = 1500;

        @Override
        public MacAddress mac() {
            return OUR_MAC;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public void write(MacAddress destination, int etherType, int size, Fill fill) {
            if (size > mtu) {
                throw new IllegalArgumentException(size + " exceeds the MTU " + mtu);
            }
            MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
            int length = fill.into(buffer);
            written.add(new Written(destination, etherType, buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE)));
        }

        /** What {@link #tcpSegmentationLimit} says: 0 (no offload) unless a test sets it. */
        int segmentationLimit;
        final List<Offloaded> offloaded = new ArrayList<>();

        @Override
        public int tcpSegmentationLimit() {
            return segmentationLimit;
        }

        @Override
        public void writeTcpSegments(MacAddress destination, int size, int segmentSize, Fill fill) {
            if (size > segmentationLimit) {
                throw new IllegalArgumentException(size + " exceeds the segmentation limit " + segmentationLimit);
            }
            MemorySegment buffer = MemorySegment.ofArray(new byte[size]);
            int length = fill.into(buffer);
            offloaded.add(new Offloaded(destination, segmentSize, buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE)));
        }

        @Override
        public void register(int etherType, PayloadHandler handler) {
            handlers.put(etherType, handler);
        }

        /** Delivers {@code packet} as if it arrived in a frame to {@code destination}. */
        void receive(MacAddress source, MacAddress destination, byte[] packet) {
            handlers.get(Ethernet.IPV4).payload(source, destination, MemorySegment.ofArray(packet).asReadOnly());
        }
    }

    /** An ARP whose cache the test fills, and whose resolutions of unknown addresses wait for the test. */
    static final class ScriptedArp implements Arp {
        final Map<Ipv4Address, MacAddress> known = new HashMap<>();
        final Map<Ipv4Address, List<Resolution>> asked = new HashMap<>();
        final Set<Ipv4Address> own = new LinkedHashSet<>();
        final List<String> log = new ArrayList<>();
        boolean refuse;

        @Override
        public Optional<MacAddress> lookup(Ipv4Address address) {
            return Optional.ofNullable(known.get(address));
        }

        @Override
        public void resolve(Ipv4Address address, Resolution resolution) {
            if (refuse) {
                resolution.failed(new NetworkException(NetworkException.Reason.UNREACHABLE, "ARP queue full"));
            } else if (known.containsKey(address)) {
                resolution.resolved(known.get(address));
            } else {
                asked.computeIfAbsent(address, a -> new ArrayList<>()).add(resolution);
            }
        }

        /** Answers every resolution of {@code address}. */
        void answer(Ipv4Address address, MacAddress mac) {
            known.put(address, mac);
            for (Resolution resolution : asked.remove(address)) {
                resolution.resolved(mac);
            }
        }

        /** Fails every resolution of {@code address}. */
        void timeOut(Ipv4Address address) {
            for (Resolution resolution : asked.remove(address)) {
                resolution.failed(new NetworkException(NetworkException.Reason.TIMED_OUT, "no answer"));
            }
        }

        @Override
        public Set<Ipv4Address> addresses() {
            return Set.copyOf(own);
        }

        @Override
        public void addAddress(Ipv4Address address) {
            own.add(address);
            log.add("add " + address);
        }

        @Override
        public void removeAddress(Ipv4Address address) {
            own.remove(address);
            log.add("remove " + address);
        }

        @Override
        public void announce(Ipv4Address address) {
            log.add("announce " + address);
        }
    }
}

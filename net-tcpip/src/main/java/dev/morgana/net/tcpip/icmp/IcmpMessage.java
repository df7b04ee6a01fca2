package dev.morgana.net.tcpip.icmp;

import dev.morgana.api.net.Icmp;
import dev.morgana.api.net.MalformedPacketException;
import dev.morgana.net.tcpip.internal.InternetChecksum;
import java.lang.foreign.MemorySegment;

/**
 * The validated header of an ICMPv4 message (RFC 792): an {@link Echo} request or reply, an
 * {@link Error} about a datagram, or {@link Other} (types and codes this host does not act on, kept whole
 * so that every message that parses emits back to the same bytes).
 *
 * <p>What follows the header (an echo's data, an error's quote) is not part of the record: it stays in the
 * received segment ({@link IcmpPacket#data}) and is written in place before {@link #emit}. The checksum is
 * derived, never stored.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on a message shorter than
 * its header, with a wrong checksum, or an error whose quote is not an IPv4 header and 8 more bytes
 * (RFC 1122 §3.2.2).
 */
public sealed interface IcmpMessage {

    /**
     * Returns the type on the wire.
     *
     * @return 0–255
     */
    int type();

    /**
     * Returns the code on the wire.
     *
     * @return 0–255
     */
    int code();

    /**
     * Returns the second word of the header on the wire.
     *
     * @return the 32 bits
     */
    int rest();

    /**
     * An echo request or reply: code 0, the identifier and sequence number in the second word.
     */
    sealed interface Echo extends IcmpMessage {

        /**
         * Returns the identifier.
         *
         * @return 0–0xFFFF, chosen by the requester to match replies
         */
        int identifier();

        /**
         * Returns the sequence number.
         *
         * @return 0–0xFFFF
         */
        int sequence();

        @Override
        default int code() {
            return 0;
        }

        @Override
        default int rest() {
            return identifier() << 16 | sequence();
        }
    }

    /**
     * An echo request (type 8, code 0).
     *
     * @param identifier 0–0xFFFF, chosen by the sender to match replies
     * @param sequence 0–0xFFFF
     */
    record EchoRequest(int identifier, int sequence) implements Echo {

        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException when one is not 16 bits
         */
        public EchoRequest {
            require16(identifier, "identifier");
            require16(sequence, "sequence");
        }

        @Override
        public int type() {
            return IcmpPacket.ECHO_REQUEST;
        }

        /**
         * The reply to this request (RFC 792: identifier and sequence number returned unchanged).
         *
         * @return the reply's header
         */
        public EchoReply reply() {
            return new EchoReply(identifier, sequence);
        }
    }

    /**
     * An echo reply (type 0, code 0).
     *
     * @param identifier 0–0xFFFF, the request's
     * @param sequence 0–0xFFFF, the request's
     */
    record EchoReply(int identifier, int sequence) implements Echo {

        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException when one is not 16 bits
         */
        public EchoReply {
            require16(identifier, "identifier");
            require16(sequence, "sequence");
        }

        @Override
        public int type() {
            return IcmpPacket.ECHO_REPLY;
        }
    }

    /**
     * An error about a datagram, which the message's data quotes: destination unreachable (3), time
     * exceeded (11) or parameter problem (12), the errors RFC 1122 §3.2.2 says to pass to the transport.
     *
     * @param type 3, 11 or 12
     * @param code 0–255
     * @param rest the second word: unused (zero from correct senders), the next-hop MTU in the low 16 bits of
     *     a "fragmentation needed" (RFC 1191), the pointer in the high 8 bits of a parameter problem
     */
    record Error(int type, int code, int rest) implements IcmpMessage {

        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException when the type is not 3, 11 or 12, or the code not 8 bits
         */
        public Error {
            if (!isHandledError(type)) {
                throw new IllegalArgumentException("an error this host handles is type 3, 11 or 12, got " + type);
            }
            require8(code, "code");
        }

        /**
         * A destination unreachable.
         *
         * @param code why
         * @param nextHopMtu for {@link Icmp.Unreachable#FRAGMENTATION_NEEDED}, the MTU of the
         *     next hop (RFC 1191); otherwise 0
         * @return the header
         */
        public static Error unreachable(Icmp.Unreachable code, int nextHopMtu) {
            require16(nextHopMtu, "nextHopMtu");
            return new Error(IcmpPacket.UNREACHABLE, code.code(), nextHopMtu);
        }
    }

    /**
     * A message this host does not act on (RFC 1122 §3.2.2: unknown types are silently discarded): echoes
     * with a code other than 0, source quench (RFC 6633), redirects (a host with one gateway has nothing to
     * redirect), timestamps, and every other type.
     *
     * @param type 0–255
     * @param code 0–255
     * @param rest the second word as received
     */
    record Other(int type, int code, int rest) implements IcmpMessage {

        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException when they are not 8 bits, or are those of another record
         */
        public Other {
            require8(type, "type");
            require8(code, "code");
            if (isHandledError(type) || (type == IcmpPacket.ECHO_REQUEST || type == IcmpPacket.ECHO_REPLY) && code == 0) {
                throw new IllegalArgumentException("type " + type + " code " + code + " is not an other message");
            }
        }
    }

    /**
     * Parses and validates the message at the start of {@code packet}.
     *
     * @param packet the whole IPv4 payload, which the checksum covers
     * @return the header
     * @throws MalformedPacketException when the bytes are not a valid ICMP message
     */
    static IcmpMessage parse(MemorySegment packet) {
        validate(packet);
        int type = IcmpPacket.type(packet);
        int code = IcmpPacket.code(packet);
        int rest = IcmpPacket.rest(packet);
        if (code == 0 && type == IcmpPacket.ECHO_REQUEST) {
            return new EchoRequest(rest >>> 16, rest & 0xFFFF);
        }
        if (code == 0 && type == IcmpPacket.ECHO_REPLY) {
            return new EchoReply(rest >>> 16, rest & 0xFFFF);
        }
        return isHandledError(type) ? new Error(type, code, rest) : new Other(type, code, rest);
    }

    /** Checks what {@link #parse} checks: length, checksum, and for an error its quote. */
    private static void validate(MemorySegment packet) {
        IcmpPacket.check(packet);
        if (InternetChecksum.of(packet, 0, packet.byteSize(), 0) != 0) {
            throw new MalformedPacketException("wrong ICMP checksum 0x" + Integer.toHexString(IcmpPacket.checksum(packet)));
        }
        if (isHandledError(IcmpPacket.type(packet))) {
            QuotedIpv4Packet.check(IcmpPacket.data(packet), 8);
        }
    }

    /**
     * Writes the header and the checksum over it and the data already in place after it.
     *
     * @param packet the whole message, exactly as long as it is to be sent, its data written from byte 8 on
     * @return the message's length
     * @throws IndexOutOfBoundsException when {@code packet} is shorter than the header
     */
    default int emit(MemorySegment packet) {
        if (packet.byteSize() < IcmpPacket.HEADER) {
            throw new IndexOutOfBoundsException("an ICMP header needs 8 bytes, got " + packet.byteSize());
        }
        IcmpPacket.put(packet, type(), code(), rest());
        IcmpPacket.putChecksum(packet, InternetChecksum.of(packet, 0, packet.byteSize(), 0));
        return Math.toIntExact(packet.byteSize());
    }

    private static boolean isHandledError(int type) {
        return type == IcmpPacket.UNREACHABLE || type == IcmpPacket.TIME_EXCEEDED || type == IcmpPacket.PARAMETER_PROBLEM;
    }

    private static void require8(int value, String name) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(name + " has 8 bits, got " + value);
        }
    }

    private static void require16(int value, String name) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " has 16 bits, got " + value);
        }
    }
}

package dev.morgana.net.tcpip.dhcp;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import dev.morgana.api.net.MalformedPacketException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated DHCP message (RFC 2131 §2 and §4.1, options of RFC 2132) for Ethernet: the header fields a
 * client acts on, the message type, and the other options in the order received or to be sent.
 *
 * <p>{@link #parse} throws {@link MalformedPacketException}, and nothing else, on anything that is not a
 * well-formed DHCP message for a 6-byte Ethernet address: a wrong {@code op}, {@code htype} or {@code hlen},
 * no magic cookie, an option running past its field, options without an end option, no message type or a
 * value of the wrong length for its code. It follows RFC 2131 §4.1's order when option overload (52) says
 * that {@code file} and {@code sname} hold options too (the options field, then {@code file}, then
 * {@code sname}), and joins the parts of an option that appears more than once (RFC 3396). What is dropped
 * on parsing is what no client uses: {@code hops}, {@code sname} and {@code file} when they hold no options,
 * pad options, and the bytes after the end option. So {@code parse(emit(m))} is {@code m}, and the messages
 * captured from dhclient and dnsmasq emit back byte for byte (both put the message type first and pad to 300
 * bytes, as {@link #emit} does).
 *
 * @param op {@link DhcpPacket#BOOTREQUEST} from a client, {@link DhcpPacket#BOOTREPLY} from a server
 * @param type the message type (option 53)
 * @param xid the transaction identifier
 * @param secs seconds since the client began, 0–65535
 * @param flags 0–0xFFFF; {@link DhcpPacket#FLAG_BROADCAST} asks the server to broadcast its reply
 * @param clientAddress {@code ciaddr}
 * @param yourAddress {@code yiaddr}
 * @param serverAddress {@code siaddr}
 * @param relayAddress {@code giaddr}
 * @param clientMac {@code chaddr}
 * @param options the other options, at most one per code, 52 and 53 excluded
 */
public record DhcpMessage(int op, Type type, int xid, int secs, int flags, Ipv4Address clientAddress,
        Ipv4Address yourAddress, Ipv4Address serverAddress, Ipv4Address relayAddress, MacAddress clientMac,
        List<DhcpOption> options) {

    /** The message types of option 53 (RFC 2132 §9.6). */
    public enum Type {
        /** A client looks for servers. */
        DISCOVER,
        /** A server offers an address. */
        OFFER,
        /** A client asks for the offered address, confirms or extends a lease. */
        REQUEST,
        /** A client found the address in use. */
        DECLINE,
        /** A server grants the lease. */
        ACK,
        /** A server refuses: the client's idea of its address is wrong or its lease has expired. */
        NAK,
        /** A client gives its lease up. */
        RELEASE,
        /** A client with an address asks for configuration only. */
        INFORM;

        /**
         * Returns the value on the wire.
         *
         * @return 1–8
         */
        public int code() {
            return ordinal() + 1;
        }

        static Type of(int code) {
            if (code < 1 || code > 8) {
                throw new MalformedPacketException("DHCP message type " + code + " is not within 1–8");
            }
            return values()[code - 1];
        }
    }

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when {@code op}, {@code secs} or {@code flags} are out of range, or an
     *     option code appears twice or is 52 or 53
     */
    public DhcpMessage {
        if (op != DhcpPacket.BOOTREQUEST && op != DhcpPacket.BOOTREPLY) {
            throw new IllegalArgumentException("op " + op + " is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
        }
        if (secs < 0 || secs > 0xFFFF || flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("secs " + secs + " or flags " + flags + " is not 16 bits");
        }
        options = List.copyOf(options);
        Set<Integer> codes = new HashSet<>();
        for (DhcpOption option : options) {
            if (!codes.add(option.code())) {
                throw new IllegalArgumentException("option " + option.code() + " appears twice");
            }
        }
    }

    /**
     * Returns the option of a kind.
     *
     * @param <T> the option's record
     * @param kind the option's record class
     * @return the option, if present
     */
    public <T extends DhcpOption> Optional<T> option(Class<T> kind) {
        for (DhcpOption option : options) {
            if (kind.isInstance(option)) {
                return Optional.of(kind.cast(option));
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the server identifier (option 54).
     *
     * @return the server's address, if present
     */
    public Optional<Ipv4Address> serverIdentifier() {
        return option(DhcpOption.ServerIdentifier.class).map(DhcpOption.ServerIdentifier::address);
    }

    /**
     * Tells whether the broadcast flag is set.
     *
     * @return whether the client asks for broadcast replies
     */
    public boolean broadcast() {
        return (flags & DhcpPacket.FLAG_BROADCAST) != 0;
    }

    /**
     * Parses and validates a DHCP message.
     *
     * @param packet the UDP payload
     * @return the message
     * @throws MalformedPacketException when the bytes are not a well-formed DHCP message for Ethernet
     */
    public static DhcpMessage parse(MemorySegment packet) {
        DhcpPacket.check(packet);
        int op = DhcpPacket.op(packet);
        if (op != DhcpPacket.BOOTREQUEST && op != DhcpPacket.BOOTREPLY) {
            throw new MalformedPacketException("BOOTP op " + op + " is neither a request (1) nor a reply (2)");
        }
        if (DhcpPacket.hardwareType(packet) != DhcpPacket.HTYPE_ETHERNET || DhcpPacket.hardwareLength(packet) != 6) {
            throw new MalformedPacketException("DHCP for hardware type " + DhcpPacket.hardwareType(packet) + " with "
                    + DhcpPacket.hardwareLength(packet) + "-byte addresses, not Ethernet");
        }
        if (DhcpPacket.cookie(packet) != DhcpPacket.MAGIC_COOKIE) {
            throw new MalformedPacketException("no DHCP magic cookie: 0x" + Integer.toHexString(DhcpPacket.cookie(packet)));
        }
        // The parts of each option in the order of first appearance, joined (RFC 3396 §5).
        Map<Integer, ByteArrayOutputStream> values = new LinkedHashMap<>();
        walk(packet, DhcpPacket.OPTIONS, packet.byteSize(), values, "options");
        ByteArrayOutputStream overload = values.remove(DhcpOption.OVERLOAD);
        if (overload != null) {
            byte[] value = overload.toByteArray();
            if (value.length != 1 || value[0] < 1 || value[0] > 3) {
                throw new MalformedPacketException("option overload (52) is one byte 1–3, got " + value.length
                        + " bytes");
            }
            // RFC 2131 §4.1: the options field, then 'file', then 'sname'.
            if ((value[0] & 1) != 0) {
                walk(packet, DhcpPacket.FILE, DhcpPacket.FILE + DhcpPacket.FILE_LENGTH, values, "file");
            }
            if ((value[0] & 2) != 0) {
                walk(packet, DhcpPacket.SNAME, DhcpPacket.SNAME + DhcpPacket.SNAME_LENGTH, values, "sname");
            }
            if (values.containsKey(DhcpOption.OVERLOAD)) {
                throw new MalformedPacketException("option overload (52) inside an overloaded field");
            }
        }
        ByteArrayOutputStream typeBytes = values.remove(DhcpOption.MESSAGE_TYPE);
        if (typeBytes == null) {
            throw new MalformedPacketException("no DHCP message type (option 53): BOOTP, not DHCP");
        }
        if (typeBytes.size() != 1) {
            throw new MalformedPacketException("DHCP message type (option 53) has 1 byte, got " + typeBytes.size());
        }
        Type type = Type.of(typeBytes.toByteArray()[0] & 0xFF);
        List<DhcpOption> options = new ArrayList<>(values.size());
        for (Map.Entry<Integer, ByteArrayOutputStream> entry : values.entrySet()) {
            options.add(DhcpOption.decode(entry.getKey(), entry.getValue().toByteArray()));
        }
        return new DhcpMessage(op, type, DhcpPacket.xid(packet), DhcpPacket.secs(packet), DhcpPacket.flags(packet),
                new Ipv4Address(DhcpPacket.clientAddress(packet)), new Ipv4Address(DhcpPacket.yourAddress(packet)),
                new Ipv4Address(DhcpPacket.serverAddress(packet)), new Ipv4Address(DhcpPacket.relayAddress(packet)),
                new MacAddress(DhcpPacket.clientMac(packet)), options);
    }

    /** Reads options from {@code from} to {@code to}: pads skipped, up to the end option, which must be there. */
    private static void walk(MemorySegment packet, long from, long to, Map<Integer, ByteArrayOutputStream> values,
            String field) {
        long at = from;
        while (at < to) {
            int code = Wire.u8(packet, at);
            if (code == 0) {
                at++;
                continue;
            }
            if (code == 255) {
                return;
            }
            if (at + 2 > to || at + 2 + Wire.u8(packet, at + 1) > to) {
                throw new MalformedPacketException("DHCP option " + code + " at " + at + " runs past the end of "
                        + field);
            }
            int length = Wire.u8(packet, at + 1);
            ByteArrayOutputStream value = values.computeIfAbsent(code, c -> new ByteArrayOutputStream(length));
            value.write(packet.asSlice(at + 2, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, length);
            at += 2 + length;
        }
        throw new MalformedPacketException("DHCP " + field + " without an end option (RFC 2131 §4.1)");
    }

    /**
     * Returns the bytes {@link #emit} writes.
     *
     * @return at least {@link DhcpPacket#MIN_LENGTH}
     */
    public int length() {
        int length = DhcpPacket.HEADER_LENGTH + 3 + 1; // message type and end
        for (DhcpOption option : options) {
            int parts = Math.max(1, (option.length() + 254) / 255);
            length += 2 * parts + option.length();
        }
        return Math.max(length, DhcpPacket.MIN_LENGTH);
    }

    /**
     * Writes the message: the header, {@code sname} and {@code file} zero, the cookie, the message type, the
     * options in order (a value over 255 bytes split as RFC 3396 says), the end option, then zeros up to
     * {@link DhcpPacket#MIN_LENGTH}.
     *
     * @param packet at least {@link #length()} writable bytes
     * @return the bytes written, {@link #length()}
     * @throws IndexOutOfBoundsException when {@code packet} is too short
     */
    public int emit(MemorySegment packet) {
        int length = length();
        if (packet.byteSize() < length) {
            throw new IndexOutOfBoundsException("this DHCP message needs " + length + " bytes, got " + packet.byteSize());
        }
        packet.asSlice(0, length).fill((byte) 0);
        Wire.putU8(packet, DhcpPacket.OP, op);
        Wire.putU8(packet, DhcpPacket.HTYPE, DhcpPacket.HTYPE_ETHERNET);
        Wire.putU8(packet, DhcpPacket.HLEN, 6);
        Wire.putI32(packet, DhcpPacket.XID, xid);
        Wire.putU16(packet, DhcpPacket.SECS, secs);
        Wire.putU16(packet, DhcpPacket.FLAGS, flags);
        Wire.putI32(packet, DhcpPacket.CIADDR, clientAddress.bits());
        Wire.putI32(packet, DhcpPacket.YIADDR, yourAddress.bits());
        Wire.putI32(packet, DhcpPacket.SIADDR, serverAddress.bits());
        Wire.putI32(packet, DhcpPacket.GIADDR, relayAddress.bits());
        Wire.putMac(packet, DhcpPacket.CHADDR, clientMac.bits());
        Wire.putI32(packet, DhcpPacket.COOKIE, DhcpPacket.MAGIC_COOKIE);
        long at = DhcpPacket.OPTIONS;
        Wire.putU8(packet, at, DhcpOption.MESSAGE_TYPE);
        Wire.putU8(packet, at + 1, 1);
        Wire.putU8(packet, at + 2, type.code());
        at += 3;
        for (DhcpOption option : options) {
            int total = option.length();
            if (total <= 255) {
                Wire.putU8(packet, at, option.code());
                Wire.putU8(packet, at + 1, total);
                option.write(packet.asSlice(at + 2, total));
                at += 2 + total;
                continue;
            }
            byte[] value = new byte[total];
            option.write(MemorySegment.ofArray(value));
            for (int from = 0; from < total; from += 255) {
                int part = Math.min(255, total - from);
                Wire.putU8(packet, at, option.code());
                Wire.putU8(packet, at + 1, part);
                MemorySegment.copy(MemorySegment.ofArray(value), from, packet, at + 2, part);
                at += 2 + part;
            }
        }
        Wire.putU8(packet, at, 255);
        return length;
    }
}

package dev.morgana.net.tcpip.tcp;

import java.util.Objects;

/**
 * The header of a TCP segment (RFC 9293 §3.1) as the stack acts on it: ports, sequence and acknowledgment
 * numbers, flags, the window as sent (not scaled) and the options. The data offset, the checksum and the
 * padding are derived when the header is written, never stored.
 *
 * <p>Sequence and acknowledgment numbers are unsigned 32-bit values held in an {@code int}: compare them
 * only with {@link Seq}.
 *
 * @param sourcePort 0–65535
 * @param destinationPort 0–65535
 * @param sequence the sequence number of the first byte (or of the SYN or FIN)
 * @param acknowledgment the next sequence number the sender expects; meaningful only with {@link #ACK}
 * @param flags the eight flag bits, {@link #FIN} … {@link #CWR}
 * @param window the window field as sent, 0–65535, before any window scaling
 * @param urgentPointer the urgent pointer field, 0–65535; meaningful only with {@link #URG}
 * @param options the options, {@link TcpOptions#NONE} for none
 */
public record TcpHeader(int sourcePort, int destinationPort, int sequence, int acknowledgment, int flags,
        int window, int urgentPointer, TcpOptions options) {

    /** No more data from the sender. */
    public static final int FIN = 0x01;
    /** Synchronise sequence numbers. */
    public static final int SYN = 0x02;
    /** Reset the connection. */
    public static final int RST = 0x04;
    /** Push function. */
    public static final int PSH = 0x08;
    /** The acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** The urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECN echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** Congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when a port, the window or the urgent pointer is outside 0–65535, or
     *     {@code flags} outside 0–255
     * @throws NullPointerException when {@code options} is null
     */
    public TcpHeader {
        requireU16("source port", sourcePort);
        requireU16("destination port", destinationPort);
        requireU16("window", window);
        requireU16("urgent pointer", urgentPointer);
        if ((flags & ~0xFF) != 0) {
            throw new IllegalArgumentException("flags are 8 bits, got 0x" + Integer.toHexString(flags));
        }
        Objects.requireNonNull(options, "options");
    }

    /**
     * Tells whether every one of {@code mask}'s flags is set.
     *
     * @param mask one or more of the flag constants
     * @return whether all are set
     */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }

    /**
     * Returns how much sequence space a segment with this header and {@code payloadLength} bytes of data
     * takes: the data, plus one for a SYN and one for a FIN (RFC 9293 §3.4, SEG.LEN).
     *
     * @param payloadLength the bytes of data
     * @return SEG.LEN
     */
    public int sequenceLength(int payloadLength) {
        return payloadLength + (flags & SYN) / SYN + (flags & FIN);
    }

    private static void requireU16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("the " + name + " is 0–65535, got " + value);
        }
    }
}

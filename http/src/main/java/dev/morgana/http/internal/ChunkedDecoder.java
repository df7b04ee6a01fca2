package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;

/**
 * Decodes a chunked body (RFC 9112 §7.1) from bytes as they arrive, without doing any I/O itself: each call
 * consumes what it is given, up to the end of the body, and hands the data on as slices of its input
 * (no copy). Chunk extensions are skipped; trailer fields are checked (a token name, a colon, no controls)
 * and dropped, as §7.1.2 allows. Lines are bounded, so a client cannot make it buffer anything: it keeps only
 * counters between calls.
 *
 * <p>Not thread-safe: one decoder per body.
 */
public final class ChunkedDecoder {

    private static final long MAX_CHUNK_SIZE = 1L << 60;

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE }

    private final int maxLine;
    private final int maxTrailers;

    private State state = State.SIZE;
    /** How many bytes of data the last {@link #decodeInto} copied. */
    private long copied;
    private long size;
    private int sizeDigits;
    private boolean afterSizeWhitespace;
    private long remaining;
    private int lineLength;
    private int trailerBytes;
    private boolean lastChunk;
    private boolean trailerValue;

    /**
     * @param maxLine longest chunk-size line, extensions included, and longest trailer line
     * @param maxTrailers most bytes of trailer fields in all
     */
    public ChunkedDecoder(int maxLine, int maxTrailers) {
        this.maxLine = maxLine;
        this.maxTrailers = maxTrailers;
    }

    /** Whether the whole body, trailers and final CRLF included, has been consumed. */
    public boolean done() {
        return state == State.DONE;
    }

    /**
     * Consumes bytes of the body.
     *
     * @param in the next bytes from the connection
     * @param data receives the body's data, as slices of {@code in}, in order
     * @return how many bytes of {@code in} belonged to the body: all of them, unless the body ended
     *     earlier (the rest is the next request's)
     * @throws RequestRejected (400) when the encoding is malformed or a line too long
     */
    public long decode(MemorySegment in, Consumer<MemorySegment> data) throws RequestRejected {
        long i = 0;
        long n = in.byteSize();
        while (i < n && state != State.DONE) {
            if (state == State.DATA) {
                long take = Math.min(remaining, n - i);
                data.accept(in.asSlice(i, take));
                remaining -= take;
                i += take;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte b = in.get(ValueLayout.JAVA_BYTE, i++);
            switch (state) {
                case SIZE -> sizeByte(b);
                case EXTENSION -> extensionByte(b);
                case SIZE_LF -> {
                    expect(b, '\n', "a chunk-size line not ended by CRLF");
                    if (lastChunk) {
                        state = State.TRAILER;
                        lineLength = 0;
                    } else {
                        state = State.DATA;
                        remaining = size;
                    }
                }
                case DATA_CR -> {
                    expect(b, '\r', "chunk data longer than its size");
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    expect(b, '\n', "chunk data not followed by CRLF");
                    startSizeLine();
                }
                case TRAILER -> trailerByte(b);
                case TRAILER_LF -> {
                    expect(b, '\n', "a trailer line not ended by CRLF");
                    if (lineLength == 0) {
                        state = State.DONE;
                    } else {
                        state = State.TRAILER;
                        lineLength = 0;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return i;
    }

    /**
     * Consumes bytes of the body as {@link #decode} does, copying its data into {@code out} from offset 0.
     *
     * @param out where the data goes; room for {@code in.byteSize()} bytes is enough, as data is never longer
     *     than its encoding
     * @return how many bytes of {@code in} belonged to the body; {@link #copied()} tells how much data came
     * @throws RequestRejected (400) when the encoding is malformed or a line too long
     */
    public long decodeInto(MemorySegment in, MemorySegment out) throws RequestRejected {
        copied = 0;
        return decode(in, data -> {
            MemorySegment.copy(data, 0, out, copied, data.byteSize());
            copied += data.byteSize();
        });
    }

    /** How many bytes of data the last {@link #decodeInto} copied. */
    public long copied() {
        return copied;
    }

    private void startSizeLine() {
        state = State.SIZE;
        size = 0;
        sizeDigits = 0;
        afterSizeWhitespace = false;
        lineLength = 0;
    }

    private void sizeByte(byte b) throws RequestRejected {
        countLine();
        int digit = Character.digit(b, 16);
        if (digit >= 0 && !afterSizeWhitespace) {
            if (size >= MAX_CHUNK_SIZE >> 4) {
                throw new RequestRejected(400, "a chunk size too large");
            }
            size = size << 4 | digit;
            sizeDigits++;
        } else if (sizeDigits > 0 && (b == ' ' || b == '\t')) {
            afterSizeWhitespace = true; // BWS before an extension
        } else if (sizeDigits > 0 && b == ';') {
            state = State.EXTENSION;
        } else if (sizeDigits > 0 && b == '\r' ) {
            endSizeLine();
        } else {
            throw new RequestRejected(400, "a malformed chunk size");
        }
    }

    private void extensionByte(byte b) throws RequestRejected {
        countLine();
        if (b == '\r') {
            endSizeLine();
        } else if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7F) {
            throw new RequestRejected(400, "a control character in a chunk extension");
        }
    }

    private void endSizeLine() {
        lastChunk = size == 0;
        state = State.SIZE_LF;
    }

    private void trailerByte(byte b) throws RequestRejected {
        if (b == '\r') {
            if (lineLength > 0 && !trailerValue) {
                throw new RequestRejected(400, "a trailer line without a colon");
            }
            state = State.TRAILER_LF;
            return;
        }
        if (lineLength == 0 && (b == ' ' || b == '\t')) {
            throw new RequestRejected(400, "obs-fold in the trailers");
        }
        if (lineLength == 0) {
            trailerValue = false;
        }
        if (!trailerValue) {
            if (b == ':' && lineLength > 0) {
                trailerValue = true;
            } else if (!RequestHeadParser.isTokenChar(b)) {
                throw new RequestRejected(400, "a malformed trailer field name");
            }
        }
        if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7F) {
            throw new RequestRejected(400, "a control character in the trailers");
        }
        countLine();
        if (++trailerBytes > maxTrailers) {
            throw new RequestRejected(400, "trailers larger than " + maxTrailers + " bytes");
        }
    }

    private void countLine() throws RequestRejected {
        if (++lineLength > maxLine) {
            throw new RequestRejected(400, "a chunk line longer than " + maxLine + " bytes");
        }
    }

    private static void expect(byte b, char wanted, String otherwise) throws RequestRejected {
        if (b != wanted) {
            throw new RequestRejected(400, otherwise);
        }
    }
}

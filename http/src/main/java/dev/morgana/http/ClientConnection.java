package dev.morgana.http;

import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.http.internal.BodyFraming;
import dev.morgana.http.internal.ChunkedDecoder;
import dev.morgana.http.internal.HeadLimits;
import dev.morgana.http.internal.RequestRejected;
import dev.morgana.http.internal.ResponseHead;
import dev.morgana.http.internal.ResponseHeadParser;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * One connection of an {@link HttpClient}: writes a request, reads the response head, then hands the body
 * to the caller to read; again, one exchange at a time, while the connection is kept alive. Its buffer holds
 * the head being parsed and then the body as it is read.
 */
final class ClientConnection {

    private static final int READ_ROOM = 16 * 1024;
    private static final int CHUNK_LINE = 4096;
    /** Methods whose requests carry a body, so that an empty one is announced as such (RFC 9110 §8.6). */
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    final Origin origin;
    private final Flow flow;
    private final HeadLimits limits;
    private final ResponseHeadParser parser;
    private final MemorySegment buffer;
    // What of the buffer holds unconsumed bytes: [start, available).
    private long start;
    private long available;
    /** Whether an exchange has completed on it before: a reused connection the server may have closed. */
    private boolean reused;
    /** Whether the last exchange failed before a single byte of its response arrived. */
    private boolean nothingReceived;
    /** Whether the last response's body was read to its end and the connection may carry another. */
    private boolean reusable;
    /** In monotonic time, since when it has been idle in the pool. */
    long idleSince;

    ClientConnection(Origin origin, Flow flow, HeadLimits limits) {
        this.origin = origin;
        this.flow = flow;
        this.limits = limits;
        this.parser = new ResponseHeadParser(limits);
        this.buffer = MemorySegment.ofArray(new byte[limits.head() + READ_ROOM]);
    }

    /**
     * Sends {@code request} and reads its response's head.
     *
     * @param whenClosed called when the response is closed, with this connection
     * @throws NetworkException when the connection fails or times out; {@link HttpProtocolException} for a
     *     malformed response
     */
    ClientResponse exchange(ClientRequest request, ResponseClosed whenClosed) throws NetworkException {
        nothingReceived = true;
        reusable = false;
        MemorySegment head = requestHead(request);
        MemorySegment body = request.body().orElse(MemorySegment.NULL);
        if (body.byteSize() > 0) {
            flow.write(List.of(head, body));
        } else {
            flow.write(head);
        }
        if (request.writer().isPresent()) {
            StreamedBody.send(flow, request.writer().get(), true);
        }
        ResponseHead response = readHead();
        while (response.status() < 200) {
            if (response.status() == 101) {
                throw new HttpProtocolException("101 Switching Protocols, which was not asked for");
            }
            response = readHead(); // an interim response (100 Continue, 103 Early Hints): the final one follows
        }
        BodyFraming framing;
        try {
            framing = BodyFraming.ofResponse(request.method(), response);
        } catch (RequestRejected malformed) {
            throw new HttpProtocolException(malformed.getMessage());
        }
        Headers headers = Headers.parsed(response.pairs().toArray(String[]::new));
        boolean keepAlive = response.minorVersion() >= 1 ? !headers.hasToken("connection", "close")
                : headers.hasToken("connection", "keep-alive");
        ResponseBody responseBody = new ResponseBody(framing, keepAlive && !(framing instanceof BodyFraming.UntilClose));
        return new ClientResponse(response.status(), response.minorVersion(), headers, responseBody, () -> {
            responseBody.over = true; // from now on the connection may carry someone else's exchange
            whenClosed.closed(this);
        });
    }

    /** Whether the last exchange failed on a connection used before, before any byte of a response came. */
    boolean failedStale() {
        return reused && nothingReceived;
    }

    /**
     * Whether the last response was read to its end, the server keeps the connection open, and nothing
     * unasked for followed the response: the connection may carry the next request.
     */
    boolean reusable() {
        return reusable && start == available;
    }

    void close() {
        flow.close();
    }

    private MemorySegment requestHead(ClientRequest request) {
        StringBuilder text = new StringBuilder(256).append(request.method()).append(' ').append(request.target())
                .append(" HTTP/1.1\r\nHost: ").append(origin.hostField()).append("\r\n");
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            text.append(headers.name(i)).append(": ").append(headers.value(i)).append("\r\n");
        }
        if (request.writer().isPresent()) {
            text.append("Transfer-Encoding: chunked\r\n");
        } else {
            long length = request.body().orElseThrow().byteSize();
            if (length > 0 || BODY_METHODS.contains(request.method())) {
                text.append("Content-Length: ").append(length).append("\r\n");
            }
        }
        return MemorySegment.ofArray(text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private ResponseHead readHead() throws NetworkException {
        MemorySegment.copy(buffer, start, buffer, 0, available - start); // the head must start at 0
        available -= start;
        start = 0;
        parser.reset();
        try {
            ResponseHead head = parser.parse(buffer, available);
            while (head == null) {
                int n = flow.read(buffer.asSlice(available));
                if (n < 0) {
                    throw new NetworkException(Reason.CONNECTION_RESET, available == 0
                            ? "the server closed the connection without answering"
                            : "the server closed the connection inside a response head");
                }
                nothingReceived = false;
                available += n;
                head = parser.parse(buffer, available);
            }
            nothingReceived = false;
            start = head.length();
            return head;
        } catch (RequestRejected malformed) {
            throw new HttpProtocolException(malformed.getMessage());
        }
    }

    /** Told when a response is closed. */
    @FunctionalInterface
    interface ResponseClosed {
        void closed(ClientConnection connection);
    }

    /** A response's body, read out of the connection's buffer and then its flow. */
    private final class ResponseBody implements MessageBody {

        private final BodyFraming framing;
        private final ChunkedDecoder chunks;
        private final boolean keepAlive;
        private long remaining;
        private boolean ended;
        boolean over;

        ResponseBody(BodyFraming framing, boolean keepAlive) {
            this.framing = framing;
            this.keepAlive = keepAlive;
            this.chunks = framing instanceof BodyFraming.Chunked ? new ChunkedDecoder(CHUNK_LINE, limits.head()) : null;
            this.remaining = framing instanceof BodyFraming.Length(long bytes) ? bytes : 0;
            if (framing instanceof BodyFraming.None || framing instanceof BodyFraming.Length(long bytes) && bytes == 0) {
                end();
            }
        }

        @Override
        public int read(MemorySegment into) throws NetworkException {
            if (over) {
                throw new IllegalStateException("the response is closed");
            }
            if (into.byteSize() == 0) {
                throw new IllegalArgumentException("read into an empty buffer");
            }
            if (ended) {
                return -1;
            }
            if (chunks != null) {
                return readChunked(into);
            }
            if (!fill()) {
                if (framing instanceof BodyFraming.UntilClose) {
                    end();
                    return -1;
                }
                throw new NetworkException(Reason.CONNECTION_RESET,
                        "the server closed the connection " + remaining + " bytes before the end of the body");
            }
            long n = Math.min(available - start, into.byteSize());
            if (framing instanceof BodyFraming.Length) {
                n = Math.min(n, remaining);
                remaining -= n;
            }
            MemorySegment.copy(buffer, start, into, 0, n);
            start += n;
            if (framing instanceof BodyFraming.Length && remaining == 0) {
                end();
            }
            return (int) n;
        }

        private int readChunked(MemorySegment into) throws NetworkException {
            while (true) {
                if (!fill()) {
                    throw new NetworkException(Reason.CONNECTION_RESET, "the server closed the connection inside a chunked body");
                }
                // Never more input than the caller has room for: the data decoded is no longer than it.
                MemorySegment input = buffer.asSlice(start, Math.min(available - start, into.byteSize()));
                try {
                    start += chunks.decodeInto(input, into);
                } catch (RequestRejected malformed) {
                    throw new HttpProtocolException("a malformed chunked body: " + malformed.getMessage());
                }
                if (chunks.done()) {
                    end();
                    return chunks.copied() > 0 ? (int) chunks.copied() : -1;
                }
                if (chunks.copied() > 0) {
                    return (int) chunks.copied();
                }
            }
        }

        /** Makes sure unconsumed bytes are in the buffer, reading more when none are; false at end of stream. */
        private boolean fill() throws NetworkException {
            if (start < available) {
                return true;
            }
            start = 0;
            available = 0;
            int n = flow.read(buffer);
            if (n < 0) {
                return false;
            }
            available = n;
            return true;
        }

        private void end() {
            ended = true;
            reused = true;
            reusable = keepAlive;
        }
    }
}

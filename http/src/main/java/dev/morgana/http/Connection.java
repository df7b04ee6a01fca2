package dev.morgana.http;

import dev.morgana.api.Clock;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import dev.morgana.http.internal.BodyFraming;
import dev.morgana.http.internal.ChunkedDecoder;
import dev.morgana.http.internal.HeadLimits;
import dev.morgana.http.internal.RequestHead;
import dev.morgana.http.internal.RequestHeadParser;
import dev.morgana.http.internal.RequestRejected;
import dev.morgana.http.tls.TlsServer;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One connection of an {@link HttpServer}: reads a request head, hands the request to the handler, writes
 * the response, and again while the connection is kept alive. Its buffer holds the head being parsed
 * and then the body as it is read; bytes of a pipelined next request stay in it for the next round.
 */
final class Connection {

    private static final int READ_ROOM = 16 * 1024;
    /**
     * The buffer a connection starts with: room for the heads most clients send, and small enough that a
     * connection that serves a few requests does not pay for the largest head allowed. It grows (up to
     * {@link #bufferLimit}) when a head does not fit or a body read fills it.
     */
    private static final int FIRST_BUFFER = 4 * 1024;
    private static final int CHUNK_LINE = 4096;
    private static final MemorySegment CONTINUE = latin1("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF_BYTES = {'\r', '\n'};
    /** Per status with a known reason: its status line and the start of the Date field. */
    private static final byte[][] STATUS_LINES = new byte[600][];

    static {
        for (int status = 100; status < STATUS_LINES.length; status++) {
            if (!reason(status).isEmpty()) {
                STATUS_LINES[status] = ("HTTP/1.1 " + status + " " + reason(status) + "\r\nDate: ")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    /** The accepted connection; what timeouts and shutdown close, abruptly. */
    private final Flow transport;
    private final TlsServer tls;
    /** What requests are read from and responses written to: the transport, or TLS over it. */
    private Flow flow;
    private final HttpHandler handler;
    private final HttpServer.Options options;
    private final Clock clock;
    private final HeadLimits limits;
    /** Room for the largest head the parser lets through, empty lines before it included, and a read. */
    private final int bufferLimit;
    private MemorySegment buffer = MemorySegment.ofArray(new byte[FIRST_BUFFER]);
    /** Whether the last body read filled the buffer: the next one gets a larger buffer. */
    private boolean outgrown;
    /**
     * The last request's header fields and target. Keep-alive clients mostly repeat them from request to
     * request, so the next request reuses these strings where its bytes are the same rather than copy
     * them out of the buffer again; {@link Headers} and strings are immutable, so sharing them is safe.
     */
    private Headers lastHeaders = Headers.of();
    private String lastTarget = "";
    /** Where a response head is put together before it is written; reused. */
    private byte[] out = new byte[512];
    private MemorySegment outSegment = MemorySegment.ofArray(out);
    private int outLength;
    /** The end of the Date field and the Server field. */
    private final byte[] serverLine;

    // What of the buffer holds unconsumed bytes: [start, available).
    private long start;
    private long available;
    // Guarded by this: whether the server is stopping, and whether the connection waits for a head (and
    // may then be closed at once).
    private boolean stopping;
    private boolean idle;
    /**
     * When the read in progress must have delivered (a head, or some body), in monotonic time; the
     * server's sweeper closes the flow once it passes. A field rather than a timer per read: scheduling
     * one per request woke the timer thread every time.
     */
    private volatile long deadline = Long.MAX_VALUE;

    /** A connection over {@code transport}, with TLS when {@code tls} is not null. */
    Connection(Flow transport, TlsServer tls, HttpHandler handler, HttpServer.Options options, Clock clock) {
        this.transport = transport;
        this.tls = tls;
        this.flow = transport;
        this.handler = handler;
        this.options = options;
        this.clock = clock;
        this.limits = new HeadLimits(options.requestLine(), options.head(), options.fields());
        this.bufferLimit = options.head() + options.requestLine() + READ_ROOM;
        this.serverLine = ("\r\nServer: " + options.serverName() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Serves requests until the client closes, an error, or a request asks to close. */
    void serve() {
        RequestHeadParser parser = new RequestHeadParser(limits);
        try {
            if (tls != null) {
                deadline = clock.monotonicNanos() + options.headTimeout().toNanos(); // the handshake counts as head
                try {
                    flow = tls.accept(transport);
                } finally {
                    deadline = Long.MAX_VALUE;
                }
            }
            while (enterIdle()) {
                RequestHead head = readHead(parser);
                if (head == null || !leaveIdle() || !exchange(head)) {
                    return;
                }
                parser.reset();
            }
        } catch (RequestRejected rejected) {
            refuse(rejected);
        } catch (NetworkException gone) {
            // The client went away, reset, or took too long, or the handshake failed: nothing to answer.
        } finally {
            if (flow != transport) {
                flow.close(); // TLS: close_notify before the transport closes
            }
        }
    }

    /** After the request in progress, if any, close: the server is stopping. */
    void stopAfterThisRequest() {
        boolean closeNow;
        synchronized (this) {
            stopping = true;
            closeNow = idle;
        }
        if (closeNow) {
            transport.close();
        }
    }

    /** Starts waiting for a head, unless the server is stopping. */
    private synchronized boolean enterIdle() {
        idle = !stopping;
        return idle;
    }

    /** Ends the wait for a head; false when the server stopped meanwhile (and closed the flow). */
    private synchronized boolean leaveIdle() {
        idle = false;
        return !stopping;
    }

    void abort() {
        transport.close();
    }

    /** Closes the connection if its read in progress is overdue at {@code now} (monotonic time). */
    void closeIfOverdue(long now) {
        if (now - deadline > 0) {
            transport.close();
        }
    }

    private RequestHead readHead(RequestHeadParser parser) throws RequestRejected, NetworkException {
        MemorySegment.copy(buffer, start, buffer, 0, available - start); // the head must start at 0
        available -= start;
        start = 0;
        deadline = clock.monotonicNanos() + options.headTimeout().toNanos();
        try {
            RequestHead head = parser.parse(buffer, available);
            while (head == null) {
                if (available == buffer.byteSize()) {
                    // Never at the limit: the parser refuses a head before it could fill that.
                    grow(available);
                }
                int n = flow.read(buffer.asSlice(available));
                if (n < 0) {
                    return null; // closed between requests, or inside a head: nothing to answer either way
                }
                available += n;
                head = parser.parse(buffer, available);
            }
            start = head.length();
            return head;
        } finally {
            deadline = Long.MAX_VALUE;
        }
    }

    /** Replaces the buffer with a larger one (up to the limit), keeping its first {@code keep} bytes. */
    private void grow(long keep) {
        MemorySegment larger = MemorySegment.ofArray(new byte[(int) Math.min(bufferLimit, 4 * buffer.byteSize())]);
        MemorySegment.copy(buffer, 0, larger, 0, keep);
        buffer = larger;
    }

    /** The fields of {@code head}, with the strings of the last request's where the bytes are the same. */
    private Headers headers(RequestHead head) {
        Headers last = lastHeaders;
        int count = head.fieldCount();
        boolean repeated = count == last.size();
        for (int i = 0; repeated && i < count; i++) {
            repeated = head.nameIs(i, last.name(i)) && head.valueIs(i, last.value(i));
        }
        if (repeated) {
            return last;
        }
        String[] pairs = new String[2 * count];
        for (int i = 0; i < count; i++) {
            boolean sameName = i < last.size() && head.nameIs(i, last.name(i));
            pairs[2 * i] = sameName ? last.name(i) : head.nameString(i);
            pairs[2 * i + 1] = sameName && head.valueIs(i, last.value(i)) ? last.value(i) : head.valueString(i);
        }
        lastHeaders = Headers.parsed(pairs);
        return lastHeaders;
    }

    private String target(RequestHead head) {
        if (!head.targetIs(lastTarget)) {
            lastTarget = head.targetString();
        }
        return lastTarget;
    }

    /** Answers one request; returns whether the connection stays open. */
    private boolean exchange(RequestHead head) throws RequestRejected, NetworkException {
        BodyFraming framing = BodyFraming.of(head);
        Headers headers = headers(head);
        boolean http11 = head.minorVersion() >= 1;
        boolean keepAlive = http11 ? !headers.hasToken("connection", "close") : headers.hasToken("connection", "keep-alive");
        // An HTTP/1.0 client cannot know 100-continue: its Expect is ignored (RFC 9110 §10.1.1).
        String expect = http11 ? headers.firstOrNull("expect") : null;
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            throw new RequestRejected(417, "the expectation " + expect + " cannot be met");
        }
        if (framing instanceof BodyFraming.Length(long bytes) && bytes > options.body()) {
            throw new RequestRejected(413, "a body of " + bytes + " bytes, more than " + options.body());
        }
        Body body = new Body(framing, expect != null);
        String method = head.method();
        HttpRequest request = new HttpRequest(method, target(head), head.minorVersion(), headers, body);
        HttpResponse response;
        try {
            response = handler.handle(request);
            if (response == null) {
                throw new IllegalStateException("the handler returned no response");
            }
        } catch (Exception e) {
            if (body.refused != null) {
                throw body.refused; // the body was malformed or too large: that is the answer
            }
            response = HttpResponse.text(500, "internal server error\n");
            keepAlive = false;
        } finally {
            body.over = true;
        }
        if (body.refused != null) {
            throw body.refused;
        }
        if (!body.ended) {
            if (body.expectingContinue) {
                keepAlive = false; // the client may or may not send the body it announced: do not guess
            } else {
                try {
                    body.drain();
                } catch (NetworkException e) {
                    keepAlive = false;
                }
            }
        }
        synchronized (this) {
            keepAlive &= !stopping;
        }
        return write(response, method.equals("HEAD"), http11, keepAlive);
    }

    /** Writes the response; returns whether the connection stays open after it. */
    private boolean write(HttpResponse response, boolean head, boolean http11, boolean keepAlive) throws NetworkException {
        int status = response.status();
        boolean bodyless = status == 204 || status == 304;
        boolean streamed = response.writer().isPresent();
        boolean chunked = streamed && http11 && !bodyless;
        boolean closing = !keepAlive || (streamed && !chunked && !bodyless); // HTTP/1.0: the close ends it
        statusLine(status);
        put(response.headers().wire());
        if (chunked) {
            put("Transfer-Encoding: chunked\r\n");
        } else if (!streamed && !bodyless) {
            put(CONTENT_LENGTH);
            putDecimal(response.body().orElseThrow().byteSize());
            put(CRLF_BYTES);
        }
        if (closing) {
            put("Connection: close\r\n");
        } else if (!http11) {
            put("Connection: keep-alive\r\n"); // an HTTP/1.0 client closes otherwise
        }
        put(CRLF_BYTES);
        MemorySegment responseHead = outSegment.asSlice(0, outLength);
        if (head || bodyless) {
            flow.write(responseHead);
        } else if (!streamed) {
            flow.write(List.of(responseHead, response.body().orElseThrow()));
        } else {
            flow.write(responseHead);
            StreamedBody.send(flow, response.writer().orElseThrow(), chunked);
        }
        if (closing) {
            flow.shutdownOutput();
        }
        return !closing;
    }

    /** Answers a refused request and ends the connection (RFC 9112: its framing cannot be trusted). */
    private void refuse(RequestRejected rejected) {
        byte[] message = (rejected.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        statusLine(rejected.status());
        put("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
        putDecimal(message.length);
        put("\r\nConnection: close\r\n\r\n");
        try {
            flow.write(List.of(outSegment.asSlice(0, outLength), MemorySegment.ofArray(message)));
            flow.shutdownOutput();
        } catch (NetworkException gone) {
            // Nobody left to tell.
        }
    }

    /**
     * Starts a response head in {@link #out}: the status line, Date and Server. Copied into a buffer the
     * connection keeps from bytes made once (per status, per second, per server), rather than built as a
     * string and then encoded.
     */
    private void statusLine(int status) {
        outLength = 0;
        byte[] known = status < STATUS_LINES.length ? STATUS_LINES[status] : null;
        if (known != null) {
            put(known);
        } else {
            put("HTTP/1.1 ");
            putDecimal(status);
            put(" ");
            put(reason(status));
            put("\r\nDate: ");
        }
        put(HttpDates.RESPONSES.formatAscii(clock.instant()));
        put(serverLine);
    }

    private void put(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, out, outLength, bytes.length);
        outLength += bytes.length;
    }

    /** Appends {@code text} in ISO-8859-1 (as the field was checked: no CR, LF or NUL), '?' for what it lacks. */
    private void put(String text) {
        room(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out[outLength++] = (byte) (c <= 0xFF ? c : '?');
        }
    }

    /** Appends {@code number}, at least 0, in decimal. */
    private void putDecimal(long number) {
        int digits = 1;
        for (long rest = number / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits);
        outLength += digits;
        long rest = number;
        for (int i = 1; i <= digits; i++) {
            out[outLength - i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
    }

    private void room(int bytes) {
        if (outLength + bytes > out.length) {
            out = Arrays.copyOf(out, Math.max(2 * out.length, outLength + bytes));
            outSegment = MemorySegment.ofArray(out);
        }
    }

    private static MemorySegment latin1(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.ISO_8859_1)).asReadOnly();
    }

    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    /** The body of the request in progress, read out of the connection's buffer and then its flow. */
    private final class Body implements MessageBody {

        private final BodyFraming framing;
        private final ChunkedDecoder chunks;
        private long remaining;
        private long delivered;
        boolean expectingContinue;
        boolean ended;
        boolean over;
        RequestRejected refused;

        Body(BodyFraming framing, boolean expectingContinue) {
            this.framing = framing;
            this.expectingContinue = expectingContinue;
            this.chunks = framing instanceof BodyFraming.Chunked ? new ChunkedDecoder(CHUNK_LINE, options.head()) : null;
            this.remaining = framing instanceof BodyFraming.Length(long bytes) ? bytes : 0;
            this.ended = framing instanceof BodyFraming.None || (chunks == null && remaining == 0);
        }

        @Override
        public int read(MemorySegment into) throws NetworkException {
            if (over) {
                throw new IllegalStateException("the request body is read after the handler returned");
            }
            if (into.byteSize() == 0) {
                throw new IllegalArgumentException("read into an empty buffer");
            }
            if (expectingContinue && refused == null && !ended) {
                expectingContinue = false;
                flow.write(CONTINUE);
            }
            return next(into);
        }

        private int next(MemorySegment into) throws NetworkException {
            if (refused != null) {
                throw new NetworkException(Reason.CLOSED, "the request body was refused: " + refused.getMessage());
            }
            if (ended) {
                return -1;
            }
            return chunks == null ? readLength(into) : readChunked(into);
        }

        private int readLength(MemorySegment into) throws NetworkException {
            fill();
            int n = (int) Math.min(Math.min(remaining, available - start), into.byteSize());
            MemorySegment.copy(buffer, start, into, 0, n);
            start += n;
            remaining -= n;
            ended = remaining == 0;
            return n;
        }

        private int readChunked(MemorySegment into) throws NetworkException {
            while (true) {
                if (chunks.done()) {
                    ended = true;
                    return -1;
                }
                fill();
                // Never more input than the caller has room for: the data decoded is no longer than it.
                MemorySegment input = buffer.asSlice(start, Math.min(available - start, into.byteSize()));
                try {
                    start += chunks.decodeInto(input, into);
                } catch (RequestRejected malformed) {
                    refused = malformed;
                    throw new NetworkException(Reason.CLOSED, "a malformed chunked body: " + malformed.getMessage());
                }
                delivered += chunks.copied();
                if (delivered > options.body()) {
                    refused = new RequestRejected(413, "a body of more than " + options.body() + " bytes");
                    throw new NetworkException(Reason.CLOSED, refused.getMessage());
                }
                if (chunks.copied() > 0) {
                    return (int) chunks.copied();
                }
            }
        }

        /** Makes sure unconsumed bytes are in the buffer, reading more when none are. */
        private void fill() throws NetworkException {
            if (start < available) {
                return;
            }
            start = 0;
            available = 0;
            if (outgrown && buffer.byteSize() < bufferLimit) {
                grow(0);
            }
            // Body progress: a client that stops sending mid-body loses the connection.
            deadline = clock.monotonicNanos() + options.bodyTimeout().toNanos();
            int n;
            try {
                n = flow.read(buffer);
            } finally {
                deadline = Long.MAX_VALUE;
            }
            if (n < 0) {
                throw new NetworkException(Reason.CONNECTION_RESET, "the connection ended inside a request body");
            }
            available = n;
            outgrown = n == buffer.byteSize();
        }

        /** Reads and drops what the handler left of the body, so that the next request starts where it should. */
        void drain() throws NetworkException {
            MemorySegment sink = MemorySegment.ofArray(new byte[4096]);
            while (next(sink) >= 0) {
                // dropped
            }
        }
    }
}

package dev.morgana.http.tls;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.NetworkException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a blocking {@link Flow}, driving a BCJSSE {@link SSLEngine} with wrap and unwrap.
 *
 * <p>Why an {@code SSLEngine} rather than BC's lower-level {@code TlsServerProtocol} in blocking mode:
 * the engine brings, through standard JSSE parameters, what the low-level API leaves to its user:
 * PKIX path validation, host-name verification ({@code HTTPS} endpoint identification), SNI matching and
 * ALPN; and it does no I/O, so the only blocking calls are this class's own reads and writes on the
 * underlying flow, which makes every wait the underlying flow's (bounded by its timeouts) and lets
 * {@link #close()} wake them by closing it.
 *
 * <p>Concurrency follows {@link Flow}: one reader and one writer at a time. The read side (the
 * {@code netIn} and {@code appIn} buffers, {@code unwrap}) is guarded by {@code readLock}, the write
 * side ({@code netOut}, {@code wrap}, writes to the underlying flow) by {@code writeLock}. The engine's
 * own methods are synchronized and never block. A reader that must answer a post-handshake message
 * (a TLS 1.3 KeyUpdate) takes {@code writeLock} while holding {@code readLock}; the writer never takes
 * {@code readLock}, so the two cannot deadlock.
 *
 * <p>Buffers are heap {@link ByteBuffer}s sized by the session (one TLS record each, about 16 KiB):
 * memory per connection is bounded whatever the peer sends.
 */
final class EngineFlow implements TlsFlow {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Flow plain;
    private final SSLEngine engine;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Ciphertext received and not yet unwrapped, between position and limit. Guarded by readLock. */
    private ByteBuffer netIn;
    /** Plaintext unwrapped and not yet read, between position and limit. Guarded by readLock. */
    private ByteBuffer appIn;
    /** Scratch for one wrapped record; empty between calls. Guarded by writeLock. */
    private ByteBuffer netOut;
    /** Set once close_notify arrived: reads return -1. Guarded by readLock. */
    private boolean inboundDone;
    /** Set by shutdownOutput(): close_notify was sent, writes fail. Guarded by writeLock. */
    private boolean outboundDone;
    private volatile boolean inputShut;

    private TlsVersion version;
    private Optional<String> applicationProtocol = Optional.empty();
    private Optional<String> serverName = Optional.empty();

    private EngineFlow(Flow plain, SSLEngine engine) {
        this.plain = plain;
        this.engine = engine;
        SSLSession session = engine.getSession();
        netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        netOut = ByteBuffer.allocate(session.getPacketBufferSize());
    }

    /**
     * Runs the handshake on {@code plain} and returns the protected flow. On failure, sends the alert
     * the engine produced where it can, closes {@code plain} and throws.
     *
     * @param serverName after the handshake: on a client, the name it verified the server against; on a
     *     server, the name the client asked for
     */
    static EngineFlow handshake(Flow plain, SSLEngine engine, Supplier<Optional<String>> serverName)
            throws NetworkException {
        EngineFlow flow = new EngineFlow(plain, engine);
        flow.readLock.lock();
        flow.writeLock.lock();
        try {
            flow.runHandshake();
            SSLSession session = engine.getSession();
            flow.version = TlsVersion.ofJsseName(session.getProtocol());
            String protocol = engine.getApplicationProtocol();
            flow.applicationProtocol = protocol == null || protocol.isEmpty() ? Optional.empty() : Optional.of(protocol);
            flow.serverName = serverName.get();
            return flow;
        } catch (NetworkException | RuntimeException | Error e) {
            flow.closePlainQuietly();
            throw e;
        } finally {
            flow.writeLock.unlock();
            flow.readLock.unlock();
        }
    }

    private void runHandshake() throws NetworkException {
        try {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrapAndSend(new ByteBuffer[] {EMPTY});
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        SSLEngineResult result = unwrap();
                        if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && !fill()) {
                            throw new TlsException("the peer closed the connection during the TLS handshake");
                        }
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new TlsException("the peer closed the TLS session during the handshake");
                        }
                    }
                    case NEED_TASK -> runTasks();
                    case FINISHED, NOT_HANDSHAKING -> {
                        // An engine that closed (an alert it sent, a close_notify it got) also stops
                        // handshaking: that is a failure, not a session.
                        if (engine.isOutboundDone() || engine.isInboundDone()) {
                            throw new TlsException("the TLS session closed during the handshake");
                        }
                        return;
                    }
                }
            }
        } catch (SSLException e) {
            sendAlertQuietly();
            throw new TlsException("TLS handshake failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Endpoint remote() {
        return plain.remote();
    }

    @Override
    public TlsVersion version() {
        return version;
    }

    @Override
    public Optional<String> applicationProtocol() {
        return applicationProtocol;
    }

    @Override
    public Optional<String> serverName() {
        return serverName;
    }

    @Override
    public int read(MemorySegment buffer) throws NetworkException {
        if (buffer.byteSize() == 0) {
            throw new IllegalArgumentException("cannot read into an empty buffer");
        }
        readLock.lock();
        try {
            while (true) {
                checkOpen();
                if (inputShut) {
                    return -1;
                }
                if (appIn.hasRemaining()) {
                    int count = (int) Math.min(buffer.byteSize(), appIn.remaining());
                    MemorySegment.copy(MemorySegment.ofBuffer(appIn), 0, buffer, 0, count);
                    appIn.position(appIn.position() + count);
                    return count;
                }
                if (inboundDone) {
                    return -1;
                }
                SSLEngineResult result = unwrap();
                switch (result.getStatus()) {
                    case OK -> afterRecord(result);
                    case BUFFER_UNDERFLOW -> {
                        if (!fill()) {
                            if (inputShut) {
                                return -1; // shut down here while this read waited: not the peer's doing
                            }
                            // RFC 8446 §6.1: an end without close_notify may be a truncation attack.
                            throw new TlsException("the connection ended without a TLS close_notify (truncated)");
                        }
                    }
                    case CLOSED -> inboundDone = true;
                    case BUFFER_OVERFLOW -> throw new IllegalStateException("unwrap overflowed a grown buffer");
                }
            }
        } catch (SSLException e) {
            sendAlertQuietly();
            throw new TlsException("TLS record refused: " + e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    /** A record that carried no data may have been a handshake message that needs an answer. */
    private void afterRecord(SSLEngineResult result) throws SSLException, NetworkException {
        switch (result.getHandshakeStatus()) {
            case NEED_TASK -> runTasks();
            case NEED_WRAP -> {
                writeLock.lock();
                try {
                    if (!outboundDone) {
                        wrapAndSend(new ByteBuffer[] {EMPTY});
                    }
                } finally {
                    writeLock.unlock();
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void write(MemorySegment data) throws NetworkException {
        write(List.of(data));
    }

    @Override
    public void write(List<MemorySegment> data) throws NetworkException {
        // Gathering: the engine encrypts straight from the caller's segments, without copying them together.
        ByteBuffer[] sources = new ByteBuffer[data.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = data.get(i).asByteBuffer();
        }
        writeLock.lock();
        try {
            checkOpen();
            if (outboundDone) {
                throw new NetworkException(Reason.CLOSED, "write after shutdownOutput");
            }
            while (hasRemaining(sources)) {
                wrapAndSend(sources);
            }
        } catch (SSLException e) {
            throw new TlsException("TLS write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Ends the session in both directions: see "No half-close" on {@link TlsFlow}. */
    @Override
    public void shutdownOutput() throws NetworkException {
        writeLock.lock();
        try {
            checkOpen();
            sendCloseNotify();
            plain.shutdownOutput();
        } catch (SSLException e) {
            throw new TlsException("cannot send TLS close_notify: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
        plain.shutdownInput();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Send close_notify where the write side is free; a writer parked on a peer that does not read
        // holds the lock, and closing the underlying flow below is what wakes it.
        if (writeLock.tryLock()) {
            try {
                sendCloseNotify();
            } catch (SSLException | NetworkException | RuntimeException e) {
                // The connection is going away regardless; the peer sees an end without close_notify.
            } finally {
                writeLock.unlock();
            }
        }
        plain.close();
    }

    /** Wraps once from {@code sources} (TLS data or handshake messages) and sends what was produced. */
    private void wrapAndSend(ByteBuffer[] sources) throws SSLException, NetworkException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(sources, netOut);
            switch (result.getStatus()) {
                case BUFFER_OVERFLOW -> {
                    netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                    continue;
                }
                case CLOSED -> {
                    send();
                    if (hasRemaining(sources)) {
                        throw new NetworkException(Reason.CLOSED, "the TLS session is closed for writing");
                    }
                    return;
                }
                default -> {
                    send();
                    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    return;
                }
            }
        }
    }

    private void send() throws NetworkException {
        netOut.flip();
        if (netOut.hasRemaining()) {
            plain.write(MemorySegment.ofBuffer(netOut));
        }
        netOut.clear();
    }

    private void sendCloseNotify() throws SSLException, NetworkException {
        if (outboundDone) {
            return;
        }
        outboundDone = true;
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(EMPTY, netOut);
            send();
            if (result.bytesProduced() == 0 && result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                break;
            }
        }
    }

    /** After the engine refused input: best effort to tell the peer why (the alert it queued). */
    private void sendAlertQuietly() {
        if (!writeLock.tryLock()) {
            return; // a writer is parked on the underlying flow; the alert would not get through anyway
        }
        try {
            engine.closeOutbound();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                netOut.clear();
                SSLEngineResult result = engine.wrap(EMPTY, netOut);
                send();
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException | NetworkException | RuntimeException e) {
            // The peer may already be gone; the caller reports the original failure.
        } finally {
            writeLock.unlock();
        }
    }

    /** Unwraps one record from netIn into appIn, growing appIn if the session says records are larger. */
    private SSLEngineResult unwrap() throws SSLException {
        while (true) {
            appIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return result;
            }
            appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
        }
    }

    /**
     * Reads more ciphertext from the underlying flow into netIn.
     *
     * @return false at the end of the underlying stream
     */
    private boolean fill() throws NetworkException {
        if (netIn.limit() == netIn.capacity() && netIn.position() == 0) {
            // A full buffer that still underflows: the session allows larger records than it was sized for.
            netIn = grow(netIn, engine.getSession().getPacketBufferSize());
        }
        netIn.compact();
        try {
            int count = plain.read(MemorySegment.ofBuffer(netIn));
            if (count < 0) {
                return false;
            }
            netIn.position(netIn.position() + count);
            return true;
        } finally {
            netIn.flip();
        }
    }

    /** Returns a larger buffer holding {@code buffer}'s remaining bytes, in read mode. */
    private static ByteBuffer grow(ByteBuffer buffer, int wanted) {
        ByteBuffer larger = ByteBuffer.allocate(Math.max(wanted, buffer.capacity() * 2));
        larger.put(buffer).flip();
        return larger;
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private void checkOpen() throws NetworkException {
        if (closed.get()) {
            throw new NetworkException(Reason.CLOSED, "the TLS flow is closed");
        }
    }

    private void closePlainQuietly() {
        closed.set(true);
        plain.close();
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer buffer : buffers) {
            if (buffer.hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}

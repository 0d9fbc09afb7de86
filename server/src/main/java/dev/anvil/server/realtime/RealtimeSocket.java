package dev.anvil.server.realtime;

import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.anvil.server.http.Principal;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;

/**
 * One client connection: its Engine.IO session, who it is once CONNECT succeeded, the channels it
 * subscribed to, and its outgoing frames. Frames are queued and written by one drain task at a
 * time, so a slow client never blocks the thread delivering to everyone else; a client whose queue
 * keeps growing is cut off instead of growing the heap.
 */
final class RealtimeSocket {

    /** Frames a client may fall behind by before it is disconnected as too slow. */
    static final int MAX_QUEUED_FRAMES = 10_000;

    private final String engineId;
    private final WsSession session;
    private final Executor writers;
    private final Queue<String> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private final SocketRateLimit rateLimit;
    private final long openedAtNanos = System.nanoTime();
    /** The connection's own thread (Helidon runs each connection on one); it ends when the connection does. */
    private final Thread reader = Thread.currentThread();

    private final StringBuilder partialFrame = new StringBuilder();

    private volatile String socketId;
    private volatile Principal principal;
    private volatile long lastPingSentNanos = System.nanoTime();
    private volatile boolean awaitingPong;

    RealtimeSocket(String engineId, WsSession session, Executor writers, SocketRateLimit rateLimit) {
        this.engineId = engineId;
        this.session = session;
        this.writers = writers;
        this.rateLimit = rateLimit;
    }

    String engineId() {
        return engineId;
    }

    /** The Socket.IO socket id, set once CONNECT succeeded. */
    String id() {
        return socketId;
    }

    Principal principal() {
        return principal;
    }

    boolean isConnected() {
        return principal != null && !closed.get();
    }

    void connected(String id, Principal who) {
        this.socketId = id;
        this.principal = who;
    }

    /** {@code user} with the user id for signed-in users, otherwise {@code anonymous} with the socket id. */
    String presenceType() {
        return userPresenceId().isPresent() ? "user" : "anonymous";
    }

    String presenceId() {
        return userPresenceId().orElse(socketId);
    }

    private Optional<String> userPresenceId() {
        return principal == null ? Optional.empty() : principal.userId();
    }

    Set<String> channels() {
        return channels;
    }

    SocketRateLimit rateLimit() {
        return rateLimit;
    }

    StringBuilder partialFrame() {
        return partialFrame;
    }

    long openedAtNanos() {
        return openedAtNanos;
    }

    long lastPingSentNanos() {
        return lastPingSentNanos;
    }

    boolean awaitingPong() {
        return awaitingPong;
    }

    void pingSent(long nanos) {
        lastPingSentNanos = nanos;
        awaitingPong = true;
    }

    void pongReceived() {
        awaitingPong = false;
    }

    /**
     * False once the connection's thread has ended. Helidon tells the listener about close frames
     * but not about a peer that vanished (TCP reset or FIN without a close frame); this notices it.
     */
    boolean readerAlive() {
        return reader.isAlive();
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Queues a frame; written in order by at most one writer at a time. */
    void send(String frame) {
        if (closed.get()) {
            return;
        }
        if (queued.incrementAndGet() > MAX_QUEUED_FRAMES) {
            // Not on this (broadcasting) thread: the close frame's write would block behind the backlog.
            markClosed();
            writers.execute(() -> close(WsCloseCodes.TRY_AGAIN_LATER, "client too slow"));
            return;
        }
        outbound.add(frame);
        if (draining.compareAndSet(false, true)) {
            writers.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            String frame;
            while ((frame = outbound.poll()) != null) {
                queued.decrementAndGet();
                if (closed.get()) {
                    continue;
                }
                try {
                    session.send(frame, true);
                } catch (RuntimeException e) {
                    // The peer is gone; the endpoint notices through the failed ping or the close.
                    markClosed();
                }
            }
            draining.set(false);
            // A frame queued between the last poll and the flag reset must not be stranded.
            if (outbound.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Marks the socket closed; returns true only for the first caller, who runs the cleanup. */
    boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    /** Sends a close frame with a reason (the connection's own thread then ends the connection). */
    void close(int code, String reason) {
        markClosed();
        try {
            session.close(code, reason);
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    /** Writes a frame immediately, bypassing the queue: for the handshake and for last words before a close. */
    void sendNow(String frame) {
        try {
            session.send(frame, true);
        } catch (RuntimeException e) {
            markClosed();
        }
    }
}

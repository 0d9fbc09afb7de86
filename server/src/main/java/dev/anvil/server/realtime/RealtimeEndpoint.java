package dev.anvil.server.realtime;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Principal;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;

/**
 * The Socket.IO endpoint at {@code /socket.io/}: owns this server's open sockets, the Engine.IO
 * heartbeat (the server pings every {@code pingInterval}; a socket that does not pong within
 * {@code pingTimeout} is closed) and the writer threads that drain each socket's queue.
 */
final class RealtimeEndpoint implements AutoCloseable {

    static final String PATH = "/socket.io/";
    /** Socket.IO's connectTimeout: an Engine.IO session that never sends CONNECT is closed. */
    static final long CONNECT_TIMEOUT_MS = 45_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Credentials credentials;
    private final ChannelEvents events;
    private final long pingIntervalMs;
    private final long pingTimeoutMs;
    private final int maxPayloadBytes;
    private final int rateLimit;
    private final Map<String, RealtimeSocket> sockets = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread heartbeat;
    private volatile boolean running = true;

    RealtimeEndpoint(Credentials credentials, ChannelEvents events, long pingIntervalMs, long pingTimeoutMs,
                     int maxPayloadBytes, int rateLimit) {
        this.credentials = credentials;
        this.events = events;
        this.pingIntervalMs = pingIntervalMs;
        this.pingTimeoutMs = pingTimeoutMs;
        this.maxPayloadBytes = maxPayloadBytes;
        this.rateLimit = rateLimit;
        this.heartbeat = Thread.ofVirtual().name("anvil-realtime-heartbeat").unstarted(this::heartbeatLoop);
        heartbeat.start();
    }

    WsRouting.Builder routing() {
        return WsRouting.builder().endpoint(PATH, () -> new SocketConnection(this));
    }

    RealtimeSocket open(WsSession session) {
        RealtimeSocket socket = new RealtimeSocket(newId(), session, writers, new SocketRateLimit(rateLimit));
        sockets.put(socket.engineId(), socket);
        return socket;
    }

    /** Cleanup after a socket is gone, however it went; runs once per socket. */
    void closed(RealtimeSocket socket) {
        socket.markClosed();
        if (sockets.remove(socket.engineId()) != null) {
            events.leaveAll(socket);
        }
    }

    Principal authenticate(Optional<String> token, Optional<String> apiKey) {
        return credentials.resolveUncached(token, apiKey).orElseThrow();
    }

    ChannelEvents events() {
        return events;
    }

    long pingIntervalMs() {
        return pingIntervalMs;
    }

    long pingTimeoutMs() {
        return pingTimeoutMs;
    }

    int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    int rateLimit() {
        return rateLimit;
    }

    void forEachConnected(java.util.function.Consumer<RealtimeSocket> action) {
        for (RealtimeSocket socket : sockets.values()) {
            if (socket.isConnected()) {
                action.accept(socket);
            }
        }
    }

    int socketCount() {
        return sockets.size();
    }

    private void heartbeatLoop() {
        long tick = Math.max(20, Math.min(1_000, Math.min(pingIntervalMs, pingTimeoutMs) / 5));
        while (running) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (RealtimeSocket socket : sockets.values()) {
                if (!socket.readerAlive()) {
                    // The peer vanished without a close frame; the connection is already gone.
                    closed(socket);
                } else if (socket.isClosed()) {
                    // A write failed: the peer is gone without a close frame.
                    closeAsync(socket, WsCloseCodes.GOING_AWAY, "transport error");
                } else if (socket.awaitingPong()) {
                    if (now - socket.lastPingSentNanos() > TimeUnit.MILLISECONDS.toNanos(pingTimeoutMs)) {
                        closeAsync(socket, WsCloseCodes.GOING_AWAY, "ping timeout");
                    }
                } else if (socket.id() == null && now - socket.openedAtNanos() > TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS)) {
                    closeAsync(socket, WsCloseCodes.VIOLATED_POLICY, "connect timeout");
                } else if (now - socket.lastPingSentNanos() >= TimeUnit.MILLISECONDS.toNanos(pingIntervalMs)) {
                    socket.pingSent(now);
                    socket.send(SocketIoCodec.PING_FRAME);
                }
            }
        }
    }

    /**
     * Cleans up now and sends the close frame on a writer thread: a peer that stopped reading can
     * block a write, and the heartbeat loop serves every socket.
     */
    private void closeAsync(RealtimeSocket socket, int code, String reason) {
        closed(socket);
        writers.execute(() -> socket.close(code, reason));
    }

    /** Tells every client the server is going away (contract §6.3 {@code notification}), then closes them. */
    @Override
    public void close() {
        running = false;
        heartbeat.interrupt();
        String notice = SocketIoCodec.eventFrame("notification", "{\"level\":\"warning\",\"title\":\"Server shutting down\","
                + "\"message\":\"The realtime server is restarting; the client reconnects by itself.\",\"meta\":{\"timestamp\":\""
                + IsoTime.now() + "\"}}");
        for (RealtimeSocket socket : sockets.values()) {
            if (socket.isConnected()) {
                socket.sendNow(notice);
            }
            socket.close(WsCloseCodes.GOING_AWAY, "server shutting down");
            sockets.remove(socket.engineId());
        }
        writers.shutdown();
        try {
            writers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ids like Socket.IO's: 20 URL-safe characters of randomness. */
    static String newId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

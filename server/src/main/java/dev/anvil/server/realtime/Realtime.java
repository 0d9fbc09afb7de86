package dev.anvil.server.realtime;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.PgNotificationListener;
import dev.anvil.server.http.Json;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;

/**
 * The realtime domain, assembled: the Socket.IO endpoint, channel events, the LISTEN loop that
 * feeds delivery, Postgres-backed presence with its heartbeat, webhooks, the admin API and the
 * retention sweep. {@link dev.anvil.server.AnvilServer} creates one and registers its routes.
 */
public final class Realtime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Realtime.class.getName());
    /** Notifications arrive at once whatever this is; it bounds how long shutdown may wait for the loop. */
    private static final Duration LISTEN_POLL = Duration.ofMillis(500);

    private final Presence presence;
    private final Rooms rooms = new Rooms();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1,
            Thread.ofPlatform().daemon().name("anvil-realtime-timer").factory());
    private final Webhooks webhooks;
    private final RealtimeEndpoint endpoint;
    private final PgNotificationListener listener;
    private final RealtimeAdminService adminService;
    private final MessageLog messages;
    private boolean firstHeartbeat = true;
    private final int maxPayloadBytes;

    public Realtime(AnvilConfig config, Database database, Credentials credentials) {
        this.maxPayloadBytes = config.getInt(RealtimeSettings.MAX_PAYLOAD_BYTES);
        Duration heartbeat = Duration.ofMillis(config.getLong(RealtimeSettings.PRESENCE_HEARTBEAT_MS));
        this.presence = new Presence(database.dataSource(), heartbeat);
        this.webhooks = new Webhooks(database.dataSource(),
                new WebhookTargets(config.getBoolean(RealtimeSettings.WEBHOOK_ALLOW_PRIVATE)),
                Duration.ofMillis(config.getLong(RealtimeSettings.WEBHOOK_TIMEOUT_MS)));
        ChannelEvents events = new ChannelEvents(new ChannelAccess(database.dataSource()),
                presence, rooms, background);
        this.endpoint = new RealtimeEndpoint(credentials, events, config.getLong(RealtimeSettings.PING_INTERVAL_MS),
                config.getLong(RealtimeSettings.PING_TIMEOUT_MS), maxPayloadBytes, config.getInt(RealtimeSettings.RATE_LIMIT));
        this.messages = new MessageLog(database.dataSource());
        this.adminService = new RealtimeAdminService(credentials, new ChannelStore(database.dataSource()), messages);

        this.listener = PgNotificationListener.start("anvil-realtime-listen", database.location(),
                List.of(MessageDelivery.MESSAGE_CHANNEL, MessageDelivery.PRESENCE_CHANNEL), LISTEN_POLL,
                new MessageDelivery(rooms, database.dataSource(), background, webhooks));
        timers.scheduleWithFixedDelay(this::heartbeat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        long sweep = config.getLong(RealtimeSettings.RETENTION_SWEEP_SECONDS);
        timers.scheduleWithFixedDelay(this::retention, Math.min(60, sweep), sweep, TimeUnit.SECONDS);
    }

    /** The websocket route at {@code /socket.io/}. */
    public WsRouting.Builder wsRouting() {
        return endpoint.routing();
    }

    /**
     * The websocket protocol settings: frames may be a little over the payload limit so that the
     * endpoint, not the frame reader, refuses oversized messages — it can then say why.
     */
    public WsConfig wsConfig() {
        return WsConfig.builder().name("websocket").maxFrameLength(maxPayloadBytes + 64 * 1024).build();
    }

    /**
     * HTTP routes: the admin API, and an Engine.IO error for long-polling requests (Anvil speaks the
     * websocket transport only, which is all the SDK uses).
     */
    public void register(HttpRouting.Builder routing) {
        routing.register("/api/realtime", adminService);
        routing.any(RealtimeEndpoint.PATH, (req, res) -> {
            res.status(400);
            Json.send(res, 400, Json.mapper().createObjectNode().put("code", 0).put("message", "Transport unknown"));
        });
    }

    /** True once the LISTEN connection is up. */
    public boolean isListening() {
        return listener.isListening();
    }

    /**
     * Waits (up to {@code timeout}) for the LISTEN connection to be up; the server calls it before it
     * accepts connections. Why not start the listener after the server listens, to shorten start-up:
     * a socket can only subscribe once the server listens, and it is sent what is NOTIFYed while it is
     * subscribed. A message stored before the LISTEN is up reaches nobody — the catch-up runs only on a
     * reconnect, from the last message delivered, and on the first connect there is none. With the
     * listener up before the first socket can connect, every message published after a socket
     * subscribed (from any replica, or by SQL) reaches it; starting it later would open a window in
     * which a subscribed socket silently misses messages. The wait costs nothing in practice: the
     * listener starts with the data side, well before the HTTP listener is ready.
     */
    public void awaitListening(Duration timeout) {
        try {
            if (!listener.awaitFirstListen(timeout)) {
                LOG.log(Level.WARNING, "Realtime LISTEN connection not up after " + timeout.toMillis()
                        + " ms; accepting connections anyway, it keeps retrying");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int socketCount() {
        return endpoint.socketCount();
    }

    private void heartbeat() {
        try {
            boolean registered = presence.heartbeat();
            if (registered && !firstHeartbeat) {
                // Other replicas swept this one (it was unreachable for longer than the expiry) and
                // announced its members' leaves; its sockets are still here, so they join again.
                LOG.log(Level.WARNING, "This server's presence had expired; re-announcing its members");
                endpoint.forEachConnected(socket -> {
                    for (String channel : socket.channels()) {
                        try {
                            presence.join(socket, channel);
                        } catch (SQLException e) {
                            LOG.log(Level.WARNING, "Could not re-join presence of " + socket.id() + ": " + e.getMessage());
                        }
                    }
                });
            }
            firstHeartbeat = false;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Realtime presence heartbeat failed: " + e.getMessage());
        }
    }

    private void retention() {
        try {
            int removed = messages.cleanupNow();
            if (removed > 0) {
                LOG.log(Level.INFO, "Realtime retention removed " + removed + " old messages");
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Realtime retention sweep failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        endpoint.close();
        timers.shutdownNow();
        listener.close();
        presence.leaveAll();
        webhooks.close();
        background.shutdown();
        try {
            background.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

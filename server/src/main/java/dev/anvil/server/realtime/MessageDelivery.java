package dev.anvil.server.realtime;

import java.lang.System.Logger.Level;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.db.PgNotificationListener;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;

/**
 * Turns stored messages into Socket.IO events for this server's sockets (contract §6.3): the event
 * is the message's {@code event_name}, its data the payload's fields spread at the top level plus
 * {@code meta} ({@code channel} with the {@code realtime:} prefix, {@code messageId},
 * {@code senderType}, {@code senderId} when there is one, {@code timestamp}). Each message is
 * encoded once and the same frame queued for every socket in the room, publisher included.
 *
 * <p>Runs on the LISTEN thread ({@link PgNotificationListener}) with its own connection, on
 * {@value #MESSAGE_CHANNEL} (the id of each new row in {@code realtime.messages}) and
 * {@value #PRESENCE_CHANNEL} (joins and leaves from any replica): a batch of message ids at a time (one
 * query per batch, however many messages arrived together). Audience counts and webhooks are written
 * afterwards off that thread, so they never delay delivery.
 */
final class MessageDelivery implements PgNotificationListener.Handler {

    static final String MESSAGE_CHANNEL = "realtime_message";
    static final String PRESENCE_CHANNEL = "realtime_presence";

    private static final System.Logger LOG = System.getLogger(MessageDelivery.class.getName());

    /** Socket.IO's own event names: a client receiving one would take it for a connection event. */
    static final Set<String> RESERVED_EVENTS = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");

    private static final String SELECT = "SELECT m.id::text, m.event_name, m.channel_name,"
            + " CASE WHEN jsonb_typeof(m.payload) = 'object' THEN (m.payload - 'meta')::text ELSE '{}' END,"
            + " m.sender_type, m.sender_id::text, m.created_at, c.webhook_urls,"
            + " CASE WHEN cardinality(c.webhook_urls) > 0 THEN m.payload::text END"
            + " FROM realtime.messages m JOIN realtime.channels c ON c.id = m.channel_id WHERE c.enabled AND ";

    /** How far back a reconnecting listener looks for messages stored while it was away. */
    private static final int CATCH_UP_LIMIT = 10_000;

    private final Rooms rooms;
    private final DataSource dataSource;
    private final Executor background;
    private final Webhooks webhooks;
    /** Ids delivered recently, so a catch-up after a reconnect never delivers one twice. Listener thread only. */
    private final Map<String, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CATCH_UP_LIMIT;
        }
    };
    private Timestamp lastCreatedAt;

    MessageDelivery(Rooms rooms, DataSource dataSource, Executor background, Webhooks webhooks) {
        this.rooms = rooms;
        this.dataSource = dataSource;
        this.background = background;
        this.webhooks = webhooks;
    }

    @Override
    public void connected(Connection connection, boolean reconnect) throws SQLException {
        if (!reconnect || lastCreatedAt == null) {
            return;
        }
        // NOTIFYs sent while nobody listened are lost; the rows are not. A little overlap (clock
        // skew between commit order and created_at) is removed by the recent-ids set.
        try (PreparedStatement statement = connection.prepareStatement(SELECT
                + "m.created_at > ?::timestamptz - interval '2 seconds' ORDER BY m.created_at, m.id LIMIT " + CATCH_UP_LIMIT)) {
            statement.setTimestamp(1, lastCreatedAt);
            deliver(statement);
        }
    }

    @Override
    public void notifications(Connection connection, List<PgNotificationListener.Notification> batch) throws SQLException {
        List<String> messageIds = new ArrayList<>(batch.size());
        for (PgNotificationListener.Notification notification : batch) {
            if (MESSAGE_CHANNEL.equals(notification.channel())) {
                messageIds.add(notification.payload());
            } else if (PRESENCE_CHANNEL.equals(notification.channel())) {
                // Messages first: a join/leave relayed after the messages that preceded it.
                if (!messageIds.isEmpty()) {
                    messages(connection, messageIds);
                    messageIds = new ArrayList<>();
                }
                presence(notification.payload());
            }
        }
        if (!messageIds.isEmpty()) {
            messages(connection, messageIds);
        }
    }

    private void messages(Connection connection, List<String> messageIds) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SELECT
                + "m.id = ANY (?::uuid[]) ORDER BY m.created_at, m.id")) {
            // Anyone may NOTIFY this channel; only well-formed ids reach the query.
            Object[] valid = messageIds.stream().filter(ChannelAccess::isUuid).toArray();
            if (valid.length == 0) {
                return;
            }
            Array ids = connection.createArrayOf("text", valid);
            statement.setArray(1, ids);
            deliver(statement);
        }
    }

    private void deliver(PreparedStatement statement) throws SQLException {
        List<String> countedIds = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String id = rows.getString(1);
                Timestamp createdAt = rows.getTimestamp(7);
                if (lastCreatedAt == null || createdAt.after(lastCreatedAt)) {
                    lastCreatedAt = createdAt;
                }
                if (recent.put(id, Boolean.TRUE) != null) {
                    continue;
                }
                String event = rows.getString(2);
                if (RESERVED_EVENTS.contains(event)) {
                    continue;
                }
                String channel = rows.getString(3);
                String frame = SocketIoCodec.eventFrame(event,
                        withMeta(rows.getString(4), channel, id, rows.getString(5), rows.getString(6)));
                int audience = rooms.broadcast(channel, frame, null);
                if (audience > 0) {
                    countedIds.add(id);
                    counts.add(audience);
                }
                Array urls = rows.getArray(8);
                if (urls != null) {
                    String[] targets = (String[]) urls.getArray();
                    if (targets.length > 0) {
                        webhooks.dispatch(id, event, channel, rows.getString(9), List.of(targets));
                    }
                }
            }
        }
        if (!countedIds.isEmpty()) {
            background.execute(() -> recordAudience(countedIds, counts));
        }
    }

    /** {@code {...payload, meta}}: the payload text is a JSON object without a {@code meta} key. */
    static String withMeta(String payloadJson, String channel, String messageId, String senderType, String senderId) {
        StringBuilder meta = new StringBuilder(160)
                .append("\"meta\":{\"channel\":").append(SocketIoCodec.quote("realtime:" + channel))
                .append(",\"messageId\":\"").append(messageId)
                .append("\",\"senderType\":").append(SocketIoCodec.quote(senderType));
        if (senderId != null) {
            meta.append(",\"senderId\":\"").append(senderId).append('"');
        }
        meta.append(",\"timestamp\":\"").append(IsoTime.now()).append("\"}}");
        String body = payloadJson.strip();
        if (body.equals("{}")) {
            return "{" + meta;
        }
        return body.substring(0, body.length() - 1) + "," + meta;
    }

    /** Presence joins and leaves from any replica, relayed to this server's sockets in the room. */
    private void presence(String payload) {
        JsonNode event;
        try {
            event = Json.parse(payload);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Ignoring malformed presence notification: " + payload);
            return;
        }
        String channel = event.path("channel").asText();
        String data = "{\"member\":" + Json.string(event.get("member"))
                + ",\"meta\":{\"channel\":" + SocketIoCodec.quote(channel)
                + ",\"messageId\":" + SocketIoCodec.quote(event.path("messageId").asText())
                + ",\"senderType\":\"system\",\"timestamp\":" + SocketIoCodec.quote(event.path("timestamp").asText()) + "}}";
        rooms.broadcast(channel, SocketIoCodec.eventFrame(event.path("event").asText(), data),
                event.path("except").asText(null));
    }

    /** Adds this replica's audience to each message's {@code ws_audience_count}; replicas add up. */
    private void recordAudience(List<String> ids, List<Integer> counts) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE realtime.messages m SET ws_audience_count = m.ws_audience_count + v.n"
                             + " FROM unnest(?::uuid[], ?::int[]) AS v(id, n) WHERE m.id = v.id")) {
            statement.setArray(1, connection.createArrayOf("text", ids.toArray()));
            statement.setArray(2, connection.createArrayOf("int4", counts.toArray()));
            statement.executeUpdate();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Could not record realtime audience counts: " + e.getMessage());
        }
    }
}

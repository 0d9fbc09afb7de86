package dev.anvil.server.realtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;

/**
 * Stored messages for the admin API (contract §6.4): listing, clearing, statistics, the retention
 * setting, and the retention sweep that {@code realtime.cleanup_messages()} performs.
 */
final class MessageLog {

    private final DataSource dataSource;

    MessageLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    ArrayNode list(String channelId, String eventName, int limit, int offset) throws SQLException {
        Filter filter = new Filter().add("channel_id = ?::uuid", channelId).add("event_name = ?", eventName);
        ArrayNode messages = Json.mapper().createArrayNode();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT id::text, event_name, channel_id::text, "
                     + "channel_name, payload::text, sender_type, sender_id::text, ws_audience_count, wh_audience_count, "
                     + "wh_delivered_count, created_at FROM realtime.messages" + filter.where()
                     + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?")) {
            int next = filter.bind(statement);
            statement.setInt(next, limit);
            statement.setInt(next + 1, offset);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ObjectNode message = messages.addObject();
                    message.put("id", rows.getString(1));
                    message.put("eventName", rows.getString(2));
                    message.put("channelId", rows.getString(3));
                    message.put("channelName", rows.getString(4));
                    message.set("payload", Json.parse(rows.getString(5)));
                    message.put("senderType", rows.getString(6));
                    message.put("senderId", rows.getString(7));
                    message.put("wsAudienceCount", rows.getInt(8));
                    message.put("whAudienceCount", rows.getInt(9));
                    message.put("whDeliveredCount", rows.getInt(10));
                    message.put("createdAt", IsoTime.of(rows.getTimestamp(11)));
                }
            }
        }
        return messages;
    }

    int delete(String channelId) throws SQLException {
        Filter filter = new Filter().add("channel_id = ?::uuid", channelId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM realtime.messages" + filter.where())) {
            filter.bind(statement);
            return statement.executeUpdate();
        }
    }

    ObjectNode stats(String channelId, Timestamp since) throws SQLException {
        Filter filter = new Filter().add("channel_id = ?::uuid", channelId).add("created_at >= ?", since);
        ObjectNode stats = Json.object();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement("SELECT count(*), coalesce(sum(wh_audience_count), 0), "
                    + "coalesce(sum(wh_delivered_count), 0) FROM realtime.messages" + filter.where())) {
                filter.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    stats.put("totalMessages", rows.getLong(1));
                    long audience = rows.getLong(2);
                    stats.put("whDeliveryRate", audience == 0 ? 0.0 : (double) rows.getLong(3) / audience);
                }
            }
            ArrayNode top = stats.putArray("topEvents");
            try (PreparedStatement statement = connection.prepareStatement("SELECT event_name, count(*) FROM realtime.messages"
                    + filter.where() + " GROUP BY event_name ORDER BY count(*) DESC, event_name LIMIT 10")) {
                filter.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ObjectNode event = top.addObject();
                        event.put("eventName", rows.getString(1));
                        event.put("count", rows.getLong(2));
                    }
                }
            }
            putRetention(stats, retentionDays(connection));
        }
        return stats;
    }

    ObjectNode config() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            ObjectNode config = Json.object();
            putRetention(config, retentionDays(connection));
            return config;
        }
    }

    void setRetentionDays(Integer days) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "INSERT INTO realtime.config (singleton, retention_days) VALUES (true, ?) "
                             + "ON CONFLICT (singleton) DO UPDATE SET retention_days = excluded.retention_days, updated_at = now()")) {
            statement.setObject(1, days, java.sql.Types.INTEGER);
            statement.executeUpdate();
        }
    }

    /** Deletes messages older than the retention setting; returns how many. */
    int cleanupNow() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT realtime.cleanup_messages()");
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Policies on the tables that decide subscribing (channels) and publishing (messages). */
    ObjectNode permissions() throws SQLException {
        ObjectNode permissions = Json.object();
        try (Connection connection = dataSource.getConnection()) {
            permissions.putObject("subscribe").set("policies", policies(connection, "channels"));
            permissions.putObject("publish").set("policies", policies(connection, "messages"));
        }
        return permissions;
    }

    private static ArrayNode policies(Connection connection, String table) throws SQLException {
        ArrayNode policies = Json.mapper().createArrayNode();
        try (PreparedStatement statement = connection.prepareStatement("SELECT policyname, tablename, cmd, roles::text[], qual, "
                + "with_check FROM pg_policies WHERE schemaname = 'realtime' AND tablename = ? "
                + "AND policyname <> 'project_admin_policy' ORDER BY policyname")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ObjectNode policy = policies.addObject();
                    policy.put("policyName", rows.getString(1));
                    policy.put("tableName", rows.getString(2));
                    policy.put("command", rows.getString(3));
                    ArrayNode roles = policy.putArray("roles");
                    for (String role : (String[]) rows.getArray(4).getArray()) {
                        roles.add(role);
                    }
                    policy.put("using", rows.getString(5));
                    policy.put("withCheck", rows.getString(6));
                }
            }
        }
        return policies;
    }

    private static Integer retentionDays(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT retention_days FROM realtime.config LIMIT 1");
             ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                return null;
            }
            int days = rows.getInt(1);
            return rows.wasNull() ? null : days;
        }
    }

    private static void putRetention(ObjectNode node, Integer days) {
        if (days == null) {
            node.putNull("retentionDays");
        } else {
            node.put("retentionDays", days);
        }
    }

    /** Optional equality filters, bound in order. */
    private static final class Filter {
        private final List<String> clauses = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();

        Filter add(String clause, Object value) {
            if (value != null) {
                clauses.add(clause);
                values.add(value);
            }
            return this;
        }

        String where() {
            return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
        }

        int bind(PreparedStatement statement) throws SQLException {
            for (int i = 0; i < values.size(); i++) {
                statement.setObject(i + 1, values.get(i));
            }
            return values.size() + 1;
        }
    }
}

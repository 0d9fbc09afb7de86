package dev.anvil.server.realtime;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;

/**
 * {@code realtime.channels} for the admin API (contract §6.4): patterns are SQL LIKE patterns with
 * {@code %} wildcards and {@code :} separators, validated the way InsForge does.
 */
final class ChannelStore {

    static final Pattern PATTERN = Pattern.compile("^[a-zA-Z0-9-]+(:[a-zA-Z0-9%:-]+)*$");
    private static final String COLUMNS = "id::text, pattern, description, webhook_urls, enabled, created_at, updated_at";

    private final DataSource dataSource;

    ChannelStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    ArrayNode list() throws SQLException {
        ArrayNode channels = Json.mapper().createArrayNode();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                     + " FROM realtime.channels ORDER BY created_at, pattern");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                channels.add(toJson(rows));
            }
        }
        return channels;
    }

    Optional<ObjectNode> find(String id) throws SQLException {
        if (!ChannelAccess.isUuid(id)) {
            return Optional.empty();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                     + " FROM realtime.channels WHERE id = ?::uuid")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(toJson(rows)) : Optional.empty();
            }
        }
    }

    ObjectNode create(JsonFields body) throws SQLException {
        String pattern = validated(() -> body.string("pattern")).filter(p -> !p.isEmpty())
                .orElseThrow(() -> invalidRequest("pattern: Channel pattern is required"));
        checkPattern(pattern);
        Optional<String> description = validated(() -> body.string("description"));
        Optional<List<String>> webhooks = webhookUrls(body);
        boolean enabled = validated(() -> body.bool("enabled")).orElse(true);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO realtime.channels "
                     + "(pattern, description, webhook_urls, enabled) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)) {
            statement.setString(1, pattern);
            statement.setString(2, description.orElse(null));
            statement.setArray(3, webhooks.map(urls -> array(connection, urls)).orElse(null));
            statement.setBoolean(4, enabled);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return toJson(rows);
            }
        }
    }

    Optional<ObjectNode> update(String id, JsonFields body) throws SQLException {
        Optional<String> pattern = validated(() -> body.string("pattern"));
        if (pattern.isPresent()) {
            if (pattern.get().isEmpty()) {
                throw invalidRequest("pattern: String must contain at least 1 character(s)");
            }
            checkPattern(pattern.get());
        }
        Optional<String> description = validated(() -> body.string("description"));
        Optional<List<String>> webhooks = webhookUrls(body);
        Optional<Boolean> enabled = validated(() -> body.bool("enabled"));
        if (!ChannelAccess.isUuid(id)) {
            return Optional.empty();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("UPDATE realtime.channels SET "
                     + "pattern = coalesce(?, pattern), "
                     + "description = CASE WHEN ? THEN ? ELSE description END, "
                     + "webhook_urls = CASE WHEN ? THEN ? ELSE webhook_urls END, "
                     + "enabled = coalesce(?, enabled) WHERE id = ?::uuid RETURNING " + COLUMNS)) {
            statement.setString(1, pattern.orElse(null));
            statement.setBoolean(2, description.isPresent());
            statement.setString(3, description.orElse(null));
            statement.setBoolean(4, webhooks.isPresent());
            statement.setArray(5, webhooks.map(urls -> array(connection, urls)).orElse(null));
            statement.setObject(6, enabled.orElse(null), java.sql.Types.BOOLEAN);
            statement.setString(7, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(toJson(rows)) : Optional.empty();
            }
        }
    }

    boolean delete(String id) throws SQLException {
        if (!ChannelAccess.isUuid(id)) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM realtime.channels WHERE id = ?::uuid")) {
            statement.setString(1, id);
            return statement.executeUpdate() == 1;
        }
    }

    private static void checkPattern(String pattern) {
        if (!PATTERN.matcher(pattern).matches()) {
            throw new ApiException(400, "REALTIME_INVALID_CHANNEL_PATTERN",
                    "Invalid channel pattern: use letters, digits and '-', segments separated by ':', '%' as a wildcard "
                            + "(e.g. \"chat:%\", \"order:%:updates\")");
        }
    }

    private static Optional<List<String>> webhookUrls(JsonFields body) {
        Optional<List<String>> urls = validated(() -> body.stringList("webhookUrls"));
        urls.ifPresent(list -> {
            for (int i = 0; i < list.size(); i++) {
                if (!isUrl(list.get(i))) {
                    throw invalidRequest("webhookUrls." + i + ": Invalid url");
                }
            }
        });
        return urls;
    }

    private static boolean isUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.getScheme() != null && (uri.getHost() != null || uri.getAuthority() != null);
        } catch (Exception e) {
            return false;
        }
    }

    /** Body validation failures carry the realtime module's code, as InsForge's zod middleware does. */
    private static <T> T validated(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ApiException e) {
            if ("INVALID_INPUT".equals(e.code())) {
                throw invalidRequest(e.getMessage());
            }
            throw e;
        }
    }

    private static ApiException invalidRequest(String message) {
        return new ApiException(400, "REALTIME_INVALID_CHANNEL_REQUEST", message);
    }

    private static java.sql.Array array(Connection connection, List<String> values) {
        try {
            return connection.createArrayOf("text", values.toArray());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode toJson(ResultSet rows) throws SQLException {
        ObjectNode channel = Json.object();
        channel.put("id", rows.getString(1));
        channel.put("pattern", rows.getString(2));
        channel.put("description", rows.getString(3));
        java.sql.Array urls = rows.getArray(4);
        if (urls == null) {
            channel.putNull("webhookUrls");
        } else {
            ArrayNode list = channel.putArray("webhookUrls");
            for (String url : (String[]) urls.getArray()) {
                list.add(url);
            }
        }
        channel.put("enabled", rows.getBoolean(5));
        channel.put("createdAt", IsoTime.of(rows.getTimestamp(6)));
        channel.put("updatedAt", IsoTime.of(rows.getTimestamp(7)));
        return channel;
    }

}

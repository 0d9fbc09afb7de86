package dev.anvil.server.platform.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;

/**
 * Catalog and platform rows as JSON, built by Postgres ({@code json_agg}) rather than mapped column
 * by column: column aliases become the keys, arrays stay arrays, numbers and booleans keep their types.
 */
final class JsonRows {

    private JsonRows() {
    }

    /** A timestamptz column as the JavaScript ISO form InsForge answers ({@code 2026-08-20T10:11:12.345Z}). */
    static String isoTime(String column) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    }

    static ArrayNode query(Connection connection, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(aggregate(sql))) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return array(row.getString(1));
            }
        }
    }

    static ArrayNode query(DbClient db, String sql, Object... params) {
        return db.execute().get(aggregate(sql), params)
                .map(row -> array(row.column("rows").get(String.class)))
                .orElseGet(() -> Json.mapper().createArrayNode());
    }

    private static String aggregate(String sql) {
        return "SELECT coalesce(json_agg(r), '[]')::text AS rows FROM (" + sql + ") r";
    }

    private static ArrayNode array(String json) {
        JsonNode node = Json.parse(json);
        return (ArrayNode) node;
    }
}

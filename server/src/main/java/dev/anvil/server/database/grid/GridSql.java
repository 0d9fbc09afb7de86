package dev.anvil.server.database.grid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.Json;

/**
 * One statement being written: SQL text with {@code ?} placeholders and their values in order.
 * Identifiers come from pg_catalog and are always quoted; client values are only ever bound.
 */
final class GridSql {

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> parameters = new ArrayList<>();

    GridSql append(String text) {
        sql.append(text);
        return this;
    }

    /** Appends another statement part with its values. */
    GridSql append(GridSql part) {
        sql.append(part.sql);
        parameters.addAll(part.parameters);
        return this;
    }

    boolean isEmpty() {
        return sql.isEmpty();
    }

    GridSql bind(String placeholder, Object value) {
        sql.append(placeholder);
        parameters.add(value);
        return this;
    }

    /**
     * A client's JSON value for a column, converted by Postgres. Strings, numbers and booleans go
     * through the column type's input function ({@code CAST(text AS type)}), as node-pg sends them to
     * InsForge: {@code "2024-01-01"} becomes a date, {@code "{\"a\":1}"} a json object. Objects and
     * arrays are converted by {@code jsonb_populate_record} with the table's row type, so a json column
     * keeps them as they are and an array or composite column gets them element by element.
     */
    GridSql value(GridTable table, GridColumn column, JsonNode value) {
        if (value == null || value.isNull()) {
            return append("NULL");
        }
        if (value.isContainerNode()) {
            String record = Json.string(Json.object().set(column.name(), value));
            return append("(jsonb_populate_record(NULL::" + table.qualified() + ", ").bind("?::jsonb", record)
                    .append("))." + Identifiers.quote(column.name()));
        }
        String text = value.isTextual() ? value.textValue() : value.toString();
        return append("CAST(").bind("?::text", text).append(" AS " + column.type() + ")");
    }

    /** {@code "column" = value}, or {@code IS NULL} for a null (which a primary key never matches). */
    GridSql equals(GridTable table, GridColumn column, JsonNode value) {
        append(Identifiers.quote(column.name()));
        return value == null || value.isNull() ? append(" IS NULL") : append(" = ").value(table, column, value);
    }

    PreparedStatement prepare(Connection connection) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql.toString());
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
        return statement;
    }

    @Override
    public String toString() {
        return sql.toString();
    }
}

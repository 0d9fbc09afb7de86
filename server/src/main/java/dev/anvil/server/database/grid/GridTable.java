package dev.anvil.server.database.grid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.ApiException;

/**
 * A table (or view) as the grid addresses it: its columns in order and its primary key, read from
 * pg_catalog inside the request's transaction, so the statement that follows sees the same table.
 */
record GridTable(String schema, String name, Map<String, GridColumn> columns, List<String> primaryKey) {

    private static final String RELATION = "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')";
    private static final String COLUMNS = "SELECT a.attname, format_type(a.atttypid, -1) AS type, "
            + "t.typname IN ('text', 'varchar', 'bpchar', 'citext') AS text_like, NOT a.attnotnull AS nullable "
            + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            + "WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    private static final String PRIMARY_KEY = "SELECT a.attname FROM pg_index i "
            + "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) "
            + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            + "WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.position";

    static GridTable load(Connection connection, String schema, String name) throws SQLException {
        long oid;
        try (PreparedStatement statement = connection.prepareStatement(RELATION)) {
            statement.setString(1, schema);
            statement.setString(2, name);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new ApiException(404, "DATABASE_NOT_FOUND", "table not found",
                            "Please check the table name and ?schema=; GET /api/database/tables lists the tables.");
                }
                oid = rows.getLong(1);
            }
        }
        Map<String, GridColumn> columns = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setLong(1, oid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String column = rows.getString("attname");
                    columns.put(column, new GridColumn(column, rows.getString("type"), rows.getBoolean("text_like"),
                            rows.getBoolean("nullable")));
                }
            }
        }
        List<String> primaryKey = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(PRIMARY_KEY)) {
            statement.setLong(1, oid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    primaryKey.add(rows.getString(1));
                }
            }
        }
        return new GridTable(schema, name, columns, List.copyOf(primaryKey));
    }

    String qualified() {
        return Identifiers.qualified(schema, name);
    }

    GridColumn column(String columnName) {
        GridColumn column = columns.get(columnName);
        if (column == null) {
            throw new ApiException(400, "INVALID_INPUT", "Unknown column \"" + columnName + "\".",
                    "Check the table schema and try again.");
        }
        return column;
    }

    List<GridColumn> textColumns() {
        return columns.values().stream().filter(GridColumn::textLike).toList();
    }

    /**
     * Requires the given columns to be exactly the primary key, so a partial composite key cannot
     * reach more rows than the one meant. Unlike InsForge, which then falls back to whatever columns
     * the client names, a table without a primary key is refused: its rows have no identity to edit by.
     */
    void requireWholePrimaryKey(Collection<String> keyColumns) {
        keyColumns.forEach(this::column);
        if (primaryKey.isEmpty()) {
            throw new ApiException(400, "INVALID_INPUT", "Table \"" + name + "\" has no primary key.",
                    "Rows can only be changed here by primary key; add one, or use raw SQL.");
        }
        if (keyColumns.size() != primaryKey.size() || !new HashSet<>(keyColumns).containsAll(primaryKey)) {
            throw new ApiException(400, "INVALID_INPUT", "Primary key does not match the table primary key.",
                    "Provide exactly these primary key columns: " + String.join(", ", primaryKey) + ".");
        }
    }
}

package dev.anvil.server.database.export;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.ApiException;

/**
 * The export's read-only transaction: catalog queries, the tables to export, and those cut at the row limit.
 * The transaction runs with {@code search_path = pg_catalog}, so everything Postgres prints back
 * ({@code pg_get_*def}, {@code regclass}, {@code format_type}) names user objects with their schema
 * — the script then means the same thing whatever search path the importing session has.
 */
final class ExportSession {

    /** A table to export: its name in {@code public} and its oid. */
    record Table(String name, long oid) {

        String qualified() {
            return Identifiers.qualified("public", name);
        }
    }

    private final Connection connection;
    private final List<String> truncated = new ArrayList<>();

    ExportSession(Connection connection) {
        this.connection = connection;
    }

    /** The tables whose rows were cut at the row limit, as the export found them. */
    List<String> truncated() {
        return truncated;
    }

    Connection connection() {
        return connection;
    }

    /** The first column of every row, as text. */
    List<String> strings(String sql, Object... parameters) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getString(1));
                }
            }
        }
        return out;
    }

    /** The requested tables in the order asked (each once), or every user table in public by name. */
    List<Table> tables(List<String> requested) throws SQLException {
        List<Table> all = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT c.relname, c.oid FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                  AND d.deptype = 'e')
                ORDER BY c.relname""");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                all.add(new Table(rows.getString(1), rows.getLong(2)));
            }
        }
        if (requested.isEmpty()) {
            return all;
        }
        List<Table> chosen = new ArrayList<>();
        for (String name : new LinkedHashSet<>(requested)) {
            chosen.add(all.stream().filter(t -> t.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ApiException(404, "DATABASE_NOT_FOUND", "Table not found: " + name,
                            "Export only tables of the public schema; GET /api/database/tables lists them.")));
        }
        return chosen;
    }

    static Long[] oids(List<Table> tables) {
        return tables.stream().map(Table::oid).toArray(Long[]::new);
    }
}

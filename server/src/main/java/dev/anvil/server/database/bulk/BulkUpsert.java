package dev.anvil.server.database.bulk;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.bulk.BulkUploadForm.UploadedFile;
import dev.anvil.server.database.rawsql.NodePgParameters;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;

/**
 * Loads the records of a CSV or JSON file into a table (contract §3.5, the MCP's {@code bulk-upsert}):
 * read one record at a time, sent in batches of parameterised multi-row {@code INSERT}s — with
 * {@code ON CONFLICT (upsertKey) DO UPDATE} when a key is given — in one transaction as
 * {@code project_admin}, so a bad record leaves the table as it was. As in InsForge, records are
 * grouped by the fields they have (a JSON record without a field does not overwrite that column
 * with NULL) and an empty string is NULL.
 */
final class BulkUpsert {

    /** Rows per INSERT, and at most this many bind parameters per statement. */
    private static final int MAX_ROWS_PER_STATEMENT = 500;
    private static final int MAX_PARAMETERS = 32_000;

    private final RoleTransaction transactions;
    private final Duration statementTimeout;

    BulkUpsert(RoleTransaction transactions, Duration statementTimeout) {
        this.transactions = transactions;
        this.statementTimeout = statementTimeout;
    }

    /** {@code {success, message, table, rowsAffected, totalRecords, filename}}. */
    ObjectNode run(String schema, String table, String upsertKey, UploadedFile file) {
        String extension = extension(file.filename());
        if (!extension.equals(".csv") && !extension.equals(".json")) {
            throw ApiException.invalidInput("Unsupported file type. Use .csv or .json");
        }
        long[] counts;
        try {
            counts = transactions.run(Principal.PROJECT_ADMIN, new Principal.ApiKey().claimsJson(), false, connection -> {
                Set<String> jsonColumns = requireTable(connection, schema, table);
                RoleTransaction.limitStatementTime(connection, statementTimeout);
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file.spooled().path()), 64 * 1024)) {
                    RecordSource records = extension.equals(".csv")
                            ? new CsvRecords(new InputStreamReader(in, StandardCharsets.UTF_8))
                            : new JsonRecords(in);
                    return load(connection, records, new Target(schema, table, upsertKey, jsonColumns));
                } catch (JsonProcessingException e) {
                    throw ApiException.invalidInput("Failed to parse " + extension + " file: " + e.getOriginalMessage());
                } catch (IOException e) {
                    throw ApiException.invalidInput("Failed to read the uploaded file: " + e.getMessage());
                }
            });
        } catch (SQLException e) {
            throw PgErrors.toApiException(e);
        }
        if (counts[1] == 0) {
            throw ApiException.invalidInput("No records found in file");
        }
        ObjectNode body = Json.object();
        body.put("success", true);
        body.put("message", "Successfully inserted " + counts[0] + " rows into " + table);
        body.put("table", table);
        body.put("rowsAffected", counts[0]);
        body.put("totalRecords", counts[1]);
        body.put("filename", file.filename());
        return body;
    }

    /** Where the records go; {@code jsonColumns} take JSON text for arrays and objects instead of array literals. */
    private record Target(String schema, String table, String upsertKey, Set<String> jsonColumns) {
    }

    /** Returns {rows affected, records read}. */
    private static long[] load(Connection connection, RecordSource records, Target target) throws SQLException, IOException {
        long affected = 0;
        long total = 0;
        List<String> columns = null;
        List<Map<String, Object>> batch = new ArrayList<>();
        Map<String, Object> record;
        while ((record = records.next()) != null) {
            total++;
            if (record.isEmpty()) {
                throw ApiException.invalidInput("Record " + total + " has no fields");
            }
            List<String> shape = new ArrayList<>(new TreeSet<>(record.keySet()));
            boolean full = columns != null && batch.size() >= Math.min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS / columns.size());
            if (columns != null && (!shape.equals(columns) || full)) {
                affected += insert(connection, target, columns, batch);
                batch.clear();
            }
            columns = shape;
            batch.add(record);
        }
        if (!batch.isEmpty()) {
            affected += insert(connection, target, columns, batch);
        }
        return new long[] {affected, total};
    }

    private static long insert(Connection connection, Target target, List<String> columns, List<Map<String, Object>> rows)
            throws SQLException {
        columns.forEach(column -> Identifiers.require("column", column));
        if (target.upsertKey() != null && !columns.contains(target.upsertKey())) {
            throw ApiException.invalidInput("Upsert key '" + target.upsertKey() + "' not found in record columns");
        }
        String row = "(" + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(Identifiers.qualified(target.schema(), target.table()))
                .append(" (").append(String.join(", ", columns.stream().map(Identifiers::quote).toList())).append(") VALUES ")
                .append(String.join(", ", rows.stream().map(r -> row).toList()));
        if (target.upsertKey() != null) {
            List<String> updates = columns.stream().filter(c -> !c.equals(target.upsertKey()))
                    .map(c -> Identifiers.quote(c) + " = EXCLUDED." + Identifiers.quote(c)).toList();
            sql.append(" ON CONFLICT (").append(Identifiers.quote(target.upsertKey())).append(") ")
                    .append(updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates));
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int index = 1;
            for (Map<String, Object> record : rows) {
                for (String column : columns) {
                    String value = text(record.get(column), target.jsonColumns().contains(column));
                    if (value == null) {
                        statement.setNull(index++, Types.OTHER);
                    } else {
                        // untyped, so Postgres converts the text to the column's type
                        statement.setObject(index++, value, Types.OTHER);
                    }
                }
            }
            return statement.executeLargeUpdate();
        }
    }

    /** A field's text: an empty string is NULL; JSON values as node-pg would send them. */
    private static String text(Object value, boolean jsonColumn) {
        if (value instanceof JsonNode node) {
            if (jsonColumn && (node.isContainerNode() || node.isNumber() || node.isBoolean())) {
                return Json.string(node);
            }
            value = NodePgParameters.toText(node);
        }
        String text = (String) value;
        return text == null || text.isEmpty() ? null : text;
    }

    /** The table must exist; returns its json/jsonb columns. */
    private static Set<String> requireTable(Connection connection, String schema, String table) throws SQLException {
        Set<String> jsonColumns = new HashSet<>();
        boolean found = false;
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT a.attname, a.atttypid IN ('json'::regtype, 'jsonb'::regtype) AS json
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found = true;
                    if (rows.getBoolean("json")) {
                        jsonColumns.add(rows.getString("attname"));
                    }
                }
            }
        }
        if (!found) {
            throw new ApiException(404, "DATABASE_NOT_FOUND", "table not found",
                    "Create the table first (POST /api/database/tables), then upload its rows.");
        }
        return jsonColumns;
    }

    private static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot).toLowerCase(Locale.ROOT);
    }
}

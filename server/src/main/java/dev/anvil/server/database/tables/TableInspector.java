package dev.anvil.server.database.tables;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;

/**
 * Reads what the catalog says about user tables: whether one exists, its columns, foreign keys and
 * row count, in the shapes of {@code GET /api/database/tables/:table/schema} (contract §3.1).
 * Queries go to {@code pg_catalog}, not {@code information_schema}, which hides objects the current
 * role has no privilege on.
 */
final class TableInspector {

    /** The oid of an ordinary or partitioned table, or null. */
    private static final String TABLE_OID = """
            SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    private static final String COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
                   pg_get_expr(d.adbin, d.adrelid) AS default_value,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary
                                                      AND a.attnum = ANY (i.indkey)) AS primary_key,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique
                                                      AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
                                                      AND i.indpred IS NULL) AS single_unique
            FROM pg_attribute a
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private static final String FOREIGN_KEYS = """
            SELECT con.conname, nf.nspname AS reference_schema, cf.relname AS reference_table,
                   con.confdeltype, con.confupdtype,
                   array_agg(src.attname ORDER BY k.position) AS source_columns,
                   array_agg(ref.attname ORDER BY k.position) AS reference_columns
            FROM pg_constraint con
            JOIN pg_class cf ON cf.oid = con.confrelid
            JOIN pg_namespace nf ON nf.oid = cf.relnamespace
            CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(source_attnum, reference_attnum, position)
            JOIN pg_attribute src ON src.attrelid = con.conrelid AND src.attnum = k.source_attnum
            JOIN pg_attribute ref ON ref.attrelid = con.confrelid AND ref.attnum = k.reference_attnum
            WHERE con.contype = 'f' AND con.conrelid = ?
            GROUP BY con.oid, con.conname, nf.nspname, cf.relname, con.confdeltype, con.confupdtype
            ORDER BY con.conname""";

    /** {@code 'text'::type} (a string default as Postgres stores it); group 1 is the text with {@code ''} doubled. */
    private static final Pattern STRING_DEFAULT = Pattern.compile("'((?:[^']|'')*)'::[\\w\\s.\"\\[\\]()]+");
    /** A number with a cast, as Postgres may store one: {@code (-1)::bigint}, {@code 1.5::double precision}. */
    private static final Pattern NUMBER_DEFAULT = Pattern.compile("\\(?(-?\\d[\\d.eE+-]*)\\)?::[\\w\\s]+");

    private final Duration countTimeout;

    TableInspector(Duration countTimeout) {
        this.countTimeout = countTimeout;
    }

    /** A foreign key as the catalog has it. */
    record ForeignKey(String name, String referenceSchema, String referenceTable, List<String> sourceColumns,
                      List<String> referenceColumns, String onDelete, String onUpdate) {
    }

    Optional<Long> tableOid(Connection connection, String schema, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TABLE_OID)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(row.getLong(1)) : Optional.empty();
            }
        }
    }

    /** True when any relation (table, view, sequence, index…) already has this name in the schema. */
    boolean relationExists(Connection connection, String schema, String name) throws SQLException {
        return exists(connection, "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relname = ?", schema, name);
    }

    boolean schemaExists(Connection connection, String schema) throws SQLException {
        return exists(connection, "SELECT 1 FROM pg_namespace WHERE nspname = ?", schema);
    }

    /** Base table names of the schema, sorted. */
    List<String> tableNames(Connection connection, String schema) throws SQLException {
        return names(connection, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname", schema);
    }

    List<String> columnNames(Connection connection, long tableOid) throws SQLException {
        return names(connection, "SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped "
                + "ORDER BY attnum", tableOid);
    }

    List<ForeignKey> foreignKeys(Connection connection, long tableOid) throws SQLException {
        List<ForeignKey> keys = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(FOREIGN_KEYS)) {
            statement.setLong(1, tableOid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add(new ForeignKey(rows.getString("conname"), rows.getString("reference_schema"),
                            rows.getString("reference_table"), arrayOfNames(rows.getArray("source_columns")),
                            arrayOfNames(rows.getArray("reference_columns")), action(rows.getString("confdeltype")),
                            action(rows.getString("confupdtype"))));
                }
            }
        }
        return keys;
    }

    /** {@code {schemaName, tableName, columns, foreignKeys, recordCount}}. */
    ObjectNode describe(Connection connection, String schema, String table, long tableOid) throws SQLException {
        ObjectNode body = Json.object();
        body.put("schemaName", schema);
        body.put("tableName", table);
        body.set("columns", columns(connection, tableOid));
        body.set("foreignKeys", foreignKeysJson(connection, schema, tableOid));
        body.put("recordCount", recordCount(connection, schema, table, tableOid));
        return body;
    }

    private ArrayNode columns(Connection connection, long tableOid) throws SQLException {
        ArrayNode columns = Json.mapper().createArrayNode();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setLong(1, tableOid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ObjectNode column = columns.addObject();
                    boolean primaryKey = rows.getBoolean("primary_key");
                    column.put("columnName", rows.getString("attname"));
                    column.put("type", ColumnType.fromPostgres(rows.getString("type")));
                    column.put("isNullable", rows.getBoolean("nullable"));
                    column.put("isPrimaryKey", primaryKey);
                    column.put("isUnique", primaryKey || rows.getBoolean("single_unique"));
                    String defaultValue = displayDefault(rows.getString("default_value"));
                    if (defaultValue != null) {
                        column.put("defaultValue", defaultValue);
                    }
                }
            }
        }
        return columns;
    }

    /** The keys in the contract's shape; {@code referenceTable} is qualified only when it is in another schema. */
    private ArrayNode foreignKeysJson(Connection connection, String schema, long tableOid) throws SQLException {
        ArrayNode json = Json.mapper().createArrayNode();
        for (ForeignKey key : foreignKeys(connection, tableOid)) {
            ObjectNode node = json.addObject();
            node.put("constraintName", key.name());
            node.put("referenceTable", key.referenceSchema().equals(schema) ? key.referenceTable()
                    : key.referenceSchema() + "." + key.referenceTable());
            ArrayNode pairs = node.putArray("referenceColumns");
            for (int i = 0; i < key.sourceColumns().size(); i++) {
                ObjectNode pair = pairs.addObject();
                pair.put("sourceColumn", key.sourceColumns().get(i));
                pair.put("referenceColumn", key.referenceColumns().get(i));
            }
            node.put("onDelete", key.onDelete());
            node.put("onUpdate", key.onUpdate());
        }
        return json;
    }

    /**
     * The exact count, unless it takes longer than the configured time on a huge table; then the
     * planner's estimate (never negative), so the schema still answers quickly.
     */
    private long recordCount(Connection connection, String schema, String table, long tableOid) throws SQLException {
        Savepoint beforeCount = connection.setSavepoint();
        try {
            RoleTransaction.limitStatementTime(connection, countTimeout);
            try (PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM " + Identifiers.qualified(schema, table));
                 ResultSet row = count.executeQuery()) {
                row.next();
                long exact = row.getLong(1);
                connection.releaseSavepoint(beforeCount);
                return exact;
            }
        } catch (SQLException e) {
            if (!"57014".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(beforeCount);
        }
        try (PreparedStatement estimate = connection.prepareStatement(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = ?")) {
            estimate.setLong(1, tableOid);
            try (ResultSet row = estimate.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    /** A default as the client set it: {@code 'active'::text} shows as {@code active}, {@code 0} as {@code 0}. */
    static String displayDefault(String expression) {
        if (expression == null) {
            return null;
        }
        Matcher string = STRING_DEFAULT.matcher(expression);
        if (string.matches()) {
            return string.group(1).replace("''", "'");
        }
        Matcher number = NUMBER_DEFAULT.matcher(expression);
        if (number.matches()) {
            return number.group(1);
        }
        return expression;
    }

    private static String action(String code) {
        return switch (code) {
            case "c" -> "CASCADE";
            case "n" -> "SET NULL";
            case "d" -> "SET DEFAULT";
            case "r" -> "RESTRICT";
            default -> "NO ACTION";
        };
    }

    private static List<String> arrayOfNames(Array array) throws SQLException {
        return List.of((String[]) array.getArray());
    }

    /** The first column of every row of a one-parameter query. */
    private static List<String> names(Connection connection, String sql, Object parameter) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    private static boolean exists(Connection connection, String sql, String... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }
}

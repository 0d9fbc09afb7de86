package dev.anvil.server.database;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;

/**
 * The database's objects as the dashboard and agents list them (contract §3.1): schemas, and per
 * schema the functions, indexes, RLS policies and triggers, in InsForge's shapes. Tables whose
 * name starts with an underscore are left out of the per-table listings, as InsForge does.
 */
final class SchemaCatalog {

    /** Schemas the platform owns; shown but marked protected. */
    static final List<String> PLATFORM_SCHEMAS = List.of("auth", "storage", "functions", "realtime", "system", "email",
            "schedules", "payments", "compute", "deployments", "ai", "memory");

    private static final String SCHEMAS = """
            SELECT n.nspname AS name, n.nspname = ANY (?) AS "isProtected"
            FROM pg_namespace n
            WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY CASE WHEN n.nspname = 'public' THEN 0 WHEN n.nspname = ANY (?) THEN 1 ELSE 2 END,
                     array_position(?, n.nspname::text), n.nspname""";

    private static final String FUNCTIONS = """
            SELECT p.proname AS "functionName", pg_get_functiondef(p.oid) AS "functionDef", p.prokind::text AS kind
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ? AND p.prokind IN ('f', 'p', 'w')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                                          AND d.objid = p.oid AND d.deptype = 'e')
            ORDER BY p.proname""";

    private static final String INDEXES = """
            SELECT t.relname AS "tableName", i.relname AS "indexName", pg_get_indexdef(i.oid) AS "indexDef",
                   x.indisunique AS "isUnique", x.indisprimary AS "isPrimary"
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = ? AND t.relname NOT LIKE '\\_%'
            ORDER BY t.relname, i.relname""";

    private static final String POLICIES = """
            SELECT tablename AS "tableName", policyname AS "policyName", cmd, roles::text[] AS roles,
                   qual, with_check AS "withCheck"
            FROM pg_policies
            WHERE schemaname = ? AND tablename NOT LIKE '\\_%'
            ORDER BY tablename, policyname""";

    private static final String TRIGGERS = """
            SELECT event_object_table AS "tableName", trigger_name AS "triggerName", action_timing AS "actionTiming",
                   event_manipulation AS "eventManipulation", action_orientation AS "actionOrientation",
                   action_condition AS "actionCondition", action_statement AS "actionStatement"
            FROM information_schema.triggers
            WHERE event_object_schema = ? AND event_object_table NOT LIKE '\\_%'
            ORDER BY event_object_table, trigger_name, event_manipulation""";

    private final RoleTransaction transactions;

    SchemaCatalog(RoleTransaction transactions) {
        this.transactions = transactions;
    }

    /** {@code [{name, isProtected}]}: public first, then the platform's schemas, then the rest. */
    ArrayNode schemas() {
        return read(connection -> {
            Array platform = connection.createArrayOf("text", PLATFORM_SCHEMAS.toArray());
            try (PreparedStatement statement = connection.prepareStatement(SCHEMAS)) {
                statement.setArray(1, platform);
                statement.setArray(2, platform);
                statement.setArray(3, platform);
                return rows(statement);
            }
        });
    }

    ArrayNode functions(String schema) {
        return perSchema(FUNCTIONS, schema);
    }

    ArrayNode indexes(String schema) {
        return perSchema(INDEXES, schema);
    }

    ArrayNode policies(String schema) {
        return perSchema(POLICIES, schema);
    }

    ArrayNode triggers(String schema) {
        return perSchema(TRIGGERS, schema);
    }

    private ArrayNode perSchema(String sql, String schema) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, schema);
                return rows(statement);
            }
        });
    }

    /** Runs as project_admin, like the tables API, so both see the same objects. */
    private ArrayNode read(RoleTransaction.Work<ArrayNode> work) {
        try {
            return transactions.run(Principal.PROJECT_ADMIN, new Principal.ApiKey().claimsJson(), true, work);
        } catch (SQLException e) {
            throw PgErrors.toApiException(e);
        }
    }

    /** Each row as an object keyed by column label; text arrays become JSON arrays. */
    private static ArrayNode rows(PreparedStatement statement) throws SQLException {
        ArrayNode out = Json.mapper().createArrayNode();
        try (ResultSet rows = statement.executeQuery()) {
            ResultSetMetaData meta = rows.getMetaData();
            while (rows.next()) {
                ObjectNode row = out.addObject();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String label = meta.getColumnLabel(i);
                    Object value = rows.getObject(i);
                    if (value instanceof Array array) {
                        row.set(label, Json.mapper().valueToTree(array.getArray()));
                    } else if (value instanceof Boolean bool) {
                        row.put(label, bool);
                    } else {
                        row.put(label, value == null ? null : value.toString());
                    }
                }
            }
        }
        return out;
    }
}

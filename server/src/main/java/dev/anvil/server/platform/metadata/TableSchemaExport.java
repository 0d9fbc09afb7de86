package dev.anvil.server.platform.metadata;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;

/**
 * One table described for agents ({@code GET /api/metadata/:tableName}, the MCP's
 * {@code get-table-schema}): InsForge answers it with its database export in JSON form, so the
 * shape is that export's entry for the table — {@code {<table>: {schema, indexes, foreignKeys,
 * rlsEnabled, policies, triggers, rows: []}}} — with columns and triggers named as
 * {@code information_schema} names them ({@code dataType}, {@code isNullable: "YES"|"NO"}) and
 * policies as {@code pg_policies} has them. Read as {@code project_admin}, the role that owns user
 * tables, from {@code pg_catalog}: {@code information_schema} would hide the columns of tables in
 * schemas that role has no privilege on. Types are {@code format_type}'s names, so arrays and enums
 * show as {@code text[]} or the enum's name rather than {@code ARRAY} / {@code USER-DEFINED}.
 */
public final class TableSchemaExport {

    private static final String TABLE = """
            SELECT c.oid, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";
    /** information_schema's column facts, computed from pg_catalog (which hides nothing from project_admin). */
    private static final String COLUMNS = """
            SELECT a.attname AS "columnName", format_type(a.atttypid, NULL) AS "dataType",
                   CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4
                        THEN a.atttypmod - 4 END AS "characterMaximumLength",
                   CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS "isNullable",
                   pg_get_expr(d.adbin, d.adrelid) AS "columnDefault"
            FROM pg_attribute a
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";
    private static final String INDEXES = """
            SELECT i.relname AS indexname, pg_get_indexdef(i.oid) AS indexdef, x.indisunique AS "isUnique",
                   x.indisprimary AS "isPrimary"
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = ? AND t.relname = ? ORDER BY i.relname""";
    private static final String FOREIGN_KEYS = """
            SELECT c.conname AS "constraintName", a1.attname AS "columnName", cf.relname AS "foreignTableName",
                   a2.attname AS "foreignColumnName", u.pos AS "ordinalPosition",
                   CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                      WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS "deleteRule",
                   CASE c.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                      WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS "updateRule"
            FROM pg_constraint c
            JOIN pg_class ct ON ct.oid = c.conrelid
            JOIN pg_namespace nt ON nt.oid = ct.relnamespace
            JOIN pg_class cf ON cf.oid = c.confrelid
            CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS u(src_attnum, ref_attnum, pos)
            JOIN pg_attribute a1 ON a1.attrelid = c.conrelid AND a1.attnum = u.src_attnum
            JOIN pg_attribute a2 ON a2.attrelid = c.confrelid AND a2.attnum = u.ref_attnum
            WHERE c.contype = 'f' AND nt.nspname = ? AND ct.relname = ?
            ORDER BY c.conname, u.pos""";
    private static final String POLICIES = """
            SELECT policyname, cmd, roles::text[] AS roles, qual, with_check AS "withCheck"
            FROM pg_policies WHERE schemaname = ? AND tablename = ? ORDER BY policyname""";
    /** One row per event, as information_schema.triggers has them; decoded from pg_trigger.tgtype. */
    private static final String TRIGGERS = """
            SELECT t.tgname AS "triggerName",
                   CASE WHEN t.tgtype & 2 <> 0 THEN 'BEFORE' WHEN t.tgtype & 64 <> 0 THEN 'INSTEAD OF' ELSE 'AFTER' END
                       AS "actionTiming",
                   e.event AS "eventManipulation",
                   CASE WHEN t.tgtype & 1 <> 0 THEN 'ROW' ELSE 'STATEMENT' END AS "actionOrientation",
                   substring(pg_get_triggerdef(t.oid) FROM ' WHEN \\((.*)\\) EXECUTE ') AS "actionCondition",
                   substring(pg_get_triggerdef(t.oid) FROM 'EXECUTE .*$') AS "actionStatement",
                   t.tgnewtable AS "newTable", t.tgoldtable AS "oldTable"
            FROM pg_trigger t
            CROSS JOIN LATERAL (VALUES (4, 'INSERT'), (8, 'DELETE'), (16, 'UPDATE'), (32, 'TRUNCATE')) AS e(bit, event)
            WHERE t.tgrelid = ? AND NOT t.tgisinternal AND t.tgtype & e.bit <> 0
            ORDER BY t.tgname, e.event""";

    private final RoleTransaction transactions;

    public TableSchemaExport(RoleTransaction transactions) {
        this.transactions = transactions;
    }

    /** The table's entry keyed by its name; 404 {@code DATABASE_NOT_FOUND} when there is no such table. */
    public ObjectNode describe(String schema, String table) throws SQLException {
        return transactions.run(Principal.PROJECT_ADMIN, new Principal.ApiKey().claimsJson(), true, connection -> {
            long oid;
            boolean rlsEnabled;
            try (PreparedStatement statement = connection.prepareStatement(TABLE)) {
                statement.setString(1, schema);
                statement.setString(2, table);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        throw new ApiException(404, "DATABASE_NOT_FOUND", "Table " + table + " does not exist in schema " + schema,
                                "List the tables with get-backend-metadata (GET /api/metadata) or GET /api/database/tables.");
                    }
                    oid = row.getLong("oid");
                    rlsEnabled = row.getBoolean("relrowsecurity");
                }
            }
            ObjectNode entry = Json.object();
            entry.set("schema", JsonRows.query(connection, COLUMNS, oid));
            entry.set("indexes", JsonRows.query(connection, INDEXES, schema, table));
            entry.set("foreignKeys", JsonRows.query(connection, FOREIGN_KEYS, schema, table));
            entry.put("rlsEnabled", rlsEnabled);
            entry.set("policies", JsonRows.query(connection, POLICIES, schema, table));
            entry.set("triggers", JsonRows.query(connection, TRIGGERS, oid));
            entry.putArray("rows");
            ObjectNode body = Json.object();
            body.set(table, entry);
            return body;
        });
    }
}

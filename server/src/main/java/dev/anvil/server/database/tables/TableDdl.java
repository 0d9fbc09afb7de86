package dev.anvil.server.database.tables;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.database.Identifiers;

/**
 * The DDL the tables API runs. Names are always quoted ({@link Identifiers}), types come from
 * {@link ColumnType}, defaults from {@link ColumnDefault}, actions from a fixed list — no request
 * text reaches SQL any other way.
 */
final class TableDdl {

    /** Every table gets these, before and after the user's columns (contract §3.1). */
    private static final String ID_COLUMN = "\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid()";
    private static final String TIMESTAMP_COLUMNS = "\"created_at\" TIMESTAMPTZ DEFAULT now(), \"updated_at\" TIMESTAMPTZ DEFAULT now()";
    static final String TRIGGER_FUNCTION = "system.update_updated_at()";
    static final String TRIGGER_SUFFIX = "_update_timestamp";

    private TableDdl() {
    }

    /** CREATE TABLE, its {@code updated_at} trigger, and row-level security when asked (the default). */
    static List<String> create(TableDefinition table) {
        String name = Identifiers.qualified(table.schema(), table.tableName());
        List<String> parts = new ArrayList<>();
        parts.add(ID_COLUMN);
        table.columns().forEach(column -> parts.add(column.toSql()));
        parts.add(TIMESTAMP_COLUMNS);
        table.foreignKeys().forEach(key -> parts.add(key.toSql()));
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE " + name + " (" + String.join(", ", parts) + ")");
        statements.add("CREATE TRIGGER " + Identifiers.quote(table.tableName() + TRIGGER_SUFFIX) + " BEFORE UPDATE ON " + name
                + " FOR EACH ROW EXECUTE FUNCTION " + TRIGGER_FUNCTION);
        if (table.rlsEnabled()) {
            statements.add("ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY");
        }
        return statements;
    }

    static String addColumn(String schema, String table, ColumnDefinition column) {
        return alter(schema, table) + " ADD COLUMN " + column.toSql();
    }

    static String dropColumn(String schema, String table, String column) {
        return alter(schema, table) + " DROP COLUMN " + Identifiers.quote(column);
    }

    static String setDefault(String schema, String table, String column, String expression) {
        return alter(schema, table) + " ALTER COLUMN " + Identifiers.quote(column) + " SET DEFAULT " + expression;
    }

    static String dropDefault(String schema, String table, String column) {
        return alter(schema, table) + " ALTER COLUMN " + Identifiers.quote(column) + " DROP DEFAULT";
    }

    static String renameColumn(String schema, String table, String column, String newName) {
        return alter(schema, table) + " RENAME COLUMN " + Identifiers.quote(column) + " TO " + Identifiers.quote(newName);
    }

    static String addForeignKey(String schema, String table, ForeignKeyDefinition key) {
        return alter(schema, table) + " ADD " + key.toSql();
    }

    static String dropConstraint(String schema, String table, String constraint) {
        return alter(schema, table) + " DROP CONSTRAINT " + Identifiers.quote(constraint);
    }

    static String renameTable(String schema, String table, String newName) {
        return alter(schema, table) + " RENAME TO " + Identifiers.quote(newName);
    }

    static String renameTrigger(String schema, String table, String trigger, String newName) {
        return "ALTER TRIGGER " + Identifiers.quote(trigger) + " ON " + Identifiers.qualified(schema, table)
                + " RENAME TO " + Identifiers.quote(newName);
    }

    /** CASCADE, as InsForge: views and foreign keys of other tables that depend on it go too. */
    static String drop(String schema, String table) {
        return "DROP TABLE " + Identifiers.qualified(schema, table) + " CASCADE";
    }

    private static String alter(String schema, String table) {
        return "ALTER TABLE " + Identifiers.qualified(schema, table);
    }
}

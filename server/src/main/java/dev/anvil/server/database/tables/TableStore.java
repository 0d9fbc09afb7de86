package dev.anvil.server.database.tables;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.SchemaReload;
import dev.anvil.server.database.tables.TableChanges.ColumnUpdate;
import dev.anvil.server.database.tables.TableInspector.ForeignKey;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;

/**
 * The tables API's work on the database. Everything runs in one transaction as
 * {@code project_admin} — so user tables belong to the role that restricted raw SQL also acts as,
 * and can be altered there later — and every change ends with {@code NOTIFY pgrst, 'reload schema'}
 * in the same transaction. A request that fails changes nothing.
 */
final class TableStore {

    private static final String ADMIN_ROLE = Principal.PROJECT_ADMIN;
    private static final String ADMIN_CLAIMS = new Principal.ApiKey().claimsJson();

    private final RoleTransaction transactions;
    private final TableInspector inspector;

    TableStore(RoleTransaction transactions, TableInspector inspector) {
        this.transactions = transactions;
        this.inspector = inspector;
    }

    List<String> list(String schema) {
        return read(connection -> inspector.tableNames(connection, schema));
    }

    ObjectNode describe(String schema, String table) {
        return read(connection -> inspector.describe(connection, schema, table, requireTable(connection, schema, table)));
    }

    ObjectNode create(TableDefinition table) {
        return write(connection -> {
            if (!inspector.schemaExists(connection, table.schema())) {
                throw new ApiException(404, "DATABASE_NOT_FOUND", "schema " + table.schema() + " does not exist",
                        "Create the schema first (CREATE SCHEMA through raw SQL), or leave ?schema= out for public.");
            }
            if (inspector.relationExists(connection, table.schema(), table.tableName())) {
                throw new ApiException(400, "DATABASE_DUPLICATE", "table " + table.tableName() + " already exists",
                        "table " + table.tableName() + " already exists. Please check the table name, it must be a unique table name.");
            }
            requireKnownTypes(connection, table.columns());
            execute(connection, TableDdl.create(table));
            ObjectNode body = Json.object();
            body.put("schemaName", table.schema());
            body.put("message", "table created successfully");
            body.put("tableName", table.tableName());
            ArrayNode columns = body.putArray("columns");
            table.columns().forEach(column -> columns.add(column.toJson()));
            body.set("autoFields", Json.mapper().valueToTree(ColumnDefinition.AUTOMATIC_NAMES));
            body.put("nextActions", "Use /api/database/records/" + table.tableName() + " to insert and query rows."
                    + (table.rlsEnabled() ? " Row-level security is enabled with no policies: only admins see rows until you add policies." : ""));
            return body;
        });
    }

    ObjectNode alter(String schema, String table, TableChanges changes) {
        return write(connection -> {
            long oid = requireTable(connection, schema, table);
            checkAutomaticColumnsUntouched(changes);
            requireUserColumnsRemain(connection, oid, changes);
            requireKnownTypes(connection, changes.addColumns());
            List<String> operations = new ArrayList<>();
            List<ForeignKey> keys = inspector.foreignKeys(connection, oid);
            for (String key : changes.dropForeignKeys()) {
                String constraint = foreignKeyNamed(keys, key, table);
                execute(connection, List.of(TableDdl.dropConstraint(schema, table, constraint)));
                operations.add("Dropped foreign key constraint: " + constraint);
            }
            for (String column : changes.dropColumns()) {
                execute(connection, List.of(TableDdl.dropColumn(schema, table, column)));
                operations.add("Dropped column: " + column);
            }
            for (ColumnUpdate update : changes.updateColumns()) {
                if (update.defaultValue() != null) {
                    Optional<String> expression = ColumnDefault.toSql(update.defaultValue());
                    execute(connection, List.of(expression
                            .map(sql -> TableDdl.setDefault(schema, table, update.columnName(), sql))
                            .orElseGet(() -> TableDdl.dropDefault(schema, table, update.columnName()))));
                }
                if (update.newName() != null) {
                    execute(connection, List.of(TableDdl.renameColumn(schema, table, update.columnName(), update.newName())));
                }
                operations.add("Updated column: " + update.columnName());
            }
            for (ColumnDefinition column : changes.addColumns()) {
                execute(connection, List.of(TableDdl.addColumn(schema, table, column)));
                operations.add("Added column: " + column.name());
            }
            for (ForeignKeyDefinition key : changes.addForeignKeys()) {
                execute(connection, List.of(TableDdl.addForeignKey(schema, table, key)));
                operations.add("Added foreign key constraint on column(s): " + String.join(", ", key.sourceColumns()));
            }
            if (changes.newTableName() != null && !changes.newTableName().equals(table)) {
                rename(connection, schema, table, oid, changes.newTableName());
                operations.add("Renamed table from " + table + " to " + changes.newTableName());
            }
            ObjectNode body = Json.object();
            body.put("schemaName", schema);
            body.put("message", "table schema updated successfully");
            body.put("tableName", table);
            body.set("operations", Json.mapper().valueToTree(operations));
            return body;
        });
    }

    ObjectNode drop(String schema, String table) {
        return write(connection -> {
            requireTable(connection, schema, table);
            execute(connection, List.of(TableDdl.drop(schema, table)));
            ObjectNode body = Json.object();
            body.put("schemaName", schema);
            body.put("message", "table deleted successfully");
            body.put("tableName", table);
            body.put("nextActions", "table deleted successfully, you can create a new table with the POST /api/database/tables endpoint");
            return body;
        });
    }

    private long requireTable(Connection connection, String schema, String table) throws SQLException {
        return inspector.tableOid(connection, schema, table).orElseThrow(() -> new ApiException(404, "DATABASE_NOT_FOUND",
                "table not found", "Please check the table name, it must be a valid table name, or you can create a new table "
                + "with the POST /api/database/tables endpoint"));
    }

    private static void checkAutomaticColumnsUntouched(TableChanges changes) {
        for (String column : changes.dropColumns()) {
            if (ColumnDefinition.AUTOMATIC.containsKey(column)) {
                throw new ApiException(403, "DATABASE_FORBIDDEN", "cannot drop system columns",
                        "You cannot drop the system column '" + column + "'");
            }
        }
        for (ColumnUpdate update : changes.updateColumns()) {
            if (ColumnDefinition.AUTOMATIC.containsKey(update.columnName())) {
                throw new ApiException(403, "DATABASE_FORBIDDEN", "cannot update system columns",
                        "You cannot update the system column '" + update.columnName() + "'");
            }
        }
        for (ForeignKeyDefinition key : changes.addForeignKeys()) {
            for (String column : key.sourceColumns()) {
                if (ColumnDefinition.AUTOMATIC.containsKey(column)) {
                    throw new ApiException(403, "DATABASE_FORBIDDEN", "cannot add foreign key on system columns",
                            "You cannot add foreign key on the system column '" + column + "'");
                }
            }
        }
    }

    private void requireUserColumnsRemain(Connection connection, long oid, TableChanges changes) throws SQLException {
        Set<String> userColumns = new HashSet<>(inspector.columnNames(connection, oid));
        userColumns.removeAll(ColumnDefinition.AUTOMATIC.keySet());
        changes.dropColumns().forEach(userColumns::remove);
        changes.addColumns().forEach(column -> userColumns.add(column.name()));
        if (userColumns.isEmpty()) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "Table must have at least one user-defined column after update",
                    "The update would leave the table with no custom columns. Please add columns or avoid dropping all user-defined columns.");
        }
    }

    /** Types beyond the contract's own are checked with Postgres before anything is created. */
    private static void requireKnownTypes(Connection connection, List<ColumnDefinition> columns) throws SQLException {
        for (ColumnDefinition column : columns) {
            if (ColumnType.isContractType(column.type())) {
                continue;
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT to_regtype(?) IS NOT NULL")) {
                statement.setString(1, column.sqlType());
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        throw new ApiException(400, "DATABASE_VALIDATION_ERROR",
                                "type \"" + column.sqlType() + "\" does not exist (column " + column.name() + ")",
                                "Use string, date, datetime, integer, float, boolean, uuid or json, or an existing Postgres type.");
                    }
                }
            }
        }
    }

    /** A constraint name; older clients send the column instead, which works when it has exactly one foreign key. */
    private static String foreignKeyNamed(List<ForeignKey> keys, String name, String table) {
        for (ForeignKey key : keys) {
            if (key.name().equals(name)) {
                return key.name();
            }
        }
        List<ForeignKey> onColumn = keys.stream().filter(key -> key.sourceColumns().equals(List.of(name))).toList();
        if (onColumn.size() == 1) {
            return onColumn.getFirst().name();
        }
        throw new ApiException(404, "DATABASE_NOT_FOUND", "foreign key " + name + " not found on table " + table,
                "GET /api/database/tables/" + table + "/schema lists the table's foreign keys with their constraintName.");
    }

    private void rename(Connection connection, String schema, String table, long oid, String newName) throws SQLException {
        if (inspector.relationExists(connection, schema, newName)) {
            throw new ApiException(400, "DATABASE_DUPLICATE", "table " + newName + " already exists",
                    "Choose a table name that is not in use in schema " + schema + ".");
        }
        execute(connection, List.of(TableDdl.renameTable(schema, table, newName)));
        // Keep the trigger's name in step with the table's, when it still has the name we gave it.
        String oldTrigger = table + TableDdl.TRIGGER_SUFFIX;
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = ? AND tgname = ? AND NOT tgisinternal")) {
            statement.setLong(1, oid);
            statement.setString(2, oldTrigger);
            try (ResultSet row = statement.executeQuery()) {
                if (row.next()) {
                    execute(connection, List.of(TableDdl.renameTrigger(schema, newName, oldTrigger, newName + TableDdl.TRIGGER_SUFFIX)));
                }
            }
        }
    }

    private static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private <T> T read(RoleTransaction.Work<T> work) {
        try {
            return transactions.run(ADMIN_ROLE, ADMIN_CLAIMS, true, work);
        } catch (SQLException e) {
            throw PgErrors.toApiException(e);
        }
    }

    /** Work that changes the schema: it announces the change before committing. */
    private <T> T write(RoleTransaction.Work<T> work) {
        try {
            return transactions.run(ADMIN_ROLE, ADMIN_CLAIMS, false, connection -> {
                T result = work.run(connection);
                SchemaReload.announce(connection);
                return result;
            });
        } catch (SQLException e) {
            if ("42P07".equals(e.getSQLState())) {
                // duplicate_table: another request created the name between our check and our DDL
                throw new ApiException(400, "DATABASE_DUPLICATE", PgErrors.toApiException(e).getMessage());
            }
            throw PgErrors.toApiException(e);
        }
    }
}

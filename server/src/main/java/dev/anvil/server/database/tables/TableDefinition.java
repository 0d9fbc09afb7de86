package dev.anvil.server.database.tables;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.ApiException;

/**
 * A create-table request: {@code {tableName, columns, foreignKeys?, rlsEnabled?}} (contract §3.1).
 *
 * @param columns the user's own columns, without repeats of the automatic {@code id}, {@code created_at}
 *                and {@code updated_at}
 */
record TableDefinition(String schema, String tableName, List<ColumnDefinition> columns,
                       List<ForeignKeyDefinition> foreignKeys, boolean rlsEnabled) {

    static TableDefinition parse(JsonNode body, String schema) {
        RequestShape shape = RequestShape.of(body, "CreateTableRequest");
        String tableName = shape.string("tableName", true, 1, "Table name cannot be empty",
                64, "Table name must be less than 64 characters");
        List<ColumnDefinition> requested = shape.objects("columns", true, 1, "At least one column is required").stream()
                .map(ColumnDefinition::parse).toList();
        List<ForeignKeyDefinition> foreignKeys = shape.objects("foreignKeys", false, 0, "").stream()
                .map(fk -> ForeignKeyDefinition.parse(fk, schema)).toList();
        Boolean rlsEnabled = shape.bool("rlsEnabled", false);
        Identifiers.require("table", tableName);
        List<ColumnDefinition> columns = requested.stream().filter(c -> !c.repeatsAutomaticColumn()).toList();
        if (columns.isEmpty()) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "Table must have at least one user-defined column",
                    "Please add at least one custom column (not id, created_at, or updated_at) to the table.");
        }
        return new TableDefinition(schema, tableName, columns, foreignKeys, rlsEnabled == null || rlsEnabled);
    }
}

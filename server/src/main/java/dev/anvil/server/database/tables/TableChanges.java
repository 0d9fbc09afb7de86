package dev.anvil.server.database.tables;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.database.Identifiers;

/**
 * A PATCH of a table's schema (contract §3.1): {@code {addColumns?, dropColumns?, updateColumns?,
 * addForeignKeys?, dropForeignKeys?, renameTable?}}. Applied in that order of kinds InsForge uses:
 * drop foreign keys, drop columns, update columns, add columns, add foreign keys, rename the table.
 *
 * @param dropForeignKeys constraint names (a column name with exactly one foreign key also works, as
 *                        older InsForge clients send)
 * @param newTableName    null when the table keeps its name
 */
record TableChanges(List<ColumnDefinition> addColumns, List<String> dropColumns, List<ColumnUpdate> updateColumns,
                    List<ForeignKeyDefinition> addForeignKeys, List<String> dropForeignKeys, String newTableName) {

    /**
     * @param defaultValue null leaves the default alone, blank drops it, anything else sets it
     * @param newName      null keeps the name
     */
    record ColumnUpdate(String columnName, String defaultValue, String newName) {
    }

    static TableChanges parse(JsonNode body, String schema) {
        RequestShape shape = RequestShape.of(body, "UpdateTableRequest");
        List<ColumnDefinition> addColumns = shape.objects("addColumns", false, 0, "").stream()
                .map(ColumnDefinition::parse).filter(c -> !c.repeatsAutomaticColumn()).toList();
        List<String> dropColumns = shape.strings("dropColumns");
        List<ColumnUpdate> updateColumns = shape.objects("updateColumns", false, 0, "").stream().map(update -> {
            String column = update.string("columnName", true);
            String defaultValue = update.string("defaultValue", false);
            String newName = update.string("newColumnName", false, 1, "New column name cannot be empty",
                    64, "New column name must be less than 64 characters");
            Identifiers.require("column", column);
            if (newName != null) {
                Identifiers.require("column", newName);
            }
            return new ColumnUpdate(column, defaultValue, newName);
        }).toList();
        List<ForeignKeyDefinition> addForeignKeys = shape.objects("addForeignKeys", false, 0, "").stream()
                .map(fk -> ForeignKeyDefinition.parse(fk, schema)).toList();
        List<String> dropForeignKeys = shape.strings("dropForeignKeys");
        RequestShape rename = shape.object("renameTable");
        String newTableName = rename == null ? null : rename.string("newTableName", true, 1, "New table name cannot be empty",
                64, "New table name must be less than 64 characters");
        dropColumns.forEach(column -> Identifiers.require("column", column));
        dropForeignKeys.forEach(name -> Identifiers.require("constraint", name));
        if (newTableName != null) {
            Identifiers.require("table", newTableName);
        }
        return new TableChanges(addColumns, dropColumns, updateColumns, addForeignKeys, dropForeignKeys, newTableName);
    }
}

package dev.anvil.server.database.tables;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.ApiException;

/**
 * A table-level foreign key, one per constraint (composite keys are one entry):
 * {@code {constraintName?, referenceTable, referenceColumns: [{sourceColumn, referenceColumn}], onDelete, onUpdate}}.
 * {@code referenceTable} is {@code table} (in the table's own schema) or {@code schema.table}.
 */
record ForeignKeyDefinition(String constraintName, String referenceSchema, String referenceTable,
                            List<String> sourceColumns, List<String> referenceColumns, String onDelete, String onUpdate) {

    static final List<String> ACTIONS = List.of("CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION");

    /** @param tableSchema the schema of the table the key belongs to (the default for {@code referenceTable}) */
    static ForeignKeyDefinition parse(RequestShape shape, String tableSchema) {
        String constraintName = shape.string("constraintName", false);
        String referenceTable = shape.string("referenceTable", true, 1, "Target table cannot be empty",
                Integer.MAX_VALUE, "");
        List<RequestShape> pairs = shape.objects("referenceColumns", true, 1, "At least one column mapping is required");
        List<String> sources = new ArrayList<>();
        List<String> references = new ArrayList<>();
        for (RequestShape pair : pairs) {
            sources.add(Identifiers.require("column", pair.string("sourceColumn", true, 1, "Source column cannot be empty",
                    Integer.MAX_VALUE, "")));
            references.add(Identifiers.require("column", pair.string("referenceColumn", true, 1,
                    "Reference column cannot be empty", Integer.MAX_VALUE, "")));
        }
        // InsForge requires both actions; an omitted one means Postgres' own default.
        String onDelete = shape.oneOf("onDelete", false, ACTIONS);
        String onUpdate = shape.oneOf("onUpdate", false, ACTIONS);
        if (constraintName != null) {
            Identifiers.require("constraint", constraintName);
        }
        String schema = tableSchema;
        String table = referenceTable;
        int dot = referenceTable.indexOf('.');
        if (dot >= 0) {
            if (referenceTable.indexOf('.', dot + 1) >= 0) {
                throw new ApiException(400, "INVALID_INPUT", "Invalid table reference \"" + referenceTable + "\"",
                        "Use either \"table\" or \"schema.table\" when referencing a table.");
            }
            schema = referenceTable.substring(0, dot);
            table = referenceTable.substring(dot + 1);
        }
        Identifiers.require("schema", schema);
        Identifiers.require("table", table);
        return new ForeignKeyDefinition(constraintName, schema, table, List.copyOf(sources), List.copyOf(references),
                onDelete == null ? "NO ACTION" : onDelete, onUpdate == null ? "NO ACTION" : onUpdate);
    }

    /** {@code [CONSTRAINT "name"] FOREIGN KEY (…) REFERENCES "schema"."table" (…) ON DELETE … ON UPDATE …}. */
    String toSql() {
        StringBuilder sql = new StringBuilder();
        if (constraintName != null) {
            sql.append("CONSTRAINT ").append(Identifiers.quote(constraintName)).append(' ');
        }
        sql.append("FOREIGN KEY (").append(quotedList(sourceColumns)).append(") REFERENCES ")
                .append(Identifiers.qualified(referenceSchema, referenceTable))
                .append(" (").append(quotedList(referenceColumns)).append(')')
                .append(" ON DELETE ").append(onDelete)
                .append(" ON UPDATE ").append(onUpdate);
        return sql.toString();
    }

    private static String quotedList(List<String> names) {
        return String.join(", ", names.stream().map(Identifiers::quote).toList());
    }
}

package dev.anvil.server.records.plan;

import java.util.List;

import dev.anvil.server.records.parse.Syntax.JsonStep;
import dev.anvil.server.records.schema.Column;

/**
 * A column of a planned relation (by its SQL alias), possibly followed by a JSON path — the only
 * kind of expression a request can name. Its result type decides how filter values are cast.
 */
public record ColumnRef(String alias, Column column, List<JsonStep> path) {

    /** The SQL type of the expression's value. */
    public String resultType() {
        if (path.isEmpty()) {
            return column.valueType();
        }
        if (path.get(path.size() - 1).asText()) {
            return "text";
        }
        return column.kind() == Column.TypeKind.JSON ? "json" : "jsonb";
    }

    /** The pg_type name of the expression's value. */
    public String resultBaseType() {
        if (path.isEmpty()) {
            return column.baseType();
        }
        if (path.get(path.size() - 1).asText()) {
            return "text";
        }
        return column.kind() == Column.TypeKind.JSON ? "json" : "jsonb";
    }

    public Column.TypeKind resultKind() {
        if (path.isEmpty()) {
            return column.kind();
        }
        if (path.get(path.size() - 1).asText()) {
            return Column.TypeKind.TEXT;
        }
        return column.kind() == Column.TypeKind.JSON ? Column.TypeKind.JSON : Column.TypeKind.JSONB;
    }
}

package dev.anvil.server.records.schema;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table, view, materialized view or foreign table in an exposed schema.
 *
 * @param rowType    the relation's row type as {@code format_type} prints it ({@code public.items})
 * @param primaryKey primary key column names in key order (empty for views and key-less tables)
 * @param uniqueKeys every unique constraint's columns, primary key included
 */
public record Table(QualifiedName name, char kind, boolean insertable, boolean updatable, boolean deletable,
                    List<Column> columns, Map<String, Column> columnsByName, List<String> primaryKey,
                    List<List<String>> uniqueKeys, String rowType) {

    public Optional<Column> column(String column) {
        return Optional.ofNullable(columnsByName.get(column));
    }

    public boolean isView() {
        return kind == 'v' || kind == 'm';
    }

    /** True when {@code columns} are exactly the columns of one unique key (order ignored). */
    public boolean isUniqueKey(List<String> columns) {
        for (List<String> key : uniqueKeys) {
            if (key.size() == columns.size() && key.containsAll(columns)) {
                return true;
            }
        }
        return false;
    }
}

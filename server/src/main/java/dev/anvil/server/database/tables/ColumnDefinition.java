package dev.anvil.server.database.tables;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;

/**
 * One column of a create-table or add-column request:
 * {@code {columnName, type, defaultValue?, isPrimaryKey?, isNullable, isUnique}}.
 *
 * @param sqlType the Postgres type the column gets (see {@link ColumnType})
 */
record ColumnDefinition(String name, String type, String sqlType, String defaultValue, Boolean primaryKey,
                        boolean nullable, boolean unique) {

    /** Every table has these; a request may repeat them only with their own type (and then they are ignored). */
    static final Map<String, String> AUTOMATIC = Map.of("id", "uuid", "created_at", "datetime", "updated_at", "datetime");
    static final List<String> AUTOMATIC_NAMES = List.of("id", "created_at", "updated_at");
    private static final Map<String, Set<String>> AUTOMATIC_SQL_TYPES = Map.of(
            "uuid", Set.of("uuid"), "datetime", Set.of("timestamptz", "timestamp with time zone"));

    static ColumnDefinition parse(RequestShape shape) {
        String name = shape.string("columnName", true, 1, "Column name cannot be empty",
                64, "Column name must be less than 64 characters");
        String type = shape.string("type", true);
        String defaultValue = shape.string("defaultValue", false);
        Boolean primaryKey = shape.bool("isPrimaryKey", false);
        boolean nullable = shape.bool("isNullable", true);
        boolean unique = shape.bool("isUnique", true);
        Identifiers.require("column", name);
        return new ColumnDefinition(name, type, ColumnType.toSql(type, "type"), defaultValue, primaryKey, nullable, unique);
    }

    /**
     * True when this repeats an automatic column with its own type, so it can be skipped; a
     * reserved name with another type is refused.
     */
    boolean repeatsAutomaticColumn() {
        String reservedType = AUTOMATIC.get(name);
        if (reservedType == null) {
            return false;
        }
        String requested = type.strip().toLowerCase(Locale.ROOT);
        if (requested.equals(reservedType) || AUTOMATIC_SQL_TYPES.get(reservedType).contains(requested)) {
            return true;
        }
        throw new ApiException(400, "DATABASE_VALIDATION_ERROR",
                "Column '" + name + "' is a reserved field that requires type '" + reservedType + "', but got '" + type + "'",
                "Please check the column name and type, id/created_at/updated_at are reserved fields and cannot be used as column names");
    }

    /** {@code "name" TYPE [NOT NULL] [UNIQUE] [DEFAULT …]}. */
    String toSql() {
        StringBuilder sql = new StringBuilder(Identifiers.quote(name)).append(' ').append(sqlType);
        if (!nullable) {
            sql.append(" NOT NULL");
        }
        if (unique) {
            sql.append(" UNIQUE");
        }
        Optional<String> defaultSql = ColumnDefault.toSql(defaultValue).or(() -> ColumnDefault.implicitFor(sqlType, nullable));
        defaultSql.ifPresent(expression -> sql.append(" DEFAULT ").append(expression));
        return sql.toString();
    }

    /** The column as the create response echoes it: the request's fields plus {@code sqlType}. */
    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("columnName", name);
        json.put("type", type);
        if (defaultValue != null) {
            json.put("defaultValue", defaultValue);
        }
        if (primaryKey != null) {
            json.put("isPrimaryKey", primaryKey);
        }
        json.put("isNullable", nullable);
        json.put("isUnique", unique);
        json.put("sqlType", sqlType);
        return json;
    }
}

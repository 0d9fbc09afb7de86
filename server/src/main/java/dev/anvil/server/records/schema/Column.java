package dev.anvil.server.records.schema;

/**
 * A column of a table, view or composite result, with what the planner needs to know about its type.
 *
 * @param sqlType     the type as {@code format_type} prints it (already quoted where needed), used
 *                    verbatim in casts of bind parameters and in {@code json_to_recordset} definitions
 * @param valueType   the type without its modifier ({@code character varying}, not {@code character varying(20)}):
 *                    what filter values are cast to, since an explicit cast to a modified type
 *                    would silently truncate or round them
 * @param baseType    the pg_type name of the type (of a domain's base type), e.g. {@code int4}, {@code _text}
 * @param kind        what the engine treats specially about the type
 * @param defaultExpr the column default as {@code pg_get_expr} prints it, or null
 * @param generated   a generated or identity-always column, which inserts must not name
 */
public record Column(String name, String sqlType, String valueType, String baseType, TypeKind kind, boolean nullable, String defaultExpr, boolean generated) {

    /** The type families the engine treats specially; everything else is {@link #OTHER}. */
    public enum TypeKind {
        TEXT, JSON, JSONB, TSVECTOR, ARRAY, RANGE, BOOLEAN, OTHER;

        public boolean isJson() {
            return this == JSON || this == JSONB;
        }
    }
}

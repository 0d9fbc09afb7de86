package dev.anvil.server.database.tables;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.anvil.server.http.ApiException;

/**
 * The column types of the tables API (contract §3.1): {@code string}→TEXT, {@code date}→DATE,
 * {@code datetime}→TIMESTAMPTZ, {@code integer}→INTEGER, {@code float}→DOUBLE PRECISION,
 * {@code boolean}→BOOLEAN, {@code uuid}→UUID, {@code json}→JSONB. Other type names are tolerated,
 * as in InsForge, but only in the shape of a Postgres type name — words, an optional schema
 * qualifier, one {@code (n[, m])} modifier, {@code []} suffixes — so the text can be placed in DDL
 * as it is; whether the type exists is then asked of Postgres ({@code to_regtype}).
 */
final class ColumnType {

    private static final Map<String, String> SQL_TYPES = Map.of(
            "string", "TEXT",
            "date", "DATE",
            "datetime", "TIMESTAMPTZ",
            "integer", "INTEGER",
            "float", "DOUBLE PRECISION",
            "boolean", "BOOLEAN",
            "uuid", "UUID",
            "json", "JSONB");

    private static final String WORD = "[A-Za-z_][A-Za-z0-9_]{0,62}";
    private static final Pattern SQL_TYPE_NAME = Pattern.compile(
            WORD + "(?:\\." + WORD + ")?"
                    + "(?:\\s+" + WORD + ")*"
                    + "(?:\\s*\\(\\s*\\d{1,9}\\s*(?:,\\s*-?\\d{1,9}\\s*)?\\))?"
                    + "(?:\\s+" + WORD + ")*"
                    + "(?:\\s*\\[\\s*\\d{0,9}\\s*\\])*");
    private static final int MAX_LENGTH = 128;

    private ColumnType() {
    }

    /** True for the contract's own type names (case-insensitive). */
    static boolean isContractType(String type) {
        return SQL_TYPES.containsKey(type.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * The SQL for a requested type: the contract's mapping, or the requested text when it has the
     * shape of a type name. Refuses anything else with 400 before it can reach SQL.
     */
    static String toSql(String type, String path) {
        String trimmed = type.strip();
        String mapped = SQL_TYPES.get(trimmed.toLowerCase(Locale.ROOT));
        if (mapped != null) {
            return mapped;
        }
        if (trimmed.length() > MAX_LENGTH || !SQL_TYPE_NAME.matcher(trimmed).matches()) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", path + ": '" + type + "' is not a valid column type",
                    "Use string, date, datetime, integer, float, boolean, uuid or json, or a Postgres type name such as varchar(255) or numeric(10,2).");
        }
        return trimmed;
    }

    /** True when {@code text} has the shape of a type name (used for casts in default values). */
    static boolean looksLikeTypeName(String text) {
        return text.length() <= MAX_LENGTH && SQL_TYPE_NAME.matcher(text).matches();
    }

    /** The contract type for a column as Postgres reports it ({@code format_type}); other types keep their SQL name. */
    static String fromPostgres(String formatted) {
        if (formatted.endsWith("]")) {
            return "json";
        }
        int modifier = formatted.indexOf('(');
        String base = modifier < 0 ? formatted : formatted.substring(0, modifier).strip();
        return switch (base) {
            case "text", "character varying", "character", "varchar", "citext", "name" -> "string";
            case "date" -> "date";
            case "timestamp with time zone" -> "datetime";
            case "integer", "bigint", "smallint" -> "integer";
            case "double precision", "real", "numeric" -> "float";
            case "boolean" -> "boolean";
            case "uuid" -> "uuid";
            case "json", "jsonb" -> "json";
            default -> formatted;
        };
    }
}

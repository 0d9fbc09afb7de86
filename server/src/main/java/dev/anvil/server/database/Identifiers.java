package dev.anvil.server.database;

import java.nio.charset.StandardCharsets;

import dev.anvil.server.http.ApiException;

/**
 * Names of tables, columns, schemas and constraints as clients send them. InsForge accepts any
 * non-blank name without a double quote, backslash or control character (contract §1); Postgres
 * additionally truncates names beyond 63 bytes, which would silently create a different name than
 * the one asked for, so those are refused too. Every accepted name is only ever used double-quoted.
 */
public final class Identifiers {

    /** Postgres' NAMEDATALEN - 1. */
    public static final int MAX_BYTES = 63;

    private Identifiers() {
    }

    /**
     * @param kind what the name names, for the message ("table", "column", "schema")
     * @return the name, unchanged
     */
    public static String require(String kind, String name) {
        if (name == null || name.isBlank()) {
            throw invalid(kind, "cannot be empty", "Please provide a valid " + kind + " name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7F) {
                throw invalid(kind, "cannot contain quotes or control characters",
                        "The " + kind + " name cannot contain double quotes, backslashes or control characters (tabs, newlines, etc.)");
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid(kind, "is longer than " + MAX_BYTES + " bytes",
                    "Postgres would truncate it; choose a shorter " + kind + " name");
        }
        return name;
    }

    /** The name as a quoted SQL identifier. Only call with names that passed {@link #require}. */
    public static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."name"}. */
    public static String qualified(String schema, String name) {
        return quote(schema) + '.' + quote(name);
    }

    private static ApiException invalid(String kind, String problem, String nextActions) {
        return new ApiException(400, "DATABASE_VALIDATION_ERROR", "Invalid " + kind + " name: " + problem, nextActions);
    }
}

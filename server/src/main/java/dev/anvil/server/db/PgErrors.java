package dev.anvil.server.db;

import java.sql.SQLException;

import dev.anvil.server.http.ApiException;

/**
 * InsForge's mapping of Postgres errors to its error body (contract §9), for the platform's own
 * routes. The records and RPC routes do not use this: they answer PostgREST's error shape.
 */
public final class PgErrors {

    private static final String RLS_HINT =
            "Check the row-level security policies and grants of the table for the caller's role.";

    private PgErrors() {
    }

    public static ApiException toApiException(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "Database error" : firstLine(e.getMessage());
        return switch (state) {
            case "23505" -> new ApiException(409, "DATABASE_DUPLICATE", message);
            case "23503" -> new ApiException(400, "DATABASE_CONSTRAINT_VIOLATION", message);
            case "23502" -> new ApiException(400, "MISSING_FIELD", message);
            case "42P01", "42701", "42703", "42830", "42804" -> new ApiException(400, "DATABASE_VALIDATION_ERROR", message);
            case "42501" -> new ApiException(403, "FORBIDDEN", message, RLS_HINT);
            case "57014" -> new ApiException(408, "DATABASE_INTERNAL_ERROR",
                    "Query timeout: the statement ran longer than allowed and was cancelled", "Simplify the query or add an index.");
            default -> byClass(state, message);
        };
    }

    private static ApiException byClass(String state, String message) {
        if (state.startsWith("42")) {
            return new ApiException(400, "DATABASE_VALIDATION_ERROR", message);
        }
        if (state.startsWith("23")) {
            return new ApiException(400, "DATABASE_CONSTRAINT_VIOLATION", message);
        }
        if (state.startsWith("22")) {
            return new ApiException(400, "INVALID_INPUT", message);
        }
        if (state.startsWith("P0")) {
            return new ApiException(400, "DATABASE_INVALID_PARAMETER", message);
        }
        return new ApiException(500, "DATABASE_INTERNAL_ERROR", message);
    }

    /** pgjdbc appends "Where:"/"Position:" lines; the first line is the part a client can act on. */
    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
    }
}

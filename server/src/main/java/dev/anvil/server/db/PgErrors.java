package dev.anvil.server.db;

import java.sql.SQLException;

import dev.anvil.server.http.ApiException;

/**
 * InsForge's mapping of Postgres errors to its error body (contract §9), for every InsForge-shaped
 * route, so the same SQLSTATE answers the same everywhere. The records and RPC routes do not use
 * this: they answer PostgREST's error shape.
 *
 * <p>The contract's table first (unique, foreign-key and not-null violations, unknown objects,
 * RLS refusals, the statement timeout as 408). Then the SQLSTATE classes that mean "this request
 * cannot be done" rather than "the server is broken", which InsForge would answer with 500 and Anvil
 * answers with 400: syntax and access rules (42), integrity (23), data (22), {@code RAISE} in user
 * code (P0), an object that others still depend on (2B), a feature not available this way (0A),
 * statement-state problems such as a write in a read-only transaction or a lock not available
 * (25, 55), cardinality and routine errors raised by user code (21, 2F, 38, 39), WITH CHECK OPTION
 * (44), unknown schema or catalog (3D, 3F), program limits (54). Anything else — lost connections,
 * resources, internal errors — is a 500.
 */
public final class PgErrors {

    private static final String RLS_HINT =
            "Check the row-level security policies and grants of the table for the caller's role.";
    private static final String DEPENDENTS_HINT = "Other objects depend on it; drop or change them first.";

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
        String sqlClass = state.length() >= 2 ? state.substring(0, 2) : "";
        return switch (sqlClass) {
            case "42", "21", "25", "2F", "38", "39", "3D", "3F", "44", "54", "55" ->
                    new ApiException(400, "DATABASE_VALIDATION_ERROR", message);
            case "23" -> new ApiException(400, "DATABASE_CONSTRAINT_VIOLATION", message);
            case "2B" -> new ApiException(400, "DATABASE_CONSTRAINT_VIOLATION", message, DEPENDENTS_HINT);
            case "22", "0A" -> new ApiException(400, "INVALID_INPUT", message);
            case "P0" -> new ApiException(400, "DATABASE_INVALID_PARAMETER", message);
            default -> new ApiException(500, "DATABASE_INTERNAL_ERROR", message);
        };
    }

    /** pgjdbc appends "Where:"/"Position:" lines; the first line is the part a client can act on. */
    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
    }
}

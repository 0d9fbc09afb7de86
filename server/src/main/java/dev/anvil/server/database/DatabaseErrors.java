package dev.anvil.server.database;

import java.sql.SQLException;

import dev.anvil.server.db.PgErrors;
import dev.anvil.server.http.ApiException;

/**
 * Postgres errors of the database admin API. The contract's table (§9, {@link PgErrors}) first;
 * then the SQLSTATE classes that mean "this request cannot be done" rather than "the server is
 * broken", which InsForge would answer with 500 and Anvil answers with 400: an object that others
 * still depend on (2B), a feature not available this way (0A), statement-state problems (25, 55),
 * cardinality and routine errors raised by user code (21, 2F, 38, 39), WITH CHECK OPTION (44),
 * unknown schema or catalog (3D, 3F), program limits (54).
 */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static ApiException translate(SQLException e) {
        ApiException mapped = PgErrors.toApiException(e);
        if (mapped.status() < 500) {
            return mapped;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String sqlClass = state.length() >= 2 ? state.substring(0, 2) : "";
        return switch (sqlClass) {
            case "2B" -> new ApiException(400, "DATABASE_CONSTRAINT_VIOLATION", mapped.getMessage(),
                    "Other objects depend on it; drop or change them first.");
            case "0A" -> new ApiException(400, "INVALID_INPUT", mapped.getMessage());
            case "21", "25", "2F", "38", "39", "3D", "3F", "44", "54", "55" ->
                    new ApiException(400, "DATABASE_VALIDATION_ERROR", mapped.getMessage());
            default -> mapped;
        };
    }
}

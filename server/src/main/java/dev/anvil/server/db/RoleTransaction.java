package dev.anvil.server.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import dev.anvil.server.http.Principal;

/**
 * Runs work in one transaction as the caller's database role with {@code request.jwt.claims} set,
 * so row-level security decides what the caller may see and change — the same session state
 * PostgREST establishes, set with {@code set_config(..., true)} so it ends with the transaction.
 */
public final class RoleTransaction {

    private final DataSource dataSource;

    public RoleTransaction(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Work that runs on the role-scoped connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Bounds every statement for the rest of the current transaction (a local {@code statement_timeout}:
     * it ends with the transaction, so the pooled connection goes back unchanged).
     */
    public static void limitStatementTime(Connection connection, Duration timeout) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
            statement.setString(1, timeout.toMillis() + "ms");
            statement.execute();
        }
    }

    public <T> T run(Principal principal, boolean readOnly, Work<T> work) throws SQLException {
        return run(principal.dbRole(), principal.claimsJson(), readOnly, work);
    }

    public <T> T run(String role, String claimsJson, boolean readOnly, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            if (readOnly) {
                connection.setReadOnly(true);
            }
            try {
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT set_config('role', ?, true), set_config('request.jwt.claims', ?, true)")) {
                    statement.setString(1, role);
                    statement.setString(2, claimsJson);
                    statement.execute();
                }
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                if (readOnly) {
                    connection.setReadOnly(false);
                }
                connection.setAutoCommit(true);
            }
        }
    }
}

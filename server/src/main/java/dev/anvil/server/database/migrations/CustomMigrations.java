package dev.anvil.server.database.migrations;

import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.rawsql.RawSqlExecutor;
import dev.anvil.server.database.rawsql.RawSqlRequest;
import dev.anvil.server.database.sql.RestrictedStatementGuard;
import dev.anvil.server.database.sql.SqlStatements;
import dev.anvil.server.database.sql.SqlSyntaxException;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;

/**
 * The custom-migration ledger ({@code system.custom_migrations}) and applying a migration to it
 * (contract §3.5).
 *
 * <p>A migration runs through {@link RawSqlExecutor} — its own connection, the raw-SQL statement
 * timeout, the restricted-statement guard, {@code project_admin} with admin claims, the check that
 * the SQL did not leave that role, the schema reload, the §9 error mapping — with one addition made
 * first in the same transaction, as the server's own role (the API roles cannot touch the ledger):
 * take a transaction-scoped advisory lock, so concurrent requests apply one after the other; check
 * that the version is newer than every applied one; insert the ledger row. If the SQL then fails,
 * the row goes with it. A dry run does all of that and rolls back.
 */
public final class CustomMigrations {

    /** The ledger row as the API answers it: InsForge's {@code migrationSchema} plus the text and who applied it. */
    private static final String ROW_JSON = """
            json_build_object('version', version, 'name', name, 'statements', statements,
                'createdAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'sql', sql, 'appliedBy', applied_by)""";
    private static final String NUMERIC_ORDER = "version::numeric DESC";
    private static final String LIST = "SELECT coalesce(json_agg(" + ROW_JSON + " ORDER BY " + NUMERIC_ORDER
            + "), '[]')::text FROM system.custom_migrations";
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('system.custom_migrations'))";
    private static final String LATEST = "SELECT version FROM system.custom_migrations ORDER BY " + NUMERIC_ORDER + " LIMIT 1";
    private static final String INSERT = "INSERT INTO system.custom_migrations (version, name, statements, sql, applied_by) "
            + "VALUES (?, ?, ?, ?, ?) RETURNING " + ROW_JSON + "::text";
    private static final String PRIMARY_KEY = "custom_migrations_pkey";

    private final DataSource dataSource;
    private final RawSqlExecutor executor;

    public CustomMigrations(DataSource dataSource, RawSqlExecutor executor) {
        this.dataSource = dataSource;
        this.executor = executor;
    }

    /** Every applied migration, the newest version first (as InsForge lists them). */
    public ArrayNode list() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(LIST)) {
            row.next();
            return (ArrayNode) Json.parse(row.getString(1));
        }
    }

    /**
     * Runs the migration and records it, in one transaction; answers the ledger row. Throws the
     * error the request should answer when the version is not newer or the SQL fails (nothing is
     * then applied or recorded).
     */
    public ObjectNode apply(MigrationRequest migration, String appliedBy) {
        return run(migration, appliedBy, true);
    }

    /** Everything {@link #apply} does, rolled back at the end; throws what {@code apply} would throw. */
    public ObjectNode tryApply(MigrationRequest migration, String appliedBy) {
        return run(migration, appliedBy, false);
    }

    private ObjectNode run(MigrationRequest migration, String appliedBy, boolean commit) {
        List<String> statements = statements(migration.sql());
        return executor.executeAfter(connection -> record(connection, migration, statements, appliedBy),
                new RawSqlRequest(migration.sql(), List.of(), false), commit);
    }

    private static ObjectNode record(Connection connection, MigrationRequest migration, List<String> statements,
                                     String appliedBy) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(LOCK);
        }
        Optional<String> latest = latest(connection);
        if (latest.isPresent() && new BigInteger(migration.version()).compareTo(new BigInteger(latest.get())) <= 0) {
            throw new ApiException(409, "ALREADY_EXISTS", "Migration version must be newer than the latest applied migration.",
                    "The latest applied version is " + latest.get() + "; choose a larger one.");
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            Array texts = connection.createArrayOf("text", statements.toArray());
            insert.setString(1, migration.version());
            insert.setString(2, migration.name());
            insert.setArray(3, texts);
            insert.setString(4, migration.sql());
            insert.setString(5, appliedBy);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return (ObjectNode) Json.parse(row.getString(1));
            }
        } catch (SQLException e) {
            // Unreachable while the lock is held; the primary key is the last line of defence.
            if ("23505".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains(PRIMARY_KEY)) {
                throw new ApiException(409, "ALREADY_EXISTS", "Migration version already exists.");
            }
            throw e;
        }
    }

    private static Optional<String> latest(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(LATEST)) {
            return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
        }
    }

    /**
     * The statements of the migration as the ledger keeps them, each as written (without its
     * semicolon). A migration may not manage its own transaction: it is one (InsForge's rule and
     * error); the raw-SQL guard refuses the other restricted statements when it runs.
     */
    private static List<String> statements(String sql) {
        List<SqlStatements.Statement> parsed;
        try {
            parsed = SqlStatements.parse(sql);
        } catch (SqlSyntaxException e) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "syntax error: " + e.getMessage());
        }
        if (parsed.isEmpty()) {
            throw ApiException.invalidInput("Migration SQL must contain at least one statement.");
        }
        for (SqlStatements.Statement statement : parsed) {
            if (RestrictedStatementGuard.findViolation(List.of(statement))
                    .filter(RestrictedStatementGuard.TRANSACTION_CONTROL::equals).isPresent()) {
                throw new ApiException(400, "DATABASE_FORBIDDEN", "Custom migrations cannot manage their own transactions.");
            }
        }
        return parsed.stream()
                .map(statement -> sql.substring(statement.tokens().getFirst().start(), statement.tokens().getLast().end()))
                .toList();
    }
}

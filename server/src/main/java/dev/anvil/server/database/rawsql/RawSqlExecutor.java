package dev.anvil.server.database.rawsql;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.database.SchemaReload;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import org.postgresql.core.TypeInfo;
import org.postgresql.jdbc.PgConnection;

/**
 * Runs raw SQL (contract §3.4) and answers {@code {rows, rowCount, fields}} as node-pg would.
 *
 * <p>Each request gets a connection of its own, opened for it and closed after it, never one from
 * the server's pool: user SQL may leave session state behind (settings, temporary tables, advisory
 * locks, LISTENs, prepared statements) that must not leak into the platform's own queries. The
 * connection uses the simple query protocol, as node-pg does without parameters, so multi-statement
 * text and {@code BEGIN ATOMIC} bodies reach Postgres as one message, and every value comes back as
 * Postgres' text output for {@link NodePgValues}.
 *
 * <p>{@link Mode#PROJECT_ADMIN} runs inside a transaction as {@code project_admin} with claims
 * {@code {"role":"project_admin"}}; afterwards the transaction must still be {@code project_admin}
 * (the guard cannot see dynamic SQL) or everything is rolled back. {@link Mode#OWNER} runs as the
 * server's own role in autocommit, then hands new public objects to {@code project_admin}.
 * {@code explain} runs {@code EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS)} in a read-only transaction
 * that is always rolled back. Whatever changed the schema is followed by {@code NOTIFY pgrst,
 * 'reload schema'}.
 */
public final class RawSqlExecutor {

    public enum Mode { PROJECT_ADMIN, OWNER }

    private static final System.Logger LOG = System.getLogger(RawSqlExecutor.class.getName());
    private static final String ADMIN_CLAIMS = new Principal.ApiKey().claimsJson();
    /** Admin traffic, but each request holds a connection of its own: bound how many at once. */
    private static final int MAX_CONCURRENT = 8;
    private static final RoleTransaction.Work<Void> NO_PREPARATION = connection -> null;

    private final DatabaseLocation location;
    private final Duration timeout;
    private final int maxRows;
    private final Semaphore permits = new Semaphore(MAX_CONCURRENT, true);

    public RawSqlExecutor(DatabaseLocation location, Duration timeout, int maxRows) {
        this.location = location;
        this.timeout = timeout;
        // One more row than allowed is fetched to notice a result that is too large.
        this.maxRows = Math.max(1, Math.min(maxRows, Integer.MAX_VALUE - 1));
    }

    public ObjectNode execute(RawSqlRequest request, Mode mode) {
        RawSqlPlan plan = RawSqlPlan.of(request);
        return withConnection(plan.explain(), connection -> run(connection, plan, mode, NO_PREPARATION, true).result());
    }

    /**
     * Runs {@code prepare} as the server's own role, then the request's SQL as {@code project_admin},
     * in one transaction with the same rules, timeout and error mapping as {@link Mode#PROJECT_ADMIN}
     * — for callers that keep a record of the SQL in the transaction that ran it (custom migrations).
     * Commits only when {@code commit} is true; otherwise rolls everything back once the SQL ran.
     * Returns what {@code prepare} returned.
     */
    public <T> T executeAfter(RoleTransaction.Work<T> prepare, RawSqlRequest request, boolean commit) {
        RawSqlPlan plan = RawSqlPlan.of(request);
        return withConnection(plan.explain(), connection -> run(connection, plan, Mode.PROJECT_ADMIN, prepare, commit).prepared());
    }

    /** What one run produced: the user's last result, and what the caller's preparation returned. */
    private record Outcome<T>(ObjectNode result, T prepared) {
    }

    /** Runs {@code work} on a dedicated connection, within the concurrency bound, errors translated. */
    private <T> T withConnection(boolean explain, RoleTransaction.Work<T> work) {
        permits.acquireUninterruptibly();
        try (Connection connection = open()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(e, explain);
        } finally {
            permits.release();
        }
    }

    /**
     * Runs a script's statements one at a time in one transaction as {@code project_admin} (the SQL
     * import, contract §3.5) — the same connection, role, timeout, role check, schema reload and
     * error mapping as raw SQL, all or nothing. {@code prelude} runs first in the same transaction.
     *
     * @return each statement's row count, -1 for statements that report none
     */
    public long[] executeScript(RoleTransaction.Work<Void> prelude, List<String> statements, boolean changesSchema) {
        return withConnection(false, connection -> {
            limitStatementTime(connection);
            connection.setAutoCommit(false);
            try {
                actAsProjectAdmin(connection);
                prelude.run(connection);
                long[] counts = new long[statements.size()];
                try (Statement statement = connection.createStatement()) {
                    statement.setEscapeProcessing(false);
                    for (int i = 0; i < counts.length; i++) {
                        statement.execute(statements.get(i));
                        counts[i] = statement.getLargeUpdateCount();
                    }
                }
                requireStillProjectAdmin(connection);
                if (changesSchema) {
                    SchemaReload.announce(connection);
                }
                connection.commit();
                return counts;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        });
    }

    private void limitStatementTime(Connection connection) throws SQLException {
        try (Statement setup = connection.createStatement()) {
            setup.execute("SET statement_timeout = " + timeout.toMillis());
        }
    }

    private <T> Outcome<T> run(Connection connection, RawSqlPlan plan, Mode mode, RoleTransaction.Work<T> prepare,
                               boolean commit) throws SQLException {
        limitStatementTime(connection);
        boolean inTransaction = mode == Mode.PROJECT_ADMIN || plan.explain();
        connection.setAutoCommit(!inTransaction);
        try {
            if (plan.explain()) {
                try (Statement readOnly = connection.createStatement()) {
                    readOnly.execute("SET TRANSACTION READ ONLY");
                }
            }
            T prepared = prepare.run(connection);
            if (mode == Mode.PROJECT_ADMIN) {
                actAsProjectAdmin(connection);
            }
            ObjectNode result = executeUserSql(connection, plan);
            if (mode == Mode.PROJECT_ADMIN) {
                requireStillProjectAdmin(connection);
            }
            if (plan.explain() || !commit) {
                connection.rollback();
                return new Outcome<>(result, prepared);
            }
            if (plan.changesSchema()) {
                if (mode == Mode.OWNER) {
                    reassignPublicObjects(connection);
                }
                SchemaReload.announce(connection);
            }
            if (inTransaction) {
                connection.commit();
            }
            return new Outcome<>(result, prepared);
        } catch (SQLException | RuntimeException e) {
            if (inTransaction) {
                rollbackQuietly(connection);
            }
            throw e;
        }
    }

    private static void actAsProjectAdmin(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT set_config('role', 'project_admin', true), set_config('request.jwt.claims', ?, true)")) {
            statement.setString(1, ADMIN_CLAIMS);
            statement.execute();
        }
    }

    /** The last result of the text wins, as psql shows it (node-pg would return an array of results). */
    private ObjectNode executeUserSql(Connection connection, RawSqlPlan plan) throws SQLException {
        TypeInfo types = connection.unwrap(PgConnection.class).getTypeInfo();
        try (Statement statement = plan.hasParameters() ? prepared(connection, plan) : connection.createStatement()) {
            statement.setEscapeProcessing(false);
            statement.setMaxRows(maxRows + 1);
            boolean isResultSet = plan.hasParameters()
                    ? ((PreparedStatement) statement).execute()
                    : statement.execute(plan.sql());
            ObjectNode result = emptyResult();
            while (true) {
                if (isResultSet) {
                    try (ResultSet rows = statement.getResultSet()) {
                        result = readRows(rows, types, plan);
                    }
                } else {
                    long count = statement.getLargeUpdateCount();
                    if (count == -1) {
                        return result;
                    }
                    result = emptyResult();
                    if (plan.countsRows()) {
                        result.put("rowCount", count);
                    }
                }
                isResultSet = statement.getMoreResults();
            }
        }
    }

    private static PreparedStatement prepared(Connection connection, RawSqlPlan plan) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(plan.sql());
        for (int i = 0; i < plan.parameters().size(); i++) {
            String value = plan.parameters().get(i);
            if (value == null) {
                statement.setNull(i + 1, Types.OTHER);
            } else {
                // Types.OTHER sends the text untyped, so Postgres infers the type from context as with node-pg.
                statement.setObject(i + 1, value, Types.OTHER);
            }
        }
        return statement;
    }

    private ObjectNode readRows(ResultSet resultSet, TypeInfo types, RawSqlPlan plan) throws SQLException {
        ResultSetMetaData meta = resultSet.getMetaData();
        int columns = meta.getColumnCount();
        String[] names = new String[columns];
        int[] oids = new int[columns];
        ArrayNode fields = Json.mapper().createArrayNode();
        for (int i = 0; i < columns; i++) {
            names[i] = meta.getColumnLabel(i + 1);
            oids[i] = typeOid(types, meta.getColumnTypeName(i + 1));
            ObjectNode field = fields.addObject();
            field.put("name", names[i]);
            field.put("dataTypeID", oids[i]);
        }
        ArrayNode rows = Json.mapper().createArrayNode();
        while (resultSet.next()) {
            if (rows.size() == maxRows) {
                throw new ApiException(400, "INVALID_INPUT", "The query returned more than " + maxRows + " rows",
                        "Add a LIMIT (or raise ANVIL_RAWSQL_MAX_ROWS).");
            }
            ObjectNode row = rows.addObject();
            for (int i = 0; i < columns; i++) {
                row.set(names[i], NodePgValues.toJson(resultSet.getString(i + 1), oids[i], oid -> arrayElement(types, oid)));
            }
        }
        ObjectNode result = Json.object();
        result.set("rows", rows);
        if (plan.countsRows()) {
            result.put("rowCount", rows.size());
        } else {
            result.putNull("rowCount");
        }
        result.set("fields", fields);
        return result;
    }

    /** pgjdbc reports a column's type by name; its type cache maps the name back to the oid node-pg reports. */
    private static int typeOid(TypeInfo types, String typeName) {
        try {
            return types.getPGType(typeName);
        } catch (SQLException e) {
            return 0;
        }
    }

    private static int arrayElement(TypeInfo types, int oid) {
        try {
            return types.getPGArrayElement(oid);
        } catch (SQLException e) {
            return 0;
        }
    }

    private static ObjectNode emptyResult() {
        ObjectNode result = Json.object();
        result.set("rows", Json.mapper().createArrayNode());
        result.putNull("rowCount");
        result.set("fields", Json.mapper().createArrayNode());
        return result;
    }

    /** Dynamic SQL can reach {@code RESET ROLE}; then nothing the query did may stay. */
    private static void requireStillProjectAdmin(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_user")) {
            row.next();
            String role = row.getString(1);
            if (!"project_admin".equals(role)) {
                throw new ApiException(403, "FORBIDDEN", RawSqlPlan.RESTRICTED
                        + ": the query changed the execution role (now " + role + "); nothing it did was kept");
            }
        }
    }

    /** Best effort, as in InsForge: the user's statement already succeeded and must not be reported as failed. */
    private static void reassignPublicObjects(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT system.reassign_public_objects_to_project_admin()");
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Could not hand public objects to project_admin after unrestricted SQL: " + e.getMessage());
        }
    }

    private ApiException translate(SQLException e, boolean explain) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        ApiException mapped = PgErrors.toApiException(e);
        if (state.equals("57014") && String.valueOf(e.getMessage()).contains("statement timeout")) {
            return new ApiException(mapped.status(), mapped.code(),
                    "Query timeout: The query took longer than " + timeout.toSeconds() + " seconds to execute",
                    "Simplify the query, add an index, or raise ANVIL_RAWSQL_TIMEOUT_SECONDS.");
        }
        if (explain && state.equals("25006")) {
            return ApiException.invalidInput("Only read-only SELECT statements can be explained: " + mapped.getMessage());
        }
        if (mapped.status() >= 500) {
            LOG.log(Level.WARNING, "Raw SQL failed with SQLSTATE " + state + ": " + e.getMessage());
        }
        return mapped;
    }

    private Connection open() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("connectTimeout", "10");
        // A safety net for a vanished server; the statement timeout ends slow queries long before.
        properties.setProperty("socketTimeout", String.valueOf(timeout.toSeconds() + 60));
        return location.openDedicated("anvil-rawsql", properties);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is closed right after; Postgres rolls back on disconnect
        }
    }
}

package dev.anvil.server.records.exec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.sql.SqlBuilder;

/**
 * Runs a records statement as the caller in one network round trip: the {@code set_config}
 * statement, an optional {@code EXPLAIN}, and the main statement go to Postgres as one pipelined
 * batch with a single Sync, so they share one implicit transaction and the settings end with it.
 *
 * <p>Requests that must look at the result before committing (a single object from a write,
 * {@code max-affected}, PUT's key check, {@code tx=rollback}) run in an explicit transaction instead:
 * pgjdbc sends {@code BEGIN} in the same batch, and the commit or rollback is a second round trip.
 *
 * <p>Every parameter is bound with a known type (text or bigint) — see {@link SqlBuilder} for why
 * that is what keeps the batch in one transaction — and the statement reports the role it ran as,
 * which must be the caller's.
 */
public final class QueryRunner {

    /** Looks at a result inside the transaction; throws to roll back and answer with the error. */
    @FunctionalInterface
    public interface Check {
        void verify(Outcome outcome);
    }

    private final DataSource dataSource;
    private final java.util.concurrent.Semaphore permits;

    /**
     * @param concurrency how many statements may hold a connection at once (the pool's size): more
     *                    requests wait on a semaphore, which parks a virtual thread cheaply, instead of
     *                    in the pool's own hand-off, which spins and tries to grow the pool
     */
    public QueryRunner(DataSource dataSource, int concurrency) {
        this.dataSource = dataSource;
        this.permits = new java.util.concurrent.Semaphore(Math.max(1, concurrency));
    }

    /**
     * @param check    null for the one-round-trip path; otherwise runs before commit
     * @param rollback end the transaction with a rollback (Prefer: tx=rollback)
     */
    public Outcome run(Session session, SqlBuilder explain, SqlBuilder main, Check check, boolean rollback) throws SQLException {
        boolean explicit = check != null || rollback;
        String sql = session.preamble() + ";\n" + (explain != null ? explain.text() + ";\n" : "") + main.text();
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.sql.SQLTransientConnectionException("Interrupted while waiting for a database connection");
        }
        try (Connection connection = dataSource.getConnection()) {
            if (explicit) {
                connection.setAutoCommit(false);
            }
            try {
                Outcome outcome = execute(connection, sql, session, explain, main);
                if (!session.role().equals(outcome.role())) {
                    throw new IllegalStateException("The records statement ran as '" + outcome.role() + "', not as '"
                            + session.role() + "'; refusing its result");
                }
                if (check != null) {
                    check.verify(outcome);
                }
                if (explicit) {
                    if (rollback) {
                        connection.rollback();
                    } else {
                        connection.commit();
                    }
                }
                return outcome;
            } catch (SQLException | RuntimeException e) {
                if (explicit) {
                    connection.rollback();
                }
                throw e;
            } finally {
                if (explicit) {
                    connection.setAutoCommit(true);
                }
            }
        } finally {
            permits.release();
        }
    }

    private static Outcome execute(Connection connection, String sql, Session session, SqlBuilder explain,
                                   SqlBuilder main) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            statement.setString(index++, session.role());
            statement.setString(index++, session.claimsJson());
            statement.setString(index++, session.method());
            statement.setString(index++, session.path());
            statement.setString(index++, session.headersJson());
            statement.setString(index++, session.searchPath());
            if (session.timezone() != null) {
                statement.setString(index++, session.timezone());
            }
            if (explain != null) {
                index = bind(statement, index, explain);
            }
            bind(statement, index, main);
            statement.execute();
            Long planned = null;
            if (explain != null) {
                statement.getMoreResults();
                try (ResultSet plan = statement.getResultSet()) {
                    plan.next();
                    planned = plannedRows(plan.getString(1));
                }
            }
            statement.getMoreResults();
            try (ResultSet rows = statement.getResultSet()) {
                if (rows == null || !rows.next()) {
                    throw new IllegalStateException("The records statement returned no result row");
                }
                long total = rows.getLong(1);
                Long totalOrNull = rows.wasNull() ? null : total;
                long pageTotal = rows.getLong(2);
                byte[] body = rows.getBytes(3);
                String role = rows.getString(4);
                long inserted = rows.getLong(5);
                Long insertedOrNull = rows.wasNull() ? null : inserted;
                return new Outcome(totalOrNull, pageTotal, body, role, insertedOrNull, planned, rows.getString(6),
                        rows.getString(7));
            }
        }
    }

    private static int bind(PreparedStatement statement, int start, SqlBuilder sql) throws SQLException {
        int index = start;
        for (SqlBuilder.Param param : sql.params()) {
            switch (param) {
                case SqlBuilder.TextParam text -> statement.setString(index++, text.value());
                case SqlBuilder.LongParam number -> statement.setLong(index++, number.value());
            }
        }
        return index;
    }

    private static Long plannedRows(String explainJson) {
        JsonNode plan = Json.parse(explainJson);
        JsonNode rows = plan.path(0).path("Plan").path("Plan Rows");
        if (!rows.isNumber()) {
            throw new PgrstError(500, "PGRSTX00", "Could not read the planned row count", null, null);
        }
        return rows.asLong();
    }
}

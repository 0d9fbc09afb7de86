package dev.anvil.operator.project;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.anvil.operator.OperatorSettings;

/**
 * The state a managed Project keeps outside Kubernetes: a database and a login role in the
 * operator's Postgres server. Matches what the server's migrations expect of a tenant (see the
 * server's {@code V1__roles.sql}): the shared NOLOGIN roles {@code anon}, {@code authenticated}
 * and {@code project_admin} (BYPASSRLS) exist once per server; the project's login role is a
 * member of all three and owns its database; CONNECT is revoked from PUBLIC so no other
 * project's role can open it. Every method is idempotent and safe to run concurrently for
 * different projects.
 */
public final class TenantDatabases implements AutoCloseable {

    private static final String[] SHARED_ROLES = {"anon", "authenticated", "project_admin"};

    private final HikariDataSource pool;
    private volatile boolean sharedRolesReady;

    public TenantDatabases(OperatorSettings.PostgresServer server) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(server.adminDatabase()));
        config.setUsername(server.adminUser());
        config.setPassword(server.adminPassword());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setPoolName("anvil-operator-postgres");
        // DDL like CREATE DATABASE cannot run in a transaction block.
        config.setAutoCommit(true);
        // Do not fail operator start when Postgres is briefly unavailable; reconciles retry.
        config.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(config);
    }

    DataSource dataSource() {
        return pool;
    }

    /** Creates the database and login role if missing; returns true when the database was created now. */
    public boolean ensure(String identifier, String password) throws SQLException {
        ensureSharedRoles();
        try (Connection connection = pool.getConnection()) {
            if (!exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", identifier)) {
                execute(connection, "CREATE ROLE " + quote(identifier) + " LOGIN PASSWORD " + literal(password)
                        + " NOSUPERUSER NOCREATEROLE NOCREATEDB", "42710");
            }
            execute(connection, "GRANT anon, authenticated, project_admin TO " + quote(identifier), null);
            boolean created = false;
            if (!exists(connection, "SELECT 1 FROM pg_database WHERE datname = ?", identifier)) {
                created = execute(connection, "CREATE DATABASE " + quote(identifier) + " OWNER " + quote(identifier), "42P04");
            }
            execute(connection, "REVOKE CONNECT ON DATABASE " + quote(identifier) + " FROM PUBLIC", null);
            return created;
        }
    }

    public boolean exists(String identifier) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return exists(connection, "SELECT 1 FROM pg_database WHERE datname = ?", identifier);
        }
    }

    /** Drops the database (closing its connections) and its login role. */
    public void drop(String identifier) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            execute(connection, "DROP DATABASE IF EXISTS " + quote(identifier) + " WITH (FORCE)", null);
            execute(connection, "DROP ROLE IF EXISTS " + quote(identifier), null);
        }
    }

    /** The three shared roles, once per Postgres server (and once per operator process). */
    private void ensureSharedRoles() throws SQLException {
        if (sharedRolesReady) {
            return;
        }
        synchronized (this) {
            if (sharedRolesReady) {
                return;
            }
            try (Connection connection = pool.getConnection()) {
                for (String role : SHARED_ROLES) {
                    if (!exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", role)) {
                        // 42710: created a moment ago by another operator replica or a server's migration
                        execute(connection, "CREATE ROLE " + role + " NOLOGIN NOINHERIT", "42710");
                    }
                }
                if (!exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = 'project_admin' AND rolbypassrls", null)) {
                    execute(connection, "ALTER ROLE project_admin BYPASSRLS", null);
                }
            }
            sharedRolesReady = true;
        }
    }

    private static boolean exists(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Runs DDL; an error with {@code tolerated} SQLSTATE (a concurrent creator won) counts as done. */
    private static boolean execute(Connection connection, String sql, String tolerated) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            return true;
        } catch (SQLException e) {
            if (tolerated != null && tolerated.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public void close() {
        pool.close();
    }
}

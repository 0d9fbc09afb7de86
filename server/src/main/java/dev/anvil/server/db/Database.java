package dev.anvil.server.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.common.mapper.MapperManager;
import io.helidon.common.mapper.Mappers;
import io.helidon.common.mapper.MappersConfig;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbMapperProviderImpl;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;

/**
 * The server's one connection pool (HikariCP) and the Helidon DbClient over it. DbClient runs the
 * platform's fixed statements; the records engine and anything needing a role-scoped transaction
 * take JDBC connections from the same pool ({@link RoleTransaction}).
 *
 * <p>DbClient traps, kept in mind by callers: a query's Stream holds its connection until consumed
 * or closed (use {@code try (var rows = ...)} or {@code get}); {@code timestamptz} columns arrive as
 * {@link java.sql.Timestamp}; parameters are sent untyped, so SQL casts them ({@code ?::uuid}).
 */
public final class Database implements AutoCloseable {

    private final DatabaseLocation location;
    private final HikariDataSource pool;
    private final DbClient client;

    private Database(DatabaseLocation location, HikariDataSource pool, DbClient client) {
        this.location = location;
        this.pool = pool;
        this.client = client;
    }

    public static Database connect(DatabaseLocation location, int poolSize) {
        return connect(() -> Target.ready(location), poolSize);
    }

    /**
     * A database to connect to, and what to wait for before it accepts connections: an embedded
     * Postgres may still be booting while the pool is built.
     */
    public record Target(DatabaseLocation location, Optional<Runnable> awaitReady) {
        public static Target ready(DatabaseLocation location) {
            return new Target(location, Optional.empty());
        }

        public static Target booting(DatabaseLocation location, Runnable awaitReady) {
            return new Target(location, Optional.of(awaitReady));
        }
    }

    /**
     * Connects to a database that may still be starting ({@code locate} launches the embedded one).
     * Three things a cold JVM is slow at overlap instead of adding up: Helidon's DbClient is built
     * on a thread of its own (it needs no connection), a booting Postgres is waited for on another
     * (its first connection initialises the JDBC driver, ~0.1 s), and the pool is built meanwhile.
     */
    public static Database connect(Supplier<Target> locate, int poolSize) {
        HikariConnections connections = new HikariConnections();
        CompletableFuture<DbClient> client = CompletableFuture.supplyAsync(
                () -> buildClient(connections), ownThread("anvil-dbclient-build"));
        Target target = locate.get();
        HikariDataSource pool;
        if (target.awaitReady().isPresent()) {
            CompletableFuture<Void> ready = CompletableFuture.runAsync(target.awaitReady().get(), ownThread("anvil-postgres-ready"));
            pool = openPool(target.location(), poolSize, false);
            try {
                ready.join();
            } catch (CompletionException e) {
                pool.close();
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        } else {
            pool = openPool(target.location(), poolSize, true);
        }
        connections.pool = pool;
        try {
            return new Database(target.location(), pool, client.join());
        } catch (CompletionException e) {
            pool.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static Executor ownThread(String name) {
        return task -> Thread.ofPlatform().daemon().name(name).start(task);
    }

    /**
     * The DbClient, with its value mappers named rather than discovered: Helidon's built-in ones and
     * the DbClient's own (SQL date and time types), the two its default would find. Discovery goes
     * through Helidon's global service registry, which the server builds on another thread during
     * the start (~100 ms of CPU); named mappers let the first query run without waiting for it.
     */
    private static DbClient buildClient(JdbcConnectionPool connections) {
        JdbcClientBuilder builder = JdbcClientBuilder.create().connectionPool(connections);
        Mappers named = Mappers.create(MappersConfig.builder()
                .useBuiltInMappers(true)
                .addMapperProvider(new DbMapperProviderImpl())
                .mapperProvidersDiscoverServices(false)
                .mappersDiscoverServices(false)
                .buildPrototype());
        // Helidon's Mappers implementation is also its MapperManager; if that ever changes, the
        // DbClient keeps its discovered mappers and only the start is slower.
        if (named instanceof MapperManager manager) {
            builder.mapperManager(manager);
        }
        return builder.build();
    }

    /**
     * @param failFast connect once before returning, so an unreachable database fails the start;
     *                 without it the pool connects on first use (the caller has waited for the
     *                 database itself)
     */
    private static HikariDataSource openPool(DatabaseLocation location, int poolSize, boolean failFast) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(location.jdbcUrl());
        if (location.user() != null) {
            config.setUsername(location.user());
        }
        if (location.password() != null) {
            config.setPassword(location.password());
        }
        config.setPoolName("anvil");
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(10_000);
        // Fail fast at start if the database is unreachable, rather than on the first request.
        config.setInitializationFailTimeout(failFast ? 30_000 : -1);
        config.addDataSourceProperty("ApplicationName", "anvil");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(config);
    }

    public DatabaseLocation location() {
        return location;
    }

    public DataSource dataSource() {
        return pool;
    }

    public DbClient client() {
        return client;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        client.close();
        pool.close();
    }

    /**
     * Hands DbClient connections from the Hikari pool instead of letting it build its own; the pool
     * is set once open, before the Database — and so the client — is handed to anyone.
     */
    private static final class HikariConnections implements JdbcConnectionPool {
        private volatile HikariDataSource pool;

        @Override
        public Connection connection() {
            HikariDataSource open = pool;
            if (open == null) {
                throw new IllegalStateException("The database pool is not open yet");
            }
            try {
                return open.getConnection();
            } catch (SQLException e) {
                throw new IllegalStateException("No database connection available: " + e.getMessage(), e);
            }
        }

        @Override
        public String dbType() {
            return "postgresql";
        }
    }
}

package dev.anvil.server.platform;

import java.sql.Connection;
import java.sql.SQLException;

import java.util.function.Supplier;

import javax.sql.DataSource;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/** Readiness: the pool can hand out a connection that answers. */
public final class DatabaseHealthCheck implements HealthCheck {

    private final Supplier<DataSource> dataSource;

    /** The pool is looked up per check: the feature is built while the database is still starting. */
    public DatabaseHealthCheck(Supplier<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public HealthCheckResponse call() {
        try (Connection connection = dataSource.get().getConnection()) {
            return HealthCheckResponse.builder().status(connection.isValid(2)).build();
        } catch (SQLException e) {
            return HealthCheckResponse.builder().status(false).detail("error", e.getMessage()).build();
        }
    }
}

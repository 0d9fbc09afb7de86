package dev.anvil.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import dev.anvil.server.db.Database;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real Postgres 17 per test JVM. The platform schema is migrated once into a template database;
 * every test class gets its own copy ({@code CREATE DATABASE … TEMPLATE}) in a few milliseconds, so
 * classes never see each other's rows and the suite stays fast.
 */
public final class SharedPostgres {

    private static final String TEMPLATE = "anvil_template";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private SharedPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                Path dir = Files.createTempDirectory("anvil-test-pg");
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("data"))
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(SharedPostgres::stop));
                createTemplate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return postgres;
    }

    /** A fresh, fully migrated database of its own. */
    public static DatabaseLocation newDatabase(String purpose) {
        String name = "t_" + purpose.replaceAll("[^a-zA-Z0-9]", "_").toLowerCase() + "_" + COUNTER.incrementAndGet();
        execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        return location(name);
    }

    /** An empty database (no migrations), for tests of the migrations themselves. */
    public static DatabaseLocation newEmptyDatabase(String purpose) {
        String name = "e_" + purpose.replaceAll("[^a-zA-Z0-9]", "_").toLowerCase() + "_" + COUNTER.incrementAndGet();
        execute("postgres", "CREATE DATABASE " + name);
        return location(name);
    }

    public static DatabaseLocation location(String database) {
        return new DatabaseLocation(server().getJdbcUrl("postgres", database), "postgres", "");
    }

    /** Runs statements as the superuser in the given database. */
    public static void execute(String database, String... statements) {
        try (Connection connection = DriverManager.getConnection(server().getJdbcUrl("postgres", database));
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void createTemplate() {
        execute("postgres", "CREATE DATABASE " + TEMPLATE);
        try (Database database = Database.connect(location(TEMPLATE), 2)) {
            Migrations.migrate(database.dataSource());
        }
    }

    private static synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the JVM is exiting
            }
        }
    }
}

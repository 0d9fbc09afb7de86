package dev.anvil.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.anvil.operator.OperatorSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real Postgres 17 per test JVM, playing the cluster's shared Postgres server. Unlike the
 * embedded default (trust for everyone), only the superuser is trusted: every other role must
 * present its password over TCP, so the isolation tests mean something.
 */
public final class TestPostgres {

    private static EmbeddedPostgres postgres;
    private static Path directory;

    private TestPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                directory = Files.createTempDirectory("anvil-operator-pg");
                Path data = directory.resolve("data");
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(data)
                        .setServerConfig("max_connections", "400")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                Files.writeString(data.resolve("pg_hba.conf"), """
                        local all all trust
                        host all postgres 127.0.0.1/32 trust
                        host all postgres ::1/128 trust
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                query("postgres", "SELECT pg_reload_conf()");
                Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::stop));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return postgres;
    }

    /** The operator's view of this server: it connects as the superuser. */
    public static OperatorSettings.PostgresServer operatorConnection() {
        return new OperatorSettings.PostgresServer("127.0.0.1", server().getPort(), "postgres", "postgres", "", "disable");
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server().getPort() + "/" + database;
    }

    /** First column of the first row, as the superuser ({@code null} when there is no row). */
    public static String query(String database, String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(database), "postgres", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
                // hundreds of databases (the benchmark) take gigabytes: leave nothing behind
                try (var files = Files.walk(directory)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            } catch (IOException ignored) {
                // the JVM is exiting
            }
        }
    }
}

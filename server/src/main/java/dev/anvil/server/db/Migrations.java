package dev.anvil.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * Brings a database to the current platform schema with Flyway, from {@code db/migration} in the
 * jar. Safe to run on every start, from several replicas at once (Flyway takes a lock), on an empty
 * database, and on one whose server already has the shared roles ({@code anon},
 * {@code authenticated}, {@code project_admin}) from another project database.
 *
 * <p>When every migration in the jar is already recorded as applied, Flyway is not started at all:
 * its setup costs a few hundred milliseconds of startup, which is most of what a restart spends here.
 *
 * <p>Each domain owns a range of versions so parallel work never collides: 1–9 platform core,
 * 10–19 auth, 20–29 database/records, 30–39 storage, 40–49 realtime, 50–59 functions and secrets,
 * 60–69 OAuth.
 */
public final class Migrations {

    static final String LOCATION = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9_.]*)__.+\\.sql");

    private Migrations() {
    }

    /** Applies pending migrations; returns how many ran (0 when the database was current). */
    public static int migrate(DataSource dataSource) {
        Set<String> available = availableVersions();
        if (!available.isEmpty() && appliedVersions(dataSource).containsAll(available)) {
            return 0;
        }
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:" + LOCATION)
                .schemas("system")
                .defaultSchema("system")
                .table("schema_history")
                .createSchemas(true)
                // SQL bodies use $$ and ${...}-like text; nothing here is a template.
                .placeholderReplacement(false)
                // Domains add migrations in their own version ranges; a database that already ran a
                // later range must still accept an earlier-numbered migration added afterwards.
                .outOfOrder(true)
                .validateMigrationNaming(true)
                .load();
        return flyway.migrate().migrationsExecuted;
    }

    /** Versions of the migration files shipped in the jar (or the classes directory, in tests). */
    static Set<String> availableVersions() {
        URL url = Migrations.class.getClassLoader().getResource(LOCATION);
        if (url == null) {
            return Set.of();
        }
        Set<String> versions = new HashSet<>();
        try {
            if ("jar".equals(url.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    jar.stream().map(JarEntry::getName).filter(name -> name.startsWith(LOCATION + "/"))
                            .forEach(name -> addVersion(versions, name.substring(LOCATION.length() + 1)));
                }
            } else {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.forEach(file -> addVersion(versions, file.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return versions;
    }

    private static void addVersion(Set<String> versions, String fileName) {
        Matcher matcher = VERSIONED.matcher(fileName);
        if (matcher.matches()) {
            versions.add(normalise(matcher.group(1)));
        }
    }

    /** Flyway records V1_2 and V1.2 as "1.2", and drops leading zeros per part. */
    static String normalise(String version) {
        String[] parts = version.replace('_', '.').split("\\.");
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(new java.math.BigInteger(part));
        }
        return out.toString();
    }

    private static Set<String> appliedVersions(DataSource dataSource) {
        Set<String> applied = new HashSet<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT to_regclass('system.schema_history') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return applied;
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT version FROM system.schema_history WHERE success AND version IS NOT NULL")) {
                while (rows.next()) {
                    applied.add(normalise(rows.getString(1)));
                }
            }
        } catch (SQLException e) {
            return Set.of();
        }
        return applied;
    }
}

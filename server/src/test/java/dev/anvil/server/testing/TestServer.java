package dev.anvil.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.AnvilServer;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.db.DatabaseLocation;

/**
 * A real Anvil server for a test class: its own database on the shared Postgres, a free port, its
 * own data directory. Start it in {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
public final class TestServer implements AutoCloseable {

    private final AnvilServer server;
    private final DatabaseLocation database;
    private final Path dataDir;
    private final Map<String, String> settings;

    private TestServer(AnvilServer server, DatabaseLocation database, Path dataDir, Map<String, String> settings) {
        this.server = server;
        this.database = database;
        this.dataDir = dataDir;
        this.settings = settings;
    }

    public static TestServer start(String purpose) {
        return start(purpose, Map.of());
    }

    /** Starts a server on a fresh database; {@code overrides} are settings by environment name. */
    public static TestServer start(String purpose, Map<String, String> overrides) {
        return startOn(SharedPostgres.newDatabase(purpose), overrides);
    }

    /** Starts a server on an existing database (e.g. a second replica of another test server). */
    public static TestServer startOn(DatabaseLocation database, Map<String, String> overrides) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("anvil-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = settingsOn(database, dataDir);
        settings.putAll(overrides);
        return new TestServer(AnvilServer.start(AnvilConfig.of(settings)), database, dataDir, settings);
    }

    /**
     * What a test server needs on an existing database: loopback on a free port, its own data
     * directory, no access log, no direct functions port, and the encryption key every replica of a
     * test shares.
     */
    public static Map<String, String> settingsOn(DatabaseLocation database, Path dataDir) {
        Map<String, String> settings = new HashMap<>();
        settings.put("DATABASE_URL", database.jdbcUrl());
        settings.put("POSTGRES_USER", database.user());
        settings.put("POSTGRES_PASSWORD", database.password());
        settings.put("PORT", "0");
        settings.put("ANVIL_HOST", "127.0.0.1");
        settings.put("ANVIL_DATA_DIR", dataDir.toString());
        settings.put("ANVIL_ACCESS_LOG", "false");
        // Not the default 7133: test servers run side by side (a functions test turns it on with port 0).
        settings.put("ANVIL_FUNCTIONS_PORT", "off");
        settings.put("ENCRYPTION_KEY", "test-encryption-key-shared-by-replicas");
        return settings;
    }

    /** Another server on the same database and keys: a replica. */
    public TestServer replica() {
        return replica(Map.of());
    }

    public TestServer replica(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(settings);
        merged.remove("ANVIL_DATA_DIR");
        merged.putAll(overrides);
        return startOn(database, merged);
    }

    public AnvilServer anvil() {
        return server;
    }

    public DatabaseLocation database() {
        return database;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Map<String, String> settings() {
        return Map.copyOf(settings);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String apiKey() {
        return server.credentials().projectKeys().apiKey();
    }

    public String anonKey() {
        return server.credentials().projectKeys().anonKey();
    }

    /** An access token for a user id, signed like the server signs them. */
    public String userToken(String userId, String email) {
        return server.credentials().accessTokens().issue(userId, email, "authenticated");
    }

    public String adminToken() {
        return server.credentials().accessTokens().issue("local:admin", null, "project_admin");
    }

    public HttpCall call(String method, String path) {
        return new HttpCall(baseUrl(), method, path);
    }

    public HttpCall get(String path) {
        return call("GET", path);
    }

    public HttpCall post(String path) {
        return call("POST", path);
    }

    @Override
    public void close() {
        server.close();
    }
}

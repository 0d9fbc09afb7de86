package dev.anvil.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import dev.anvil.server.AnvilServer;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default mode: no database configured, so the server starts its own embedded Postgres under
 * ANVIL_DATA_DIR. A restart keeps the data and the generated keys.
 */
class RestartTest {

    @Test
    void restartOnTheEmbeddedDatabaseKeepsKeysAndData(@TempDir Path dataDir) throws Exception {
        Map<String, String> settings = Map.of("ANVIL_DATA_DIR", dataDir.toString(), "PORT", "0",
                "ANVIL_HOST", "127.0.0.1", "ANVIL_ACCESS_LOG", "false");
        String apiKey;
        String anonKey;
        try (AnvilServer first = AnvilServer.start(AnvilConfig.of(settings))) {
            assertThat(first.generatedAccessKeys()).isTrue();
            apiKey = first.credentials().projectKeys().apiKey();
            anonKey = first.credentials().projectKeys().anonKey();
            assertThat(apiKey).matches("ik_[0-9a-f]{64}");
            assertThat(anonKey).matches("anon_[0-9a-f]{64}");
            HttpCall.Reply stored = HttpCall.to("http://127.0.0.1:" + first.port(), "POST", "/api/usage/mcp")
                    .header("x-api-key", apiKey).json(Map.of("tool_name", "survives-restart")).send();
            assertThat(stored.status()).isEqualTo(200);
        }

        assertThat(dataDir.resolve("postgres/PG_VERSION")).content().startsWith("17");
        Path keyFile = dataDir.resolve("encryption.key");
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        try (AnvilServer second = AnvilServer.start(AnvilConfig.of(settings))) {
            assertThat(second.generatedAccessKeys()).isFalse();
            assertThat(second.credentials().projectKeys().apiKey()).isEqualTo(apiKey);
            assertThat(second.credentials().projectKeys().anonKey()).isEqualTo(anonKey);
            HttpCall.Reply records = HttpCall.to("http://127.0.0.1:" + second.port(), "GET", "/api/usage/mcp")
                    .bearer(apiKey).send();
            assertThat(records.status()).isEqualTo(200);
            assertThat(records.json().get("records").get(0).get("tool_name").asText()).isEqualTo("survives-restart");

            // The embedded Postgres' own log is a log source (it is not, with an external database).
            HttpCall.Reply postgresLogs = HttpCall.to("http://127.0.0.1:" + second.port(), "GET",
                    "/api/logs/postgres.logs?limit=1000").bearer(apiKey).send();
            assertThat(postgresLogs.status()).isEqualTo(200);
            assertThat(postgresLogs.json().get("logs").toString()).contains("database system is ready to accept connections");

            try (var connection = second.database().connection(); var statement = connection.createStatement();
                 var rows = statement.executeQuery("SELECT value_ciphertext FROM system.secrets WHERE key = 'API_KEY'")) {
                rows.next();
                assertThat(rows.getString(1)).as("stored encrypted, in InsForge's iv:tag:ciphertext format")
                        .matches("[0-9a-f]{32}:[0-9a-f]{32}:[0-9a-f]+").doesNotContain(apiKey.substring(3));
            }
        }
    }
}

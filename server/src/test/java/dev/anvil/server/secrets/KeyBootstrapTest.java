package dev.anvil.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

class KeyBootstrapTest {

    @Test
    void keysFromTheEnvironmentAreUsedAndStored() {
        String apiKey = "ik_" + "ab".repeat(32);
        String anonBody = "cd".repeat(32);
        try (TestServer server = TestServer.start("env_keys", Map.of("ACCESS_API_KEY", apiKey, "ACCESS_ANON_KEY", anonBody))) {
            assertThat(server.apiKey()).isEqualTo(apiKey);
            assertThat(server.anonKey()).as("anon_ prefix added as InsForge does").isEqualTo("anon_" + anonBody);
            assertThat(server.get("/api/usage/mcp").header("x-api-key", apiKey).send().status()).isEqualTo(200);
            assertThat(server.anvil().secrets().activeValue("API_KEY")).hasValue(apiKey);
        }
    }

    @Test
    void changingTheEnvironmentKeyReplacesTheStoredOne() {
        try (TestServer first = TestServer.start("env_key_change")) {
            String generated = first.apiKey();
            String chosen = "ik_" + "12".repeat(32);
            try (TestServer second = first.replica(Map.of("ACCESS_API_KEY", chosen))) {
                assertThat(second.apiKey()).isEqualTo(chosen).isNotEqualTo(generated);
                assertThat(second.get("/api/usage/mcp").header("x-api-key", generated).send().status()).isEqualTo(401);
            }
        }
    }

    @Test
    void replicasShareTheGeneratedKeysInsteadOfMakingTheirOwn() {
        try (TestServer first = TestServer.start("replica_keys"); TestServer second = first.replica()) {
            assertThat(second.apiKey()).isEqualTo(first.apiKey());
            assertThat(second.anonKey()).isEqualTo(first.anonKey());
            String tokenFromFirst = first.userToken("6f1c2a9e-8d7b-4c1a-9e2f-0a1b2c3d4e5f", "x@example.com");
            assertThat(second.anvil().credentials().accessTokens().verify(tokenFromFirst).userId())
                    .hasValue("6f1c2a9e-8d7b-4c1a-9e2f-0a1b2c3d4e5f");
        }
    }

    @Test
    void activeValuesReadManyKeysAtOnceAndLeaveOutInactiveExpiredAndMissingOnes() throws SQLException {
        try (TestServer server = TestServer.start("active_values")) {
            SecretStore store = server.anvil().secrets();
            store.upsert("LIVE_ONE", "v1", false);
            store.upsert("LIVE_TWO", "v2", false);
            store.upsert("SWITCHED_OFF", "v3", false);
            store.upsert("EXPIRED", "v4", false);
            try (Connection connection = server.anvil().database().dataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("UPDATE system.secrets SET is_active = false WHERE key = 'SWITCHED_OFF'");
                statement.execute("UPDATE system.secrets SET expires_at = now() - interval '1 minute' WHERE key = 'EXPIRED'");
            }

            assertThat(store.activeValues(List.of("LIVE_ONE", "LIVE_TWO", "SWITCHED_OFF", "EXPIRED", "NEVER_STORED")))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("LIVE_ONE", "v1", "LIVE_TWO", "v2"));
            assertThat(store.activeValues(KeyBootstrap.INSTANCE_KEYS)).as("what the bootstrap and the signing keys read")
                    .containsOnlyKeys(KeyBootstrap.INSTANCE_KEYS)
                    .containsEntry(KeyBootstrap.API_KEY, server.apiKey());
        }
    }

    @Test
    void aDifferentEncryptionKeyIsRefusedWithAClearMessage() {
        try (TestServer first = TestServer.start("wrong_key")) {
            assertThatThrownBy(() -> first.replica(Map.of("ENCRYPTION_KEY", "not-the-key-this-database-uses")))
                    .hasMessageContaining("cannot decrypt the secrets stored in this database")
                    .hasMessageContaining("ENCRYPTION_KEY");
        }
    }

    @Test
    void apiKeyWithoutThePrefixIsAConfigurationError() {
        assertThatThrownBy(() -> TestServer.start("bad_api_key", Map.of("ACCESS_API_KEY", "plain-key")))
                .hasMessageContaining("ACCESS_API_KEY must start with ik_");
    }
}

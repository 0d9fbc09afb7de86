package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.auth.Sql;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admin OAuth configuration (contract §2.6): CRUD, validation, admin-only, client secrets encrypted at rest. */
class OAuthConfigApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("oauth_config_api");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpCall.Reply admin(String method, String path, Object body) {
        HttpCall call = server.call(method, path).bearer(server.apiKey());
        return (body == null ? call : call.json(body)).send();
    }

    @Test
    void builtInConfigsAreCreatedReadChangedAndDeleted() {
        HttpCall.Reply created = admin("POST", "/api/auth/oauth/configs",
                Map.of("provider", "discord", "clientId", "discord-id", "clientSecret", "discord-secret-1", "useSharedKey", false));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode config = created.json();
        assertThat(config.path("provider").asText()).isEqualTo("discord");
        assertThat(config.path("scopes")).extracting(JsonNode::asText).containsExactly("identify", "email");
        assertThat(config.has("clientSecret")).isFalse();

        // The secret is stored encrypted in system.secrets and only the config's secret_id points at it.
        String stored = Sql.one(server, "SELECT s.value_ciphertext FROM system.secrets s JOIN auth.oauth_configs c "
                + "ON c.secret_id = s.id WHERE c.provider = 'discord'");
        assertThat(stored).doesNotContain("discord-secret-1");
        assertThat(admin("GET", "/api/auth/oauth/discord/config", null).json().path("clientSecret").asText())
                .isEqualTo("discord-secret-1");

        HttpCall.Reply duplicate = admin("POST", "/api/auth/oauth/configs", Map.of("provider", "discord", "useSharedKey", false));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("error").asText()).isEqualTo("AUTH_OAUTH_CONFIG_ALREADY_EXISTS");

        HttpCall.Reply updated = admin("PUT", "/api/auth/oauth/discord/config",
                Map.of("clientSecret", "discord-secret-2", "scopes", List.of("identify"), "nativeClientIds", List.of("n1", "n2")));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().path("clientId").asText()).isEqualTo("discord-id");
        assertThat(updated.json().path("scopes")).extracting(JsonNode::asText).containsExactly("identify");
        assertThat(updated.json().path("nativeClientIds")).extracting(JsonNode::asText).containsExactly("n1", "n2");
        assertThat(admin("GET", "/api/auth/oauth/discord/config", null).json().path("clientSecret").asText())
                .isEqualTo("discord-secret-2");

        JsonNode list = admin("GET", "/api/auth/oauth/configs", null).json();
        assertThat(list.path("count").asInt()).isEqualTo(list.path("data").size());
        assertThat(list.path("data").findValuesAsText("provider")).contains("discord");
        assertThat(list.toString()).doesNotContain("discord-secret");

        HttpCall.Reply deleted = admin("DELETE", "/api/auth/oauth/discord/config", null);
        assertThat(deleted.json().path("message").asText()).isEqualTo("OAuth configuration for discord deleted successfully");
        assertThat(Sql.column(server, "SELECT key FROM system.secrets WHERE key LIKE 'OAUTH_DISCORD%'")).isEmpty();
        assertThat(admin("GET", "/api/auth/oauth/discord/config", null).json().path("error").asText())
                .isEqualTo("AUTH_OAUTH_CONFIG_NOT_FOUND");
        assertThat(admin("PUT", "/api/auth/oauth/discord/config", Map.of()).status()).isEqualTo(404);
        assertThat(admin("DELETE", "/api/auth/oauth/discord/config", null).status()).isEqualTo(404);
    }

    @Test
    void builtInConfigInputIsValidated() {
        HttpCall.Reply unknown = admin("POST", "/api/auth/oauth/configs", Map.of("provider", "myspace", "useSharedKey", false));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("message").asText()).startsWith("provider: Invalid enum value. Expected 'google' | 'github'")
                .endsWith("received 'myspace'");
        HttpCall.Reply noFlag = admin("POST", "/api/auth/oauth/configs", Map.of("provider", "x"));
        assertThat(noFlag.json().path("message").asText()).isEqualTo("useSharedKey: Required");
        HttpCall.Reply shared = admin("POST", "/api/auth/oauth/configs", Map.of("provider", "x", "useSharedKey", true));
        assertThat(shared.status()).isEqualTo(400);
        assertThat(shared.json().path("error").asText()).isEqualTo("AUTH_OAUTH_CONFIG_ERROR");
        HttpCall.Reply badScopes = admin("POST", "/api/auth/oauth/configs", Map.of("provider", "x", "useSharedKey", false, "scopes", "all"));
        assertThat(badScopes.json().path("message").asText()).isEqualTo("scopes: Expected array, received string");
        assertThat(admin("GET", "/api/auth/oauth/configs", null).json().path("data").findValuesAsText("provider")).doesNotContain("x");
    }

    @Test
    void customConfigsAreCreatedReadChangedAndDeleted() {
        Map<String, Object> body = Map.of("key", "okta-eu", "name", "Okta EU",
                "discoveryEndpoint", "https://example.okta.com/.well-known/openid-configuration",
                "clientId", "okta-client", "clientSecret", "okta-secret-1");
        HttpCall.Reply created = admin("POST", "/api/auth/oauth/custom/configs", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.json().path("key").asText()).isEqualTo("okta-eu");
        assertThat(created.json().has("clientSecret")).isFalse();
        assertThat(admin("POST", "/api/auth/oauth/custom/configs", body).status()).isEqualTo(409);
        assertThat(Sql.one(server, "SELECT s.value_ciphertext FROM system.secrets s JOIN auth.custom_oauth_configs c "
                + "ON c.secret_id = s.id WHERE c.key = 'okta-eu'")).doesNotContain("okta-secret-1");

        HttpCall.Reply updated = admin("PUT", "/api/auth/oauth/custom/okta-eu/config",
                Map.of("name", "Okta Europe", "clientSecret", "okta-secret-2"));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().path("name").asText()).isEqualTo("Okta Europe");
        assertThat(updated.json().path("clientId").asText()).isEqualTo("okta-client");
        JsonNode read = admin("GET", "/api/auth/oauth/custom/okta-eu/config", null).json();
        assertThat(read.path("clientSecret").asText()).isEqualTo("okta-secret-2");
        assertThat(admin("GET", "/api/auth/oauth/custom/configs", null).json().path("count").asInt()).isEqualTo(1);
        assertThat(server.get("/api/auth/public-config").send().json().path("customOAuthProviders"))
                .extracting(JsonNode::asText).containsExactly("okta-eu");

        assertThat(admin("DELETE", "/api/auth/oauth/custom/okta-eu/config", null).json().path("success").asBoolean()).isTrue();
        assertThat(admin("GET", "/api/auth/oauth/custom/okta-eu/config", null).status()).isEqualTo(404);
        assertThat(Sql.column(server, "SELECT key FROM system.secrets WHERE key LIKE 'OAUTH_CUSTOM_%'")).isEmpty();
    }

    @Test
    void customConfigInputIsValidated() {
        Map<String, String> valid = Map.of("key", "ok", "name", "OK", "discoveryEndpoint", "https://idp.example/.well-known/openid-configuration",
                "clientId", "id", "clientSecret", "secret");
        record Case(String field, Object value, String message) {
        }
        List<Case> cases = List.of(
                new Case("key", "Has Caps", "key: Key must contain only lowercase letters, numbers, hyphens, and underscores"),
                new Case("key", "k".repeat(65), "key: String must contain at most 64 character(s)"),
                new Case("key", "google", "key: 'google' is reserved; choose another key"),
                new Case("key", "configs", "key: 'configs' is reserved; choose another key"),
                new Case("name", "", "name: String must contain at least 1 character(s)"),
                new Case("discoveryEndpoint", "not a url", "discoveryEndpoint: Invalid url"),
                new Case("clientId", 5, "clientId: Expected string, received number"),
                new Case("clientSecret", "", "clientSecret: Client secret is required"));
        for (Case c : cases) {
            java.util.HashMap<String, Object> body = new java.util.HashMap<>(valid);
            body.put(c.field(), c.value());
            HttpCall.Reply reply = admin("POST", "/api/auth/oauth/custom/configs", body);
            assertThat(reply.status()).as(c.toString()).isEqualTo(400);
            assertThat(reply.json().path("message").asText()).as(c.toString()).isEqualTo(c.message());
        }
        assertThat(admin("GET", "/api/auth/oauth/custom/configs", null).json().path("count").asInt()).isZero();
    }

    @Test
    void onlyAdminsReachTheConfigs() {
        String user = server.userToken(java.util.UUID.randomUUID().toString(), "u@example.com");
        for (String path : List.of("/api/auth/oauth/configs", "/api/auth/oauth/google/config", "/api/auth/oauth/custom/configs",
                "/api/auth/oauth/custom/acme/config")) {
            assertThat(server.get(path).send().status()).as(path).isEqualTo(401);
            assertThat(server.get(path).bearer(server.anonKey()).send().status()).as(path).isEqualTo(403);
            assertThat(server.get(path).bearer(user).send().status()).as(path).isEqualTo(403);
        }
        assertThat(server.get("/api/auth/oauth/configs").bearer(server.adminToken()).send().status()).isEqualTo(200);
    }
}

package dev.anvil.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admin changes in every domain leave a row in the audit trail (GET /api/logs/audits), and what is
 * recorded never includes a secret's value.
 */
class AuditTrailTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("audit_trail");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    HttpCall admin(String method, String path) {
        return server.call(method, path).header("x-api-key", server.apiKey());
    }

    @Test
    void secretsFunctionsChannelsAndOAuthConfigsAreAudited() {
        assertThat(admin("POST", "/api/secrets").json(Map.of("key", "AUDITED_SECRET", "value", "do-not-log-me")).send().status())
                .isEqualTo(201);
        assertThat(admin("PUT", "/api/secrets/AUDITED_SECRET").json(Map.of("value", "still-do-not-log-me")).send().status())
                .isEqualTo(200);
        assertThat(admin("DELETE", "/api/secrets/AUDITED_SECRET").send().status()).isEqualTo(200);
        assertThat(admin("POST", "/api/functions").json(Map.of("name", "audited", "status", "draft",
                "code", "module.exports = async () => new Response('x')")).send().status()).isEqualTo(201);
        assertThat(admin("DELETE", "/api/functions/audited").send().status()).isEqualTo(200);
        HttpCall.Reply channel = admin("POST", "/api/realtime/channels").json(Map.of("pattern", "audit:%")).send();
        assertThat(channel.status()).isEqualTo(201);
        assertThat(admin("DELETE", "/api/realtime/channels/" + channel.json().get("id").asText()).send().status()).isEqualTo(200);
        assertThat(admin("POST", "/api/auth/oauth/configs").json(Map.of("provider", "github", "clientId", "id",
                "clientSecret", "oauth-secret-not-logged", "useSharedKey", false)).send().status()).isEqualTo(200);

        HttpCall.Reply audits = admin("GET", "/api/logs/audits?limit=100").send();
        assertThat(audits.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        for (JsonNode row : audits.json()) {
            actions.add(row.get("module").asText() + "/" + row.get("action").asText());
            assertThat(row.get("actor").asText()).isEqualTo("api-key");
        }
        assertThat(actions).contains("SECRETS/CREATE_SECRET", "SECRETS/UPDATE_SECRET", "SECRETS/DELETE_SECRET",
                "FUNCTIONS/CREATE_FUNCTION", "FUNCTIONS/DELETE_FUNCTION", "REALTIME/CREATE_CHANNEL",
                "REALTIME/DELETE_CHANNEL", "AUTH/CREATE_OAUTH_CONFIG");
        assertThat(audits.text()).doesNotContain("do-not-log-me", "oauth-secret-not-logged");
    }

    @Test
    void keyRotationIsAudited() {
        assertThat(admin("POST", "/api/secrets/anon-key/rotate").json(Map.of("gracePeriodHours", 1)).send().status())
                .isEqualTo(200);

        JsonNode rows = admin("GET", "/api/logs/audits?action=ROTATE_ANON_KEY").send().json();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("details").get("gracePeriodHours").asInt()).isEqualTo(1);
        assertThat(rows.get(0).get("details").toString()).doesNotContain("anon_");
    }
}

package dev.anvil.server.platform;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/usage/mcp} (contract §8): the MCP server's report of each tool call, exactly as
 * 1.2.11 sends it ({@code x-api-key}, {@code {tool_name, success, timestamp}}); read back by admins.
 */
class UsageApiTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("usage");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpCall.Reply report(HttpCall call, String tool, boolean success) {
        return call.json(Map.of("tool_name", tool, "success", success, "timestamp", Instant.now().toString())).send();
    }

    @Test
    void theMcpServersReportIsStoredAndListedNewestFirst() {
        HttpCall.Reply ok = report(server.post("/api/usage/mcp").header("x-api-key", server.apiKey()), "run-raw-sql", true);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().toString()).isEqualTo("{\"success\":true}");
        report(server.post("/api/usage/mcp").bearer(server.apiKey()), "get-table-schema", false);

        JsonNode records = server.get("/api/usage/mcp").header("x-api-key", server.apiKey()).send().json().get("records");

        assertThat(records).extracting(r -> r.get("tool_name").asText() + "=" + r.get("success").asBoolean())
                .containsExactly("get-table-schema=false", "run-raw-sql=true");
        assertThat(Instant.parse(records.get(0).get("created_at").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(server.get("/api/usage/mcp?limit=1").bearer(server.adminToken()).send().json().get("records")).hasSize(1);
    }

    @Test
    void onlyTheApiKeyReportsAndOnlyAdminsRead() {
        assertError(report(server.post("/api/usage/mcp"), "x", true), 401, "AUTH_INVALID_API_KEY", "API key is required");
        assertError(report(server.post("/api/usage/mcp").bearer(server.anonKey()), "x", true), 401, "AUTH_INVALID_API_KEY",
                "API key is required");
        assertError(report(server.post("/api/usage/mcp").bearer(server.adminToken()), "x", true), 401, "AUTH_INVALID_API_KEY",
                "API key is required");
        assertError(report(server.post("/api/usage/mcp").header("x-api-key", "ik_wrong"), "x", true), 401,
                "AUTH_INVALID_API_KEY", "Invalid API key");

        assertError(server.get("/api/usage/mcp").send(), 401, "AUTH_INVALID_CREDENTIALS", "No admin token provided");
        assertError(server.get("/api/usage/mcp").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com")).send(),
                403, "AUTH_UNAUTHORIZED", "Admin access required");
    }
}

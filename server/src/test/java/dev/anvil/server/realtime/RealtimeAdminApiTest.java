package dev.anvil.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The realtime admin REST API (contract §6.4): shapes, validation errors, and the retention sweep. */
class RealtimeAdminApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("realtime_admin");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpCall admin(String method, String path) {
        return server.call(method, path).bearer(server.apiKey());
    }

    private static void sql(String statement) {
        TestHooks.runSql(server.database(), statement);
    }

    @Test
    void channelsCrud() {
        var created = admin("POST", "/api/realtime/channels")
                .json(Map.of("pattern", "orders:%", "description", "Order updates", "webhookUrls", List.of("https://example.com/hook")))
                .send();
        assertThat(created.status()).isEqualTo(201);
        JsonNode channel = created.json();
        assertThat(channel.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(channel.get("pattern").asText()).isEqualTo("orders:%");
        assertThat(channel.get("description").asText()).isEqualTo("Order updates");
        assertThat(channel.get("webhookUrls").get(0).asText()).isEqualTo("https://example.com/hook");
        assertThat(channel.get("enabled").asBoolean()).isTrue();
        assertThat(channel.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        String id = channel.get("id").asText();

        assertThat(admin("GET", "/api/realtime/channels/" + id).send().json()).isEqualTo(channel);
        assertThat(admin("GET", "/api/realtime/channels").send().json().findValuesAsText("pattern")).contains("orders:%");

        JsonNode updated = admin("PUT", "/api/realtime/channels/" + id).json(Map.of("enabled", false, "webhookUrls", List.of())).send().json();
        assertThat(updated.get("enabled").asBoolean()).isFalse();
        assertThat(updated.get("webhookUrls")).isEmpty();
        assertThat(updated.get("description").asText()).isEqualTo("Order updates");
        assertThat(updated.get("pattern").asText()).isEqualTo("orders:%");

        var deleted = admin("DELETE", "/api/realtime/channels/" + id).send();
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("Channel deleted");
        var gone = admin("GET", "/api/realtime/channels/" + id).send();
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("error").asText()).isEqualTo("REALTIME_CHANNEL_NOT_FOUND");

        var minimal = admin("POST", "/api/realtime/channels").json(Map.of("pattern", "plain")).send().json();
        assertThat(minimal.get("description").isNull()).isTrue();
        assertThat(minimal.get("webhookUrls").isNull()).isTrue();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("POST", "/api/realtime/channels", "{}", 400, "REALTIME_INVALID_CHANNEL_REQUEST", "pattern: Channel pattern is required"),
                Arguments.of("POST", "/api/realtime/channels", "{\"pattern\":7}", 400, "REALTIME_INVALID_CHANNEL_REQUEST", "pattern: Expected string, received number"),
                Arguments.of("POST", "/api/realtime/channels", "{\"pattern\":\"has space\"}", 400, "REALTIME_INVALID_CHANNEL_PATTERN", null),
                Arguments.of("POST", "/api/realtime/channels", "{\"pattern\":\"a:%\",\"webhookUrls\":[\"not a url\"]}", 400, "REALTIME_INVALID_CHANNEL_REQUEST", "webhookUrls.0: Invalid url"),
                Arguments.of("POST", "/api/realtime/channels", "{\"pattern\":\"a:%\",\"enabled\":\"yes\"}", 400, "REALTIME_INVALID_CHANNEL_REQUEST", "enabled: Expected boolean, received string"),
                Arguments.of("POST", "/api/realtime/channels", "{not json", 400, "INVALID_INPUT", null),
                Arguments.of("PUT", "/api/realtime/channels/" + UUID.randomUUID(), "{\"enabled\":true}", 404, "REALTIME_CHANNEL_NOT_FOUND", "Channel not found"),
                Arguments.of("PUT", "/api/realtime/channels/not-a-uuid", "{\"enabled\":true}", 404, "REALTIME_CHANNEL_NOT_FOUND", "Channel not found"),
                Arguments.of("DELETE", "/api/realtime/channels/" + UUID.randomUUID(), null, 404, "REALTIME_CHANNEL_NOT_FOUND", "Channel not found"),
                Arguments.of("GET", "/api/realtime/messages?limit=0", null, 400, "INVALID_INPUT", "limit: must be between 1 and 1000"),
                Arguments.of("GET", "/api/realtime/messages?limit=1001", null, 400, "INVALID_INPUT", "limit: must be between 1 and 1000"),
                Arguments.of("GET", "/api/realtime/messages?channelId=x", null, 400, "INVALID_INPUT", "channelId: Invalid uuid"),
                Arguments.of("GET", "/api/realtime/messages/stats?since=yesterday", null, 400, "INVALID_INPUT", "since: Invalid date"),
                Arguments.of("PATCH", "/api/realtime/config", "{\"retentionDays\":0}", 400, "INVALID_INPUT", "retentionDays: Number must be greater than 0"),
                Arguments.of("PATCH", "/api/realtime/config", "{\"retentionDays\":1.5}", 400, "INVALID_INPUT", "retentionDays: Expected integer"),
                Arguments.of("PATCH", "/api/realtime/config", "{}", 400, "INVALID_INPUT", "retentionDays: Required"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @MethodSource("badRequests")
    void badRequestsAreClear4xx(String method, String path, String body, int status, String code, String message) {
        HttpCall call = admin(method, path);
        if (body != null) {
            call.json(body);
        }
        var reply = call.send();
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).isEqualTo(code);
        if (message != null) {
            assertThat(reply.json().get("message").asText()).isEqualTo(message);
        }
    }

    @Test
    void duplicatePatternIsAConflict() {
        assertThat(admin("POST", "/api/realtime/channels").json(Map.of("pattern", "dup:%")).send().status()).isEqualTo(201);
        var again = admin("POST", "/api/realtime/channels").json(Map.of("pattern", "dup:%")).send();
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("error").asText()).isEqualTo("DATABASE_DUPLICATE");
    }

    @Test
    void onlyAdminsMayUseTheApi() {
        var anon = server.get("/api/realtime/channels").bearer(server.anonKey()).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(anon.json().get("error").asText()).isEqualTo("AUTH_UNAUTHORIZED");
        var user = server.get("/api/realtime/config").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com")).send();
        assertThat(user.status()).isEqualTo(403);
        assertThat(server.get("/api/realtime/messages").send().status()).isEqualTo(401);
        assertThat(server.get("/api/realtime/channels").bearer(server.adminToken()).send().status()).isEqualTo(200);
    }

    @Test
    void messagesListStatsAndClear() {
        String channelId = admin("POST", "/api/realtime/channels").json(Map.of("pattern", "stats:%")).send().json().get("id").asText();
        sql("SELECT realtime.publish('stats:1', 'created', '{\"n\":1}'::jsonb), realtime.publish('stats:1', 'created', '{\"n\":2}'::jsonb),"
                + " realtime.publish('stats:2', 'deleted', '{}'::jsonb);"
                + " UPDATE realtime.messages SET wh_audience_count = 2, wh_delivered_count = 1 WHERE event_name = 'deleted'");

        JsonNode messages = admin("GET", "/api/realtime/messages?channelId=" + channelId).send().json();
        assertThat(messages).hasSize(3);
        JsonNode first = messages.get(0);
        assertThat(first.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "eventName", "channelId", "channelName",
                "payload", "senderType", "senderId", "wsAudienceCount", "whAudienceCount", "whDeliveredCount", "createdAt");
        assertThat(first.get("senderType").asText()).isEqualTo("system");
        assertThat(first.get("senderId").isNull()).isTrue();
        assertThat(admin("GET", "/api/realtime/messages?eventName=created&limit=1").send().json()).hasSize(1);
        assertThat(admin("GET", "/api/realtime/messages?eventName=created&offset=1").send().json()).hasSize(1);

        JsonNode stats = admin("GET", "/api/realtime/messages/stats?channelId=" + channelId).send().json();
        assertThat(stats.get("totalMessages").asInt()).isEqualTo(3);
        assertThat(stats.get("whDeliveryRate").asDouble()).isEqualTo(0.5);
        assertThat(stats.get("topEvents").get(0).get("eventName").asText()).isEqualTo("created");
        assertThat(stats.get("topEvents").get(0).get("count").asInt()).isEqualTo(2);
        assertThat(stats.get("retentionDays").isNull()).isTrue();
        assertThat(admin("GET", "/api/realtime/messages/stats?since=2999-01-01").send().json().get("totalMessages").asInt()).isZero();

        assertThat(admin("DELETE", "/api/realtime/messages?channelId=" + channelId).send().json().get("deleted").asInt()).isEqualTo(3);
        assertThat(admin("GET", "/api/realtime/messages?channelId=" + channelId).send().json()).isEmpty();
        admin("POST", "/api/realtime/channels").json(Map.of("pattern", "other:%")).send();
        sql("SELECT realtime.publish('other:1', 'x', '{}'::jsonb)");
        assertThat(admin("DELETE", "/api/realtime/messages").send().json().get("deleted").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(admin("GET", "/api/realtime/messages").send().json()).isEmpty();
    }

    @Test
    void retentionConfigAndSweep() throws Exception {
        assertThat(admin("GET", "/api/realtime/config").send().json().get("retentionDays").isNull()).isTrue();
        var patched = admin("PATCH", "/api/realtime/config").json(Map.of("retentionDays", 7)).send();
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("retentionDays").asInt()).isEqualTo(7);
        assertThat(patched.json().get("message").asText()).isNotBlank();
        assertThat(admin("GET", "/api/realtime/config").send().json().get("retentionDays").asInt()).isEqualTo(7);

        admin("POST", "/api/realtime/channels").json(Map.of("pattern", "old:%")).send();
        sql("SELECT realtime.publish('old:1', 'stale', '{}'::jsonb), realtime.publish('old:1', 'fresh', '{}'::jsonb);"
                + " UPDATE realtime.messages SET created_at = now() - interval '8 days' WHERE event_name = 'stale'");
        assertThat(new MessageLog(server.anvil().database().dataSource()).cleanupNow()).isEqualTo(1);
        assertThat(admin("GET", "/api/realtime/messages?eventName=stale").send().json()).isEmpty();
        assertThat(admin("GET", "/api/realtime/messages?eventName=fresh").send().json()).hasSize(1);

        var unset = admin("PATCH", "/api/realtime/config").json("{\"retentionDays\":null}").send();
        assertThat(unset.json().get("retentionDays").isNull()).isTrue();
    }
}

package dev.anvil.server.platform;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.database.DatabaseProbe;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /api/logs} (contract §8): the audit trail that admin actions of other domains write, with
 * its filters, paging, stats and pruning; and the server's log sources — its own recent records,
 * the functions domain's, the access log — with the sources InsForge has and Anvil does not
 * answering why.
 */
class LogsApiTest {

    static final String USER_ID = UUID.randomUUID().toString();
    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("logs", Map.of("ANVIL_ACCESS_LOG", "true"));
        probe = new DatabaseProbe(server);
        // Admin actions in four domains, by the API key and by an admin session.
        okJson(DatabaseProbe.rawSql(server, "rawsql", Map.of("query", "select 1 as one")));
        okJson(server.post("/api/database/tables").bearer(server.adminToken()).json("""
                {"tableName":"notes","columns":[{"columnName":"body","type":"string","isNullable":true,"isUnique":false}]}""").send());
        okJson(server.call("DELETE", "/api/database/tables/notes").bearer(server.adminToken()).send());
        okJson(server.post("/api/storage/buckets").header("x-api-key", server.apiKey())
                .json(Map.of("bucketName", "pics", "isPublic", false)).send());
        okJson(server.call("DELETE", "/api/storage/buckets/pics").header("x-api-key", server.apiKey()).send());
        probe.execute("insert into auth.users (id, email) values ('" + USER_ID + "', 'gone@example.com')");
        okJson(server.call("DELETE", "/api/auth/users").header("x-api-key", server.apiKey())
                .json(Map.of("userIds", List.of(USER_ID))).send());
        okJson(server.call("PUT", "/api/auth/config").bearer(server.adminToken()).json(Map.of("passwordMinLength", 8)).send());
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    static HttpCall.Reply get(String path) {
        return server.get(path).header("x-api-key", server.apiKey()).send();
    }

    @Test
    void adminActionsOfEveryDomainAreAudited() {
        HttpCall.Reply reply = get("/api/logs/audits");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-range")).hasValue("0-6/7");
        assertThat(reply.header("preference-applied")).hasValue("count=exact");
        JsonNode records = reply.json();
        assertThat(records).extracting(r -> r.get("module").asText() + "/" + r.get("action").asText() + " by " + r.get("actor").asText())
                .containsExactly(
                        "AUTH/UPDATE_AUTH_CONFIG by local:admin",
                        "AUTH/DELETE_USERS by api-key",
                        "STORAGE/DELETE_BUCKET by api-key",
                        "STORAGE/CREATE_BUCKET by api-key",
                        "DATABASE/DELETE_TABLE by local:admin",
                        "DATABASE/CREATE_TABLE by local:admin",
                        "DATABASE/EXECUTE_RAW_SQL by api-key");
        JsonNode first = records.get(records.size() - 1);
        assertThat(first.fieldNames()).toIterable()
                .containsExactly("id", "actor", "action", "module", "details", "ipAddress", "createdAt", "updatedAt");
        JsonNode sql = first.get("details");
        assertThat(sql.get("query").asText()).isEqualTo("select 1 as one");
        assertThat(sql.get("paramCount").asInt()).isZero();
        assertThat(sql.get("rowsAffected").asInt()).isEqualTo(1);
        assertThat(sql.get("mode").asText()).isEqualTo("project_admin");
        assertThat(first.get("ipAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(Instant.parse(first.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(records.get(0).get("details").toString()).isEqualTo("{\"passwordMinLength\":8}");
        assertThat(records.get(1).get("details").get("userIds").toString()).isEqualTo("[\"" + USER_ID + "\"]");
        assertThat(records.get(3).get("details").get("bucketName").asText()).isEqualTo("pics");
        assertThat(records.get(3).get("details").get("isPublic").asBoolean()).isFalse();
    }

    @Test
    void auditFiltersAndPages() {
        assertThat(get("/api/logs/audits?module=STORAGE").json()).hasSize(2);
        assertThat(get("/api/logs/audits?action=CREATE_TABLE").json().get(0).get("details").get("tableName").asText())
                .isEqualTo("notes");
        assertThat(get("/api/logs/audits?actor=local:admin").json()).hasSize(3);
        assertThat(get("/api/logs/audits?actor=api-key&module=DATABASE").json()).hasSize(1);
        assertThat(get("/api/logs/audits?start_date=" + Instant.now().plusSeconds(60)).json()).isEmpty();
        assertThat(get("/api/logs/audits?end_date=2020-01-01").json()).isEmpty();
        assertThat(get("/api/logs/audits?start_date=2020-01-01&end_date=" + Instant.now().plusSeconds(60)).json()).hasSize(7);

        HttpCall.Reply page = get("/api/logs/audits?limit=2&offset=1");
        assertThat(page.status()).isEqualTo(206);
        assertThat(page.header("content-range")).hasValue("1-2/7");
        assertThat(page.json()).extracting(r -> r.get("action").asText()).containsExactly("DELETE_USERS", "DELETE_BUCKET");

        HttpCall.Reply beyond = get("/api/logs/audits?offset=50");
        assertThat(beyond.header("content-range")).hasValue("*/7");
        assertThat(beyond.json()).isEmpty();

        assertError(get("/api/logs/audits?start_date=yesterday"), 400, "INVALID_INPUT", "start_date");
        assertError(get("/api/logs/audits?limit=0"), 400, "INVALID_INPUT", "limit");
    }

    @Test
    void auditStatsOverTheLastDays() {
        JsonNode stats = okJson(get("/api/logs/audits/stats?days=7"));

        assertThat(stats.get("totalLogs").asInt()).isEqualTo(7);
        assertThat(stats.get("uniqueActors").asInt()).isEqualTo(2);
        assertThat(stats.get("uniqueModules").asInt()).isEqualTo(3);
        assertThat(stats.get("actionsByModule").toString()).isEqualTo("{\"AUTH\":2,\"DATABASE\":3,\"STORAGE\":2}");
        assertThat(stats.get("recentActivity")).hasSize(7);
        assertError(get("/api/logs/audits/stats?days=0"), 400, "INVALID_INPUT", "days");
    }

    @Test
    void pruningDeletesOnlyWhatIsOlderThanKept() {
        probe.execute("insert into system.audit_logs (actor, action, module, created_at) values "
                + "('old-timer', 'X', 'TEST', now() - interval '100 days'), ('old-timer', 'X', 'TEST', now() - interval '40 days')");

        JsonNode first = okJson(server.call("DELETE", "/api/logs/audits?days_to_keep=90").header("x-api-key", server.apiKey()).send());
        assertThat(first.toString()).isEqualTo("{\"message\":\"Audit logs cleared successfully\",\"deleted\":1}");
        JsonNode second = okJson(server.call("DELETE", "/api/logs/audits?days_to_keep=30").header("x-api-key", server.apiKey()).send());
        assertThat(second.get("deleted").asInt()).isEqualTo(1);
        assertThat(get("/api/logs/audits").json()).hasSize(7);
    }

    @Test
    void sourcesAreWhatAnvilHas() {
        JsonNode sources = okJson(get("/api/logs/sources"));

        assertThat(sources).extracting(s -> s.get("id").asText() + " " + s.get("name").asText())
                .containsExactly("1 insforge.logs", "2 function.logs", "3 access.logs");
        assertThat(sources.get(0).get("token").asText()).isNotBlank();
    }

    @Test
    void sourcesAnvilDoesNotHaveSayWhy() {
        assertError(get("/api/logs/postgres.logs"), 404, "LOG_NOT_FOUND", "the database runs outside Anvil");
        assertError(get("/api/logs/postgREST.logs"), 404, "LOG_NOT_FOUND", "PostgREST");
        HttpCall.Reply unknown = get("/api/logs/nope.logs");
        assertError(unknown, 404, "LOG_NOT_FOUND", "Log source nope.logs not found");
        assertThat(unknown.json().get("nextActions").asText()).isEqualTo("Available log sources: insforge.logs, function.logs, access.logs");
        assertError(get("/api/logs/functions/build-logs"), 404, "LOG_NOT_FOUND", "Build logs not available");
    }

    @Test
    void theServersOwnRecordsAreReadable() {
        String marker = "marker-" + UUID.randomUUID();
        System.getLogger("dev.anvil.server.platform.LogsApiTest").log(Level.WARNING, marker, new IllegalStateException("boom"));

        JsonNode logs = okJson(get("/api/logs/insforge.logs?limit=1000"));

        JsonNode entry = find(logs.get("logs"), marker);
        assertThat(entry.get("body").get("level").asText()).isEqualTo("WARNING");
        assertThat(entry.get("body").get("logger").asText()).isEqualTo("dev.anvil.server.platform.LogsApiTest");
        assertThat(entry.get("body").get("error").asText()).contains("IllegalStateException: boom", "at dev.anvil");
        assertThat(entry.get("eventMessage").asText()).startsWith(marker).contains("boom");
        assertThat(logs.get("total").asInt()).isGreaterThanOrEqualTo(logs.get("logs").size());
        assertThat(okJson(get("/api/logs/analytics/insforge.logs?limit=1000")).get("logs").toString()).contains(marker);
    }

    @Test
    void functionRecordsHaveTheirOwnSource() {
        String marker = "function-marker-" + UUID.randomUUID();
        System.getLogger("dev.anvil.server.functions.Runtime").log(Level.INFO, marker);

        assertThat(okJson(get("/api/logs/function.logs")).get("logs").toString()).contains(marker);
        assertThat(okJson(get("/api/logs/insforge.logs?limit=1000")).get("logs").toString()).doesNotContain(marker);
    }

    @Test
    void requestsAppearInTheAccessLog() throws InterruptedException {
        // Helidon's access log line has the path without the query string.
        String probePath = "/api/no-such-route-" + UUID.randomUUID();
        assertThat(server.get(probePath).send().status()).isEqualTo(404);

        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String logs = "";
        while (Instant.now().isBefore(deadline) && !logs.contains(probePath)) {
            logs = okJson(get("/api/logs/access.logs?limit=1000")).get("logs").toString();
            Thread.sleep(50);
        }
        assertThat(logs).contains(probePath);
        assertThat(okJson(get("/api/logs/insforge.logs?limit=1000")).get("logs").toString()).doesNotContain(probePath);
    }

    @Test
    void pagesGoBackInTimeNewestLast() throws InterruptedException {
        String run = UUID.randomUUID().toString();
        List<String> markers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            markers.add("page-" + run + "-" + i);
            System.getLogger("dev.anvil.server.platform.Paging").log(Level.INFO, markers.get(i));
            Thread.sleep(5);
        }
        JsonNode all = okJson(get("/api/logs/insforge.logs?limit=1000")).get("logs");
        String thirdTime = find(all, markers.get(2)).get("timestamp").asText();

        JsonNode page = okJson(get("/api/logs/insforge.logs?limit=2&before_timestamp=" + thirdTime));

        assertThat(page.get("logs")).extracting(e -> e.get("eventMessage").asText()).containsExactly(markers.get(0), markers.get(1));
        JsonNode newest = okJson(get("/api/logs/insforge.logs?limit=1")).get("logs");
        assertThat(newest).hasSize(1);
        assertError(get("/api/logs/insforge.logs?before_timestamp=soon"), 400, "INVALID_INPUT", "before_timestamp");
    }

    @Test
    void searchAndStatsCoverEverySource() {
        String marker = "searchable-" + UUID.randomUUID();
        System.getLogger("dev.anvil.server.functions.Search").log(Level.INFO, marker.toUpperCase());

        HttpCall.Reply found = get("/api/logs/search?q=" + marker);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.header("content-range")).hasValue("0-0/1");
        assertThat(found.json().get(0).get("source").asText()).isEqualTo("function.logs");
        assertThat(get("/api/logs/search?q=" + marker + "&source=insforge.logs").json()).isEmpty();
        assertError(get("/api/logs/search"), 400, "INVALID_INPUT", "(q) is required");
        assertError(get("/api/logs/search?q=x&source=postgres.logs"), 404, "LOG_NOT_FOUND", "not available");

        JsonNode stats = okJson(get("/api/logs/stats"));
        assertThat(stats).extracting(s -> s.get("source").asText()).contains("insforge.logs", "function.logs");
        assertThat(stats.get(0).get("count").asInt()).isPositive();
        assertThat(Instant.parse(stats.get(0).get("lastActivity").asText())).isBeforeOrEqualTo(Instant.now());
    }

    static JsonNode find(JsonNode logs, String marker) {
        for (JsonNode entry : logs) {
            if (entry.get("eventMessage").asText().startsWith(marker)) {
                return entry;
            }
        }
        throw new AssertionError(marker + " not in " + logs);
    }

    record Caller(String name, Function<HttpCall, HttpCall> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> guard() {
        return Stream.of("GET /api/logs/audits", "GET /api/logs/audits/stats", "DELETE /api/logs/audits", "GET /api/logs/sources",
                        "GET /api/logs/stats", "GET /api/logs/search?q=x", "GET /api/logs/insforge.logs",
                        "GET /api/logs/analytics/insforge.logs", "GET /api/logs/nope", "GET /api/logs/functions/build-logs")
                .flatMap(route -> Stream.of(
                        Arguments.of(route, new Caller("nobody", call -> call), 401, "AUTH_INVALID_CREDENTIALS"),
                        Arguments.of(route, new Caller("anon key", call -> call.bearer(server.anonKey())), 403, "AUTH_UNAUTHORIZED"),
                        Arguments.of(route, new Caller("user", call -> call.bearer(server.userToken(USER_ID, "u@example.com"))), 403,
                                "AUTH_UNAUTHORIZED")));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("guard")
    void everyRouteIsAdminOnly(String route, Caller caller, int status, String code) {
        String[] parts = route.split(" ");
        HttpCall.Reply reply = caller.apply().apply(server.call(parts[0], parts[1])).send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).isEqualTo(code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/logs/audits", "/api/logs/insforge.logs"})
    void anAdminSessionMayReadLogs(String path) {
        assertThat(server.get(path).bearer(server.adminToken()).send().status()).isEqualTo(200);
    }
}

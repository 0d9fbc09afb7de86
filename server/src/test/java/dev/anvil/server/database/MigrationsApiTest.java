package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.Migrations;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.SharedPostgres;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custom SQL migrations, {@code GET/POST /api/database/migrations} and {@code POST …/dry-run}
 * (contract §3.5), against a real server: apply and list, version ordering, validation, failed SQL
 * leaving nothing behind, dry runs changing nothing, admin-only access, concurrent applies, and the
 * V26 ledger migration itself.
 *
 * <p>All tests share one server and so one ledger, where versions only grow: each test takes fresh
 * versions from {@link #nextVersion()}, so the tests do not depend on their order.
 */
class MigrationsApiTest {

    static final String PATH = "/api/database/migrations";
    static final AtomicLong VERSIONS = new AtomicLong(1000);

    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("migrations");
        probe = new DatabaseProbe(server);
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    static String nextVersion() {
        return String.valueOf(VERSIONS.addAndGet(10));
    }

    static Map<String, Object> migration(String version, String name, String sql) {
        Map<String, Object> body = new HashMap<>();
        body.put("version", version);
        body.put("name", name);
        body.put("sql", sql);
        return body;
    }

    static HttpCall.Reply apply(Map<String, Object> body) {
        return server.post(PATH).bearer(server.apiKey()).json(body).send();
    }

    static HttpCall.Reply dryRun(Map<String, Object> body) {
        return server.post(PATH + "/dry-run").bearer(server.apiKey()).json(body).send();
    }

    static JsonNode list() {
        return okJson(server.get(PATH).bearer(server.apiKey()).send()).get("migrations");
    }

    static long ledgerRows() {
        return Long.parseLong(probe.scalar("SELECT count(*) FROM system.custom_migrations"));
    }

    static long auditRecords() {
        return Long.parseLong(probe.scalar("SELECT count(*) FROM system.audit_logs WHERE action = 'CREATE_CUSTOM_MIGRATION'"));
    }

    static boolean tableExists(String name) {
        return probe.scalar("SELECT to_regclass('public." + name + "')") != null;
    }

    // ---------------------------------------------------------------- apply and list

    @Test
    void applyRunsTheSqlRecordsItAndListsIt() {
        String version = nextVersion();
        long audits = auditRecords();
        try (DatabaseProbe listener = new DatabaseProbe(server)) {
            listener.listen(SchemaReload.CHANNEL);

            HttpCall.Reply reply = apply(migration(version, "create-notes",
                    "  create table public.notes (id int primary key, body text);\n"
                            + "-- seed\ninsert into notes values (1, 'a;b'), (2, 'c');  "));

            assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
            JsonNode created = reply.json();
            assertThat(created.get("version").asText()).isEqualTo(version);
            assertThat(created.get("name").asText()).isEqualTo("create-notes");
            assertThat(created.get("statements")).isEqualTo(Json.parse(
                    "[\"create table public.notes (id int primary key, body text)\", \"insert into notes values (1, 'a;b'), (2, 'c')\"]"));
            assertThat(created.get("sql").asText()).startsWith("create table").endsWith("(2, 'c');");
            assertThat(created.get("appliedBy").asText()).isEqualTo("api-key");
            assertThat(created.get("createdAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
            assertThat(created.get("message").asText()).isEqualTo("Migration executed successfully");
            assertThat(listener.notifications(Duration.ofSeconds(5))).contains("pgrst:reload schema");
        }

        assertThat(probe.scalar("SELECT string_agg(body, ',' ORDER BY id) FROM public.notes")).isEqualTo("a;b,c");
        assertThat(probe.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'notes'"))
                .as("the SQL ran as project_admin").isEqualTo("project_admin");
        assertThat(auditRecords()).isEqualTo(audits + 1);
        assertThat(probe.scalar("SELECT details->>'version' FROM system.audit_logs WHERE action = 'CREATE_CUSTOM_MIGRATION' "
                + "ORDER BY created_at DESC LIMIT 1")).isEqualTo(version);

        JsonNode listed = list().get(0);
        assertThat(listed.get("version").asText()).isEqualTo(version);
        assertThat(listed.get("name").asText()).isEqualTo("create-notes");
        assertThat(listed.get("statements")).hasSize(2);
        assertThat(listed.has("createdAt")).isTrue();
        assertThat(listed.has("message")).isFalse();
    }

    @Test
    void anAdminSessionIsRecordedByItsIdentity() {
        String token = server.anvil().credentials().accessTokens().issue(UUID.randomUUID().toString(), "admin@example.com", "project_admin");
        HttpCall.Reply reply = server.post(PATH).bearer(token).json(migration(nextVersion(), "by-admin", "select 1")).send();

        assertThat(okJson(reply).get("appliedBy").asText()).isEqualTo("admin@example.com");
    }

    @Test
    void versionsMustGrowAndAreComparedAsNumbers() {
        // 9…9 then 10…0: as text the first would be the larger, as numbers the second is.
        long base = VERSIONS.addAndGet(10);
        long nines = (long) Math.pow(10, String.valueOf(base).length() + 1) - 1;
        VERSIONS.set(nines + 100);
        String older = String.valueOf(nines);
        String newer = String.valueOf(nines + 1);

        okJson(apply(migration(older, "nines", "create table public.v_nines (id int)")));
        okJson(apply(migration(newer, "ten-power", "create table public.v_power (id int)")));

        assertThat(list().get(0).get("version").asText()).isEqualTo(newer);
        assertThat(list().get(1).get("version").asText()).isEqualTo(older);
        long rows = ledgerRows();
        for (String refused : List.of(newer, older, "0" + newer, "1")) {
            assertError(apply(migration(refused, "again", "create table public.v_refused (id int)")),
                    409, "ALREADY_EXISTS", "Migration version must be newer than the latest applied migration.");
        }
        assertThat(ledgerRows()).isEqualTo(rows);
        assertThat(tableExists("v_refused")).isFalse();
        okJson(apply(migration(String.valueOf(nines + 2), "next", "select 1")));
    }

    // ---------------------------------------------------------------- validation

    static final String VALID = "<valid version>";

    static Stream<Arguments> invalidBodies() {
        String digits65 = "1".repeat(65);
        return Stream.of(
                Arguments.of("{}", 400, "INVALID_INPUT", "version: Required, name: Required, sql: Required"),
                Arguments.of("{\"version\": 12, \"name\": \"a\", \"sql\": \"select 1\"}", 400, "INVALID_INPUT",
                        "version: Expected string, received number"),
                Arguments.of(body("1.5", "a", "select 1"), 400, "INVALID_INPUT", "version: Migration version must be a numeric string"),
                Arguments.of(body("", "a", "select 1"), 400, "INVALID_INPUT", "version: Migration version must be a numeric string"),
                Arguments.of(body("-3", "a", "select 1"), 400, "INVALID_INPUT", "version: Migration version must be a numeric string"),
                Arguments.of(body(digits65, "a", "select 1"), 400, "INVALID_INPUT", "version: Migration version must be a numeric string"),
                Arguments.of(body(VALID, "Create Notes", "select 1"), 400, "INVALID_INPUT",
                        "name: Use lowercase letters, numbers, and hyphens only."),
                Arguments.of(body(VALID, "create_notes", "select 1"), 400, "INVALID_INPUT",
                        "name: Use lowercase letters, numbers, and hyphens only."),
                Arguments.of(body(VALID, "   ", "select 1"), 400, "INVALID_INPUT", "name: Migration name is required"),
                Arguments.of(body(VALID, "a", " \n "), 400, "INVALID_INPUT", "sql: Migration SQL is required"),
                Arguments.of("{\"version\": \"" + VALID + "\", \"name\": \"a\", \"sql\": null}", 400, "INVALID_INPUT",
                        "sql: Expected string, received null"),
                Arguments.of("[]", 400, "INVALID_INPUT", "Request body must be a JSON object"),
                Arguments.of(body(VALID, "a", "-- nothing but a comment\n;"), 400, "INVALID_INPUT",
                        "Migration SQL must contain at least one statement."),
                Arguments.of(body(VALID, "a", "begin; create table public.v_tx (id int); commit"), 400, "DATABASE_FORBIDDEN",
                        "Custom migrations cannot manage their own transactions."),
                Arguments.of(body(VALID, "a", "create table public.v_role (id int); set role postgres"), 403, "FORBIDDEN",
                        "Query contains restricted operations"),
                Arguments.of(body(VALID, "a", "create table public.v_quote (id int); select 'unterminated"), 400,
                        "DATABASE_VALIDATION_ERROR", "syntax error"));
    }

    static String body(String version, String name, String sql) {
        return Json.mapper().createObjectNode().put("version", version).put("name", name).put("sql", sql).toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBodies")
    void invalidMigrationsAreRefusedAndChangeNothing(String json, int status, String code, String message) {
        String body = json.replace(VALID, nextVersion());
        long rows = ledgerRows();

        assertError(server.post(PATH).bearer(server.apiKey()).json(body).send(), status, code, message);

        assertThat(ledgerRows()).isEqualTo(rows);
        assertThat(List.of("v_tx", "v_role", "v_quote")).noneMatch(MigrationsApiTest::tableExists);
    }

    // ---------------------------------------------------------------- failed SQL

    static Stream<Arguments> failingSql() {
        return Stream.of(
                Arguments.of("create table public.half (id int); insert into public.missing values (1)", 400,
                        "DATABASE_VALIDATION_ERROR", "relation \"public.missing\" does not exist"),
                Arguments.of("create table public.half (id int); select 1/0", 400, "INVALID_INPUT", "division by zero"),
                Arguments.of("create table public.half (id int primary key); insert into public.half values (1), (1)", 409,
                        "DATABASE_DUPLICATE", "duplicate key"),
                Arguments.of("create table public.half (id int); insert into system.mcp_usage (tool_name) values ('x')", 403,
                        "FORBIDDEN", "permission denied"),
                Arguments.of("create table public.half (id int); create table public.half (id int)", 400,
                        "DATABASE_VALIDATION_ERROR", "already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingSql")
    void sqlThatFailsAppliesAndRecordsNothing(String sql, int status, String code, String message) {
        String version = nextVersion();
        long rows = ledgerRows();
        long audits = auditRecords();

        assertError(apply(migration(version, "half-done", sql)), status, code, message);

        assertThat(tableExists("half")).as("the first statement was rolled back").isFalse();
        assertThat(ledgerRows()).isEqualTo(rows);
        assertThat(auditRecords()).isEqualTo(audits);
        // The version was not used up.
        okJson(apply(migration(version, "after-failure", "select 1")));
    }

    @Test
    void theRawSqlStatementTimeoutApplies() {
        try (TestServer limited = TestServer.start("migrations_timeout", Map.of("ANVIL_RAWSQL_TIMEOUT_SECONDS", "1"))) {
            HttpCall.Reply reply = limited.post(PATH).bearer(limited.apiKey())
                    .json(migration("1", "slow", "create table public.slow (id int); select pg_sleep(5)")).send();

            assertError(reply, 408, "DATABASE_INTERNAL_ERROR", "Query timeout");
            assertThat(okJson(limited.get(PATH).bearer(limited.apiKey()).send()).get("migrations")).isEmpty();
        }
    }

    // ---------------------------------------------------------------- dry run

    @Test
    void aSuccessfulDryRunChangesNothing() {
        String version = nextVersion();
        long rows = ledgerRows();
        long audits = auditRecords();
        try (DatabaseProbe listener = new DatabaseProbe(server)) {
            listener.listen(SchemaReload.CHANNEL);

            JsonNode answer = okJson(dryRun(migration(version, "dry-table", "create table public.dry (id int); insert into public.dry values (1)")));

            assertThat(answer.get("success").asBoolean()).as(answer.toString()).isTrue();
            assertThat(answer.get("version").asText()).isEqualTo(version);
            assertThat(answer.get("statements")).hasSize(2);
            assertThat(answer.has("error")).isFalse();
            assertThat(listener.notifications(Duration.ofMillis(500))).doesNotContain("pgrst:reload schema");
        }
        assertThat(tableExists("dry")).isFalse();
        assertThat(ledgerRows()).isEqualTo(rows);
        assertThat(auditRecords()).isEqualTo(audits);
        // The same migration still applies for real afterwards.
        assertThat(apply(migration(version, "dry-table", "create table public.dry (id int)")).status()).isEqualTo(201);
        assertThat(tableExists("dry")).isTrue();
    }

    static Stream<Arguments> failingDryRuns() {
        return Stream.of(
                Arguments.of("bad-sql", false, "create table public.dry_bad (id int); select * from public.nowhere", 400,
                        "DATABASE_VALIDATION_ERROR", "does not exist"),
                Arguments.of("old-version", true, "create table public.dry_bad (id int)", 409, "ALREADY_EXISTS",
                        "must be newer"),
                Arguments.of("transaction", false, "create table public.dry_bad (id int); commit", 400, "DATABASE_FORBIDDEN",
                        "cannot manage their own transactions"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingDryRuns")
    void aFailingDryRunSaysWhyAndChangesNothing(String label, boolean oldVersion, String sql, int status, String code, String message) {
        if (list().isEmpty()) {
            okJson(apply(migration(nextVersion(), "first", "select 1")));
        }
        String version = oldVersion ? list().get(0).get("version").asText() : nextVersion();
        long rows = ledgerRows();

        JsonNode answer = okJson(dryRun(migration(version, "dry-bad", sql)));

        assertThat(answer.get("success").asBoolean()).as(answer.toString()).isFalse();
        assertThat(answer.get("error").get("statusCode").asInt()).isEqualTo(status);
        assertThat(answer.get("error").get("error").asText()).isEqualTo(code);
        assertThat(answer.get("error").get("message").asText()).contains(message);
        assertThat(tableExists("dry_bad")).isFalse();
        assertThat(ledgerRows()).isEqualTo(rows);
    }

    @Test
    void aDryRunValidatesTheBodyLikeAnApply() {
        assertError(dryRun(migration("x", "a", "select 1")), 400, "INVALID_INPUT", "version: Migration version must be a numeric string");
    }

    // ---------------------------------------------------------------- access

    static Stream<Arguments> refusedCallers() {
        String user = "user";
        return Stream.of(
                Arguments.of("GET", "", null, 401, "AUTH_INVALID_CREDENTIALS"),
                Arguments.of("POST", "", null, 401, "AUTH_INVALID_CREDENTIALS"),
                Arguments.of("POST", "/dry-run", null, 401, "AUTH_INVALID_CREDENTIALS"),
                Arguments.of("GET", "", "anon", 403, "AUTH_UNAUTHORIZED"),
                Arguments.of("POST", "", "anon", 403, "AUTH_UNAUTHORIZED"),
                Arguments.of("POST", "/dry-run", "anon", 403, "AUTH_UNAUTHORIZED"),
                Arguments.of("GET", "", user, 403, "AUTH_UNAUTHORIZED"),
                Arguments.of("POST", "", user, 403, "AUTH_UNAUTHORIZED"),
                Arguments.of("POST", "/dry-run", user, 403, "AUTH_UNAUTHORIZED"));
    }

    @ParameterizedTest(name = "{0} {1} as {2}")
    @MethodSource("refusedCallers")
    void onlyAdminsMayUseMigrations(String method, String suffix, String caller, int status, String code) {
        long rows = ledgerRows();
        HttpCall call = server.call(method, PATH + suffix);
        if ("anon".equals(caller)) {
            call.bearer(server.anonKey());
        } else if (caller != null) {
            call.bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com"));
        }
        if (method.equals("POST")) {
            call.json(migration(nextVersion(), "sneaky", "create table public.sneaky (id int)"));
        }

        HttpCall.Reply reply = call.send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).isEqualTo(code);
        assertThat(tableExists("sneaky")).isFalse();
        assertThat(ledgerRows()).isEqualTo(rows);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentAppliesOfOneVersionApplyItOnce() throws Exception {
        String version = nextVersion();
        int racers = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<HttpCall.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                String sql = "select pg_sleep(0.3); create table public.race_" + i + " (id int)";
                replies.add(pool.submit(() -> {
                    start.await();
                    return apply(migration(version, "race", sql));
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpCall.Reply> reply : replies) {
                HttpCall.Reply done = reply.get();
                statuses.add(done.status());
                if (done.status() != 201) {
                    assertError(done, 409, "ALREADY_EXISTS", "Migration version");
                }
            }
            assertThat(statuses).containsOnlyOnce(201);
        } finally {
            pool.shutdownNow();
        }
        assertThat(probe.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'race\\_%'"))
                .isEqualTo("1");
        assertThat(probe.scalar("SELECT count(*) FROM system.custom_migrations WHERE version = '" + version + "'")).isEqualTo("1");
    }

    // ---------------------------------------------------------------- the ledger migration

    @Test
    void theLedgerIsHiddenFromTheApiRoles() {
        for (String role : List.of("anon", "authenticated", "project_admin")) {
            assertThat(probe.scalar("SELECT has_table_privilege('" + role + "', 'system.custom_migrations', 'SELECT')"))
                    .as(role).isEqualTo("f");
        }
    }

    @Test
    void theLedgerMigrationRunsAgainWithoutHarm() throws SQLException {
        DatabaseLocation location = SharedPostgres.newDatabase("custom_migrations_again");
        try (Database database = Database.connect(location, 2)) {
            try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO system.custom_migrations (version, name, statements, sql, applied_by) "
                        + "VALUES ('7', 'kept', ARRAY['select 1'], 'select 1', 'api-key')");
                statement.execute("DELETE FROM system.schema_history WHERE version = '26'");
            }
            assertThat(Migrations.migrate(database.dataSource())).isEqualTo(1);
            try (Connection connection = database.connection(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM system.custom_migrations WHERE name = 'kept'")) {
                rows.next();
                assertThat(rows.getInt(1)).as("applied migrations survive").isEqualTo(1);
            }
        }
    }
}

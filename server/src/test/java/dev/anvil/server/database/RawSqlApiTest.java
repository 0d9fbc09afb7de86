package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static dev.anvil.server.database.DatabaseProbe.rawSql;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
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
 * {@code POST /api/database/advance/rawsql[/unrestricted]} (contract §3.4) against a real server:
 * results as node-pg returns them, parameters, the restricted-statement rules, timeouts, the error
 * table of §9, explain, and what only the unrestricted mode may do.
 */
class RawSqlApiTest {

    static TestServer server;
    static TestServer limited;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("rawsql");
        limited = TestServer.start("rawsql_limits", Map.of("ANVIL_RAWSQL_TIMEOUT_SECONDS", "1", "ANVIL_RAWSQL_MAX_ROWS", "10"));
        probe = new DatabaseProbe(server);
    }

    @AfterAll
    static void stop() {
        probe.close();
        limited.close();
        server.close();
    }

    static HttpCall.Reply restricted(String query, Object... params) {
        return rawSql(server, "rawsql", body(query, params));
    }

    static HttpCall.Reply unrestricted(String query, Object... params) {
        return rawSql(server, "rawsql/unrestricted", body(query, params));
    }

    static Map<String, Object> body(String query, Object... params) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        if (params.length > 0) {
            body.put("params", new ArrayList<>(List.of(params)));
        }
        return body;
    }

    // ---------------------------------------------------------------- results

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("1::int2", "1", 21),
                Arguments.of("42", "42", 23),
                Arguments.of("9007199254740993::int8", "\"9007199254740993\"", 20),
                Arguments.of("1.50::numeric", "\"1.50\"", 1700),
                Arguments.of("1.5::float8", "1.5", 701),
                Arguments.of("'NaN'::float8", "null", 701),
                Arguments.of("'Infinity'::float4", "null", 700),
                Arguments.of("true", "true", 16),
                Arguments.of("'x'::text", "\"x\"", 25),
                Arguments.of("'x'::varchar(3)", "\"x\"", 1043),
                Arguments.of("'{\"a\": [1, 2]}'::jsonb", "{\"a\":[1,2]}", 3802),
                Arguments.of("'[1,\"b\"]'::json", "[1,\"b\"]", 114),
                Arguments.of("'2024-02-29'::date", "\"2024-02-29T00:00:00.000Z\"", 1082),
                Arguments.of("'2024-02-29 13:14:15.123456+02'::timestamptz", "\"2024-02-29T11:14:15.123Z\"", 1184),
                Arguments.of("'2024-02-29 13:14:15.9'::timestamp", "\"2024-02-29T13:14:15.900Z\"", 1114),
                Arguments.of("'infinity'::timestamptz", "\"infinity\"", 1184),
                Arguments.of("'\\xdeadbeef'::bytea", "\"\\\\xdeadbeef\"", 17),
                Arguments.of("'hello'::bytea", "\"\\\\x68656c6c6f\"", 17),
                Arguments.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", 2950),
                Arguments.of("'1 day 02:00'::interval", "\"1 day 02:00:00\"", 1186),
                Arguments.of("'12:30'::time", "\"12:30:00\"", 1083),
                Arguments.of("ARRAY[1, 2, NULL]::int4[]", "[1,2,null]", 1007),
                Arguments.of("ARRAY[1]::int8[]", "[\"1\"]", 1016),
                Arguments.of("ARRAY['a b', 'c\"d', NULL]::text[]", "[\"a b\",\"c\\\"d\",null]", 1009),
                Arguments.of("ARRAY['{\"x\": 1}'::jsonb]", "[{\"x\":1}]", 3807),
                Arguments.of("ARRAY[[1, 2], [3, 4]]", "[[1,2],[3,4]]", 1007),
                Arguments.of("'{}'::text[]", "[]", 1009),
                Arguments.of("ARRAY['2024-01-01'::date]", "[\"2024-01-01T00:00:00.000Z\"]", 1182),
                Arguments.of("NULL::int", "null", 23));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void valuesComeBackAsNodePgWouldReturnThem(String expression, String json, int typeOid) {
        JsonNode result = okJson(restricted("select " + expression + " as v"));

        assertThat(result.get("rows").get(0).get("v")).isEqualTo(Json.parse(json));
        assertThat(result.get("fields")).isEqualTo(Json.parse("[{\"name\":\"v\",\"dataTypeID\":" + typeOid + "}]"));
        assertThat(result.get("rowCount").asInt()).isEqualTo(1);
    }

    @Test
    void customTypesReportTheirOwnOid() {
        okJson(restricted("create type public.mood as enum ('happy', 'sad')"));
        String oid = probe.scalar("select 'public.mood'::regtype::oid");

        JsonNode result = okJson(restricted("select 'happy'::mood as m, array['sad']::mood[] as ms"));

        assertThat(result.get("rows").get(0).get("m").asText()).isEqualTo("happy");
        assertThat(result.get("rows").get(0).get("ms")).isEqualTo(Json.parse("[\"sad\"]"));
        assertThat(result.get("fields").get(0).get("dataTypeID").asText()).isEqualTo(oid);
    }

    @Test
    void selectInsertUpdateDeleteAndDdlReportTheirRowCounts() {
        JsonNode create = okJson(restricted("create table public.counted (id int primary key, name text)"));
        assertThat(create.get("rows")).isEmpty();
        assertThat(create.get("rowCount").isNull()).isTrue();
        assertThat(create.get("fields")).isEmpty();

        JsonNode insert = okJson(restricted("insert into counted values (1, 'a'), (2, 'b'), (3, 'c')"));
        assertThat(insert.get("rowCount").asInt()).isEqualTo(3);
        assertThat(insert.get("rows")).isEmpty();

        JsonNode returning = okJson(restricted("update counted set name = upper(name) where id < 3 returning id, name"));
        assertThat(returning.get("rowCount").asInt()).isEqualTo(2);
        assertThat(returning.get("rows")).isEqualTo(Json.parse("[{\"id\":1,\"name\":\"A\"},{\"id\":2,\"name\":\"B\"}]"));

        JsonNode select = okJson(restricted("select id, name from counted order by id"));
        assertThat(select.get("rowCount").asInt()).isEqualTo(3);
        assertThat(select.get("rows").get(2)).isEqualTo(Json.parse("{\"id\":3,\"name\":\"c\"}"));
        assertThat(select.get("fields")).isEqualTo(Json.parse("[{\"name\":\"id\",\"dataTypeID\":23},{\"name\":\"name\",\"dataTypeID\":25}]"));

        JsonNode delete = okJson(restricted("delete from counted where id = 3"));
        assertThat(delete.get("rowCount").asInt()).isEqualTo(1);
    }

    @Test
    void multiStatementTextRunsWholeAndAnswersWithTheLastResult() {
        JsonNode result = okJson(restricted("""
                create table public.multi (id int);
                insert into multi values (1), (2);
                -- a comment with a semicolon; still a comment
                select count(*) as n from multi;
                """));

        assertThat(result.get("rows")).isEqualTo(Json.parse("[{\"n\":\"2\"}]"));
        assertThat(result.get("rowCount").asInt()).isEqualTo(1);
    }

    @Test
    void aFailingStatementUndoesTheWholeText() {
        HttpCall.Reply reply = restricted("create table public.half_done (id int); select * from no_such_table");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(probe.scalar("select to_regclass('public.half_done')")).isNull();
    }

    @Test
    void atomicFunctionBodiesKeepTheirSemicolons() {
        okJson(restricted("""
                create function public.two_steps() returns int language sql
                begin atomic
                  select 1;
                  select case when true then 2 else 3 end;
                end;
                """));

        assertThat(okJson(restricted("select public.two_steps() as v")).get("rows").get(0).get("v").asInt()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- parameters

    static Stream<Arguments> parameters() {
        return Stream.of(
                Arguments.of("select $1::int + 1 as v", List.of(41), "42"),
                Arguments.of("select $1 as v", List.of("it's \"quoted\" \\ text; set role x"), "\"it's \\\"quoted\\\" \\\\ text; set role x\""),
                Arguments.of("select $2::text || $1::text as v", List.of("a", "b"), "\"ba\""),
                Arguments.of("select $1::int + $1::int as v", List.of(2), "4"),
                Arguments.of("select $1::jsonb -> 'k' as v", List.of(Map.of("k", List.of(1))), "[1]"),
                Arguments.of("select '{\"a\": 1}'::jsonb ? $1 as v", List.of("a"), "true"),
                Arguments.of("select $1::int[] as v", List.of(List.of(1, 2)), "[1,2]"),
                Arguments.of("select $1::text[] as v", List.of(nullable("a,b", "c\"d", null)), "[\"a,b\",\"c\\\"d\",null]"),
                Arguments.of("select $1::boolean as v", List.of(true), "true"),
                Arguments.of("select $1::numeric * 2 as v", List.of(1.25), "\"2.50\""),
                Arguments.of("select $1::int as v", List.of(100.0), "100"),
                Arguments.of("select $1 is null as v", nullable((Object) null), "true"),
                Arguments.of("select '$1 ?' || $1::text as v", List.of(5), "\"$1 ?5\""),
                Arguments.of("select $1::int as v -- $2 ? in a comment", List.of(7), "7"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parameters")
    void parametersBindLikeNodePg(String query, List<Object> params, String expected) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("params", params);

        assertThat(okJson(rawSql(server, "rawsql", body)).get("rows").get(0).get("v")).isEqualTo(Json.parse(expected));
    }

    @Test
    void parametersBindIntoWrites() {
        okJson(restricted("create table public.bound (id uuid primary key, tags text[], doc jsonb)"));
        String id = UUID.randomUUID().toString();

        JsonNode insert = okJson(restricted("insert into bound values ($1, $2, $3) returning *", id, List.of("x", "y"), Map.of("k", "v")));

        assertThat(insert.get("rows").get(0)).isEqualTo(Json.parse("{\"id\":\"" + id + "\",\"tags\":[\"x\",\"y\"],\"doc\":{\"k\":\"v\"}}"));
    }

    static Stream<Arguments> parameterMistakes() {
        return Stream.of(
                Arguments.of("select $1, $2", List.of(1), 400, "DATABASE_VALIDATION_ERROR", "there is no parameter $2"),
                Arguments.of("select $1", List.of(1, 2), 400, "INVALID_INPUT", "params: bind message supplies 2 parameters, but the query requires 1"),
                Arguments.of("select $1; select 2", List.of(1), 400, "DATABASE_VALIDATION_ERROR", "cannot insert multiple commands into a prepared statement"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parameterMistakes")
    void parameterMistakesAreClear400s(String query, List<Object> params, int status, String code, String message) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("params", params);

        assertError(rawSql(server, "rawsql", body), status, code, message);
    }

    // ---------------------------------------------------------------- restricted statements

    static Stream<String> restrictedStatements() {
        return Stream.of(
                "create database other",
                "drop database postgres",
                "alter database postgres set search_path = evil",
                "create role hacker superuser login",
                "alter role project_admin superuser",
                "drop role anon",
                "grant postgres to project_admin",
                "set role postgres",
                "reset role",
                "set session authorization postgres",
                "set search_path = evil",
                "set statement_timeout = 0",
                "reset all",
                "begin",
                "commit",
                "rollback",
                "savepoint s",
                "select set_config('role', 'postgres', true)",
                "select 1; set role postgres",
                "select 'x'; /* ; */ commit; select 2",
                "SeT/**/RoLe postgres",
                "set U&\"rol\\0065\" = postgres",
                "do $$ begin reset role; end $$",
                "do $$ begin execute 'set role postgres'; end $$",
                "create function public.escalate() returns text language sql set role = 'postgres' as 'select current_user::text'");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restrictedStatements")
    void restrictedStatementsAreRefusedInBothModes(String query) {
        assertError(restricted(query), 403, "FORBIDDEN", "Query contains restricted operations");
        assertError(unrestricted(query), 403, "FORBIDDEN", "Query contains restricted operations");
    }

    @Test
    void nothingOfARefusedTextRuns() {
        HttpCall.Reply reply = unrestricted("create table public.must_not_exist (id int); set role postgres");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(probe.scalar("select to_regclass('public.must_not_exist')")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "select 'set role postgres; commit; drop database x' as v",
            "select 1 as v -- ; set role postgres",
            "select 1 as v /* commit; reset all */",
            "select $q$ begin; set session authorization postgres $q$ as v",
            "select e'\\'; rollback' as v"})
    void restrictedWordsInStringsAndCommentsAreNotCode(String query) {
        assertThat(restricted(query).status()).isEqualTo(200);
    }

    @Test
    void dynamicSqlThatEscapesTheRoleIsUndone() {
        HttpCall.Reply reply = restricted("create table public.escape_attempt (id int); "
                + "do $$ begin execute 'RESE' || 'T ROLE'; end $$");

        assertError(reply, 403, "FORBIDDEN", "the query changed the execution role");
        assertThat(probe.scalar("select to_regclass('public.escape_attempt')")).isNull();
    }

    @Test
    void restrictedRunsAsProjectAdminWithAdminClaims() {
        JsonNode row = okJson(restricted("select current_user as role, auth.role() as claim_role")).get("rows").get(0);

        assertThat(row.get("role").asText()).isEqualTo("project_admin");
        assertThat(row.get("claim_role").asText()).isEqualTo("project_admin");
    }

    @Test
    void sessionStateDoesNotOutliveARequest() {
        okJson(restricted("set application_name = 'left-behind'"));

        JsonNode row = okJson(restricted("select current_setting('application_name') as name")).get("rows").get(0);

        assertThat(row.get("name").asText()).isEqualTo("anvil-rawsql");
    }

    // ---------------------------------------------------------------- unrestricted

    @Test
    void unrestrictedCanDoWhatProjectAdminMayNot() {
        assertError(restricted("create extension if not exists pageinspect"), 403, "FORBIDDEN", "permission denied");
        assertError(restricted("insert into system.mcp_usage (tool_name) values ('x')"), 403, "FORBIDDEN", "permission denied");

        okJson(unrestricted("create extension if not exists pageinspect"));
        okJson(unrestricted("insert into system.mcp_usage (tool_name) values ('from-unrestricted')"));

        assertThat(probe.exists("select 1 from pg_extension where extname = 'pageinspect'")).isTrue();
        assertThat(probe.exists("select 1 from system.mcp_usage where tool_name = 'from-unrestricted'")).isTrue();
        assertThat(okJson(unrestricted("select current_user as u")).get("rows").get(0).get("u").asText())
                .isEqualTo(server.database().user());
    }

    @Test
    void projectAdminMayCreateSchemasAndTrustedExtensionsInItsOwnDatabase() {
        okJson(restricted("create schema if not exists reporting; create extension if not exists citext"));

        assertThat(probe.scalar("select nspowner::regrole::text from pg_namespace where nspname = 'reporting'")).isEqualTo("project_admin");
        assertThat(probe.exists("select 1 from pg_extension where extname = 'citext'")).isTrue();
    }

    @Test
    void unrestrictedHandsNewPublicObjectsToProjectAdmin() {
        okJson(unrestricted("create table public.owned_later (id serial primary key); create view public.owned_view as select 1 as x"));

        assertThat(probe.scalar("select relowner::regrole::text from pg_class where oid = 'public.owned_later'::regclass")).isEqualTo("project_admin");
        assertThat(probe.scalar("select relowner::regrole::text from pg_class where oid = 'public.owned_view'::regclass")).isEqualTo("project_admin");
        // so restricted SQL can change it afterwards
        okJson(restricted("alter table owned_later add column name text"));

        okJson(unrestricted("select 1 as x into public.selected_into"));
        assertThat(probe.scalar("select relowner::regrole::text from pg_class where oid = 'public.selected_into'::regclass")).isEqualTo("project_admin");
    }

    // ---------------------------------------------------------------- schema reload

    @Test
    void ddlIsAnnouncedToPostgrestAndPlainReadsAreNot() {
        try (DatabaseProbe listener = new DatabaseProbe(server)) {
            listener.listen("pgrst");

            okJson(restricted("select 1"));
            assertThat(listener.notifications(Duration.ofMillis(300))).isEmpty();

            okJson(restricted("create table public.announced (id int)"));
            assertThat(listener.notifications(Duration.ofSeconds(5))).containsExactly("pgrst:reload schema");

            okJson(unrestricted("alter table public.announced add column x int"));
            assertThat(listener.notifications(Duration.ofSeconds(5))).containsExactly("pgrst:reload schema");
        }
    }

    // ---------------------------------------------------------------- errors

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("insert into err_parent values (1)", 409, "DATABASE_DUPLICATE", "duplicate key value"),
                Arguments.of("select * from no_such_table", 400, "DATABASE_VALIDATION_ERROR", "relation \"no_such_table\" does not exist"),
                Arguments.of("insert into err_child values (1, 99, 'x')", 400, "DATABASE_CONSTRAINT_VIOLATION", "violates foreign key constraint"),
                Arguments.of("insert into err_child (id) values (2)", 400, "MISSING_FIELD", "null value in column \"name\""),
                Arguments.of("select no_such_column from err_parent", 400, "DATABASE_VALIDATION_ERROR", "column \"no_such_column\" does not exist"),
                Arguments.of("select * from system.secrets", 403, "FORBIDDEN", "permission denied"),
                Arguments.of("select 'abc'::int", 400, "INVALID_INPUT", "invalid input syntax for type integer"),
                Arguments.of("selec 1", 400, "DATABASE_VALIDATION_ERROR", "syntax error at or near \"selec\""),
                Arguments.of("select 'unterminated", 400, "DATABASE_VALIDATION_ERROR", "syntax error: unterminated quoted string"),
                Arguments.of("drop table err_parent", 400, "DATABASE_CONSTRAINT_VIOLATION", "other objects depend on it"),
                Arguments.of("copy err_parent from stdin", 400, "INVALID_INPUT", "COPY"),
                Arguments.of("create index concurrently err_idx on err_parent (id)", 400, "DATABASE_VALIDATION_ERROR", "cannot run inside a transaction block"),
                Arguments.of("select 1/0", 400, "INVALID_INPUT", "division by zero"),
                Arguments.of("do $$ begin raise exception 'custom failure'; end $$", 400, "DATABASE_INVALID_PARAMETER", "custom failure"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void postgresErrorsMapAsTheContractSays(String query, int status, String code, String message) {
        okJson(restricted("""
                create table if not exists err_parent (id int primary key);
                create table if not exists err_child (id int primary key, parent int references err_parent (id), name text not null);
                insert into err_parent values (1) on conflict do nothing;
                """));

        assertError(restricted(query), status, code, message);
    }

    @Test
    void statementsThatRunTooLongAreCancelled() {
        HttpCall.Reply reply = rawSql(limited, "rawsql", body("select pg_sleep(5)"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(408);
        assertThat(reply.json().get("message").asText()).isEqualTo("Query timeout: The query took longer than 1 seconds to execute");
        assertThat(rawSql(limited, "rawsql/unrestricted", body("select pg_sleep(5)")).status()).isEqualTo(408);
    }

    @Test
    void resultsBeyondTheRowLimitAreRefused() {
        assertThat(okJson(rawSql(limited, "rawsql", body("select generate_series(1, 10) as n"))).get("rows")).hasSize(10);

        assertError(rawSql(limited, "rawsql", body("select generate_series(1, 11) as n")), 400, "INVALID_INPUT",
                "The query returned more than 10 rows");
    }

    // ---------------------------------------------------------------- explain

    @Test
    void explainAnalyzesAReadOnlySelect() {
        okJson(restricted("create table if not exists public.explained (id int); insert into explained values (1)"));
        Map<String, Object> body = new HashMap<>(body("select * from explained where id = $1", 1));
        body.put("explain", true);

        JsonNode result = okJson(rawSql(server, "rawsql", body));

        JsonNode plan = result.get("rows").get(0).get("QUERY PLAN").get(0);
        assertThat(plan.get("Plan").get("Node Type").asText()).isEqualTo("Seq Scan");
        assertThat(plan.get("Plan").has("Actual Rows")).isTrue();
        assertThat(plan.get("Plan").has("Shared Hit Blocks")).isTrue();
        assertThat(result.get("fields").get(0).get("dataTypeID").asInt()).isEqualTo(114);
    }

    @ParameterizedTest
    @ValueSource(strings = {"delete from explained", "select 1; select 2", "create table x (id int)"})
    void explainRefusesAnythingButOneSelect(String query) {
        Map<String, Object> body = new HashMap<>(body(query));
        body.put("explain", true);

        assertError(rawSql(server, "rawsql", body), 400, "INVALID_INPUT", "Only SELECT statements are allowed in EXPLAIN mode.");
    }

    @Test
    void explainOfASelectThatWritesChangesNothing() {
        okJson(restricted("create table if not exists public.kept (id int); insert into kept values (1)"));
        Map<String, Object> body = new HashMap<>(body("with gone as (delete from kept returning *) select * from gone"));
        body.put("explain", true);

        assertError(rawSql(server, "rawsql/unrestricted", body), 400, "INVALID_INPUT", "Only read-only SELECT statements can be explained");
        assertThat(probe.scalar("select count(*) from public.kept")).isEqualTo("1");
    }

    // ---------------------------------------------------------------- request and credentials

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("{}", "query: Required"),
                Arguments.of("{\"query\": \"\"}", "query: Query is required"),
                Arguments.of("{\"query\": 1}", "query: Expected string, received number"),
                Arguments.of("{\"query\": \"select 1\", \"params\": \"x\"}", "params: Expected array, received string"),
                Arguments.of("{\"query\": \"select 1\", \"explain\": \"yes\"}", "explain: Expected boolean, received string"),
                Arguments.of("{\"query\": \" ; -- nothing\"}", "query: contains no SQL statement"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void malformedRequestsAre400(String body, String message) {
        HttpCall.Reply reply = server.post("/api/database/advance/rawsql").header("x-api-key", server.apiKey()).json(body).send();

        assertError(reply, 400, "INVALID_INPUT", message);
    }

    @Test
    void onlyAdminsMayRunSql() {
        Map<String, Object> body = body("select 1");
        assertError(server.post("/api/database/advance/rawsql").json(body).send(), 401, "AUTH_INVALID_CREDENTIALS", "No admin token provided");
        assertError(server.post("/api/database/advance/rawsql").bearer(server.anonKey()).json(body).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertError(server.post("/api/database/advance/rawsql/unrestricted").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com"))
                .json(body).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertThat(server.post("/api/database/advance/rawsql").bearer(server.adminToken()).json(body).send().status()).isEqualTo(200);
        assertThat(server.post("/api/database/advance/rawsql").bearer(server.apiKey()).json(body).send().status()).isEqualTo(200);
    }

    @SafeVarargs
    static <T> List<T> nullable(T... values) {
        return new ArrayList<>(java.util.Arrays.asList(values));
    }
}

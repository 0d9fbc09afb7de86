package dev.anvil.server.database.grid;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.database.DatabaseProbe;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dashboard's grid CRUD, {@code /api/database/admin/tables/:table/records[/lookup]} (contract
 * §3.5), against a real server: paging, sorting, search and filter; lookup; insert, update and
 * delete by single and composite primary keys; values Postgres has to convert; §9 errors; refusals.
 */
class GridRecordsApiTest {

    static final AtomicInteger NAMES = new AtomicInteger();
    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("grid-records");
        probe = new DatabaseProbe(server);
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    /** A table created as project_admin (the owner of user tables), named uniquely. */
    static String table(String prefix, String columns) {
        String name = prefix + "_" + NAMES.incrementAndGet();
        probe.execute("SET ROLE project_admin", "CREATE TABLE public." + name + " (" + columns + ")", "RESET ROLE");
        return name;
    }

    /** The items table: 7 rows, id 1..7. */
    static String items() {
        String name = table("items", "id integer PRIMARY KEY, name text NOT NULL, qty integer, note varchar(20)");
        probe.execute("INSERT INTO public." + name + " VALUES (1, 'apple', 5, NULL), (2, 'banana', 3, '50% off'), "
                + "(3, 'cherry', 5, 'a_b'), (4, 'date', 1, 'ab'), (5, 'elder', 9, NULL), (6, 'Apricot', 2, NULL), (7, 'fig', 5, NULL)");
        return name;
    }

    static HttpCall admin(String method, String path) {
        return server.call(method, path).header("x-api-key", server.apiKey());
    }

    static String records(String table) {
        return "/api/database/admin/tables/" + table + "/records";
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static List<Integer> ids(JsonNode rows) {
        return Stream.of(rows).flatMap(r -> java.util.stream.StreamSupport.stream(r.spliterator(), false))
                .map(r -> r.get("id").asInt()).toList();
    }

    // ---------------------------------------------------------------------------------- list

    static Stream<Arguments> pages() {
        return Stream.of(
                Arguments.of("", List.of(1, 2, 3, 4, 5, 6, 7), 7),
                Arguments.of("?limit=3", List.of(1, 2, 3), 7),
                Arguments.of("?limit=3&offset=3", List.of(4, 5, 6), 7),
                Arguments.of("?limit=3&offset=6", List.of(7), 7),
                Arguments.of("?offset=40", List.of(), 7),
                Arguments.of("?sort=" + q("qty:desc,id:desc"), List.of(5, 7, 3, 1, 2, 6, 4), 7),
                Arguments.of("?sort=name&limit=2", List.of(6, 1), 7),
                Arguments.of("?search=AP", List.of(1, 6), 2),
                Arguments.of("?search=" + q("%"), List.of(2), 1),
                Arguments.of("?search=" + q("a_"), List.of(3), 1),
                Arguments.of("?filterColumn=qty&filterValue=5", List.of(1, 3, 7), 3),
                Arguments.of("?filterColumn=qty&filterValue=5&search=rr&limit=1", List.of(3), 1),
                Arguments.of("?filterColumn=qty&filterValue=5&limit=1&offset=1&sort=id:desc", List.of(3), 3));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("pages")
    void listsAPage(String query, List<Integer> expectedIds, int total) {
        String table = items();
        JsonNode page = okJson(admin("GET", records(table) + query).send());
        assertThat(ids(page.get("data"))).isEqualTo(expectedIds);
        JsonNode pagination = page.get("pagination");
        assertThat(pagination.get("total").asInt()).isEqualTo(total);
        assertThat(pagination.get("offset").asInt()).isEqualTo(query.contains("offset=") ? Integer.parseInt(
                query.replaceAll(".*offset=(\\d+).*", "$1")) : 0);
        assertThat(pagination.get("limit").asInt()).isEqualTo(query.contains("limit=") ? Integer.parseInt(
                query.replaceAll(".*limit=(\\d+).*", "$1")) : 50);
    }

    @Test
    void rowsKeepTheTableColumnOrderAndPostgresRendering() {
        String table = table("order", "z text, id integer PRIMARY KEY, a timestamptz, n numeric");
        probe.execute("INSERT INTO public." + table + " VALUES ('last', 1, '2024-02-29 12:34:56.789+00', 12345678901234567890.1230)");
        HttpCall.Reply reply = admin("GET", records(table)).send();
        assertThat(reply.text()).contains("{\"z\":\"last\",\"id\":1,\"a\":\"2024-02-29T12:34:56.789+00:00\","
                + "\"n\":12345678901234567890.1230}");
    }

    static Stream<Arguments> badListQueries() {
        return Stream.of(
                Arguments.of("?limit=0", "limit"),
                Arguments.of("?limit=501", "limit"),
                Arguments.of("?limit=ten", "limit: Expected number"),
                Arguments.of("?offset=-1", "offset"),
                Arguments.of("?sort=" + q("name:up"), "Invalid sort direction \"up\"."),
                Arguments.of("?sort=" + q("name:asc:x"), "Invalid sort clause \"name:asc:x\"."),
                Arguments.of("?sort=" + q(":asc"), "Invalid sort clause"),
                Arguments.of("?sort=nope", "Unknown column \"nope\"."),
                Arguments.of("?filterColumn=qty", "filterColumn: filterColumn and filterValue must be provided together."),
                Arguments.of("?filterValue=1", "filterColumn and filterValue must be provided together."),
                Arguments.of("?filterColumn=nope&filterValue=1", "Unknown column \"nope\"."));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badListQueries")
    void refusesABadListQuery(String query, String message) {
        assertError(admin("GET", records(items()) + query).send(), 400, "INVALID_INPUT", message);
    }

    @Test
    void aFilterValueThatDoesNotFitTheColumnIsA400() {
        assertError(admin("GET", records(items()) + "?filterColumn=qty&filterValue=many").send(), 400, "INVALID_INPUT",
                "invalid input syntax for type integer");
    }

    @Test
    void unknownTablesAndSchemasAre404AndCatalogSchemasAreRefused() {
        assertError(admin("GET", records("no_such_table")).send(), 404, "DATABASE_NOT_FOUND", "table not found");
        assertError(admin("GET", records(items()) + "?schema=no_such_schema").send(), 404, "DATABASE_NOT_FOUND", "table not found");
        assertError(admin("PATCH", records("no_such_table")).json("{\"pkKeys\":{\"id\":1},\"data\":{\"a\":1}}").send(),
                404, "DATABASE_NOT_FOUND", "table not found");
        assertError(admin("GET", records("pg_class") + "?schema=pg_catalog").send(), 400, "INVALID_INPUT", "not available");
    }

    @Test
    void otherSchemasAreReachedWithTheSchemaParameter() {
        probe.execute("SET ROLE project_admin", "CREATE SCHEMA IF NOT EXISTS grid_other",
                "CREATE TABLE grid_other.things (id integer PRIMARY KEY, label text)", "RESET ROLE");
        assertThat(okJson(admin("POST", "/api/database/admin/tables/things/records?schema=grid_other")
                .json("[{\"id\":1,\"label\":\"there\"}]").send()).get(0).get("label").asText()).isEqualTo("there");
        assertThat(okJson(admin("GET", "/api/database/admin/tables/things/records?schema=grid_other").send())
                .get("pagination").get("total").asInt()).isEqualTo(1);
        assertError(admin("GET", "/api/database/admin/tables/things/records").send(), 404, "DATABASE_NOT_FOUND", "table not found");
    }

    // -------------------------------------------------------------------------------- lookup

    @Test
    void looksUpByOneOrSeveralColumns() {
        String table = items();
        assertThat(okJson(admin("GET", records(table) + "/lookup?column=id&value=4").send()).get("name").asText()).isEqualTo("date");
        assertThat(okJson(admin("GET", records(table) + "/lookup?column=qty&value=5&column=name&value=fig").send())
                .get("id").asInt()).isEqualTo(7);
        HttpCall.Reply missing = admin("GET", records(table) + "/lookup?column=id&value=99").send();
        assertThat(missing.status()).isEqualTo(200);
        assertThat(missing.text()).isEqualTo("null");
    }

    static Stream<Arguments> badLookups() {
        return Stream.of(
                Arguments.of("", "column: Required"),
                Arguments.of("?column=id", "value: Required"),
                Arguments.of("?column=id&column=qty&value=1", "value: column and value must have the same number of entries"),
                Arguments.of("?column=nope&value=1", "Unknown column \"nope\"."),
                Arguments.of("?column=id&value=x", "invalid input syntax for type integer"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badLookups")
    void refusesABadLookup(String query, String message) {
        assertError(admin("GET", records(items()) + "/lookup" + query).send(), 400, "INVALID_INPUT", message);
    }

    // -------------------------------------------------------------------------------- insert

    @Test
    void insertsAwkwardValuesAndLetsPostgresConvertThem() {
        String table = table("awkward", "id uuid PRIMARY KEY DEFAULT gen_random_uuid(), doc jsonb, doc_text jsonb, "
                + "tags text[], nums integer[], at timestamptz, day date, amount numeric(30,3), exact numeric, big numeric, note text, "
                + "label text DEFAULT 'none', flag boolean, count integer DEFAULT 7, maybe integer");
        HttpCall.Reply reply = admin("POST", records(table)).json("""
                [{"doc":{"a":[1,{"b":null}],"ü":"ß"},"doc_text":"{\\"x\\": 1}","tags":["a,b","c \\"d\\"",null],
                  "nums":[1,2,3],"at":"2024-02-29T12:34:56.789Z","day":"2024-02-29","amount":12345678901234567.125,"exact":1.50,"big":123456789012345678901234567890,
                  "note":null,"label":"héllo ✓ 😀 日本","flag":true,"count":"","maybe":""},
                 {}]""").send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        JsonNode created = reply.json();
        assertThat(created).hasSize(2);
        JsonNode row = created.get(0);
        assertThat(row.get("doc")).isEqualTo(Json.parse("{\"a\":[1,{\"b\":null}],\"ü\":\"ß\"}"));
        assertThat(row.get("doc_text")).isEqualTo(Json.parse("{\"x\":1}"));
        assertThat(row.get("tags")).isEqualTo(Json.parse("[\"a,b\",\"c \\\"d\\\"\",null]"));
        assertThat(row.get("nums")).isEqualTo(Json.parse("[1,2,3]"));
        assertThat(row.get("at").asText()).isEqualTo("2024-02-29T12:34:56.789+00:00");
        assertThat(row.get("day").asText()).isEqualTo("2024-02-29");
        assertThat(reply.text()).contains("\"amount\":12345678901234567.125,\"exact\":1.50,\"big\":123456789012345678901234567890,");
        assertThat(row.get("note").isNull()).isTrue();
        assertThat(row.get("label").asText()).isEqualTo("héllo ✓ 😀 日本");
        assertThat(row.get("flag").asBoolean()).isTrue();
        assertThat(row.get("count").asInt()).as("\"\" leaves a non-text column to its default").isEqualTo(7);
        assertThat(row.get("maybe").isNull()).isTrue();
        assertThat(created.get(1).get("label").asText()).as("{} inserts the defaults").isEqualTo("none");
        assertThat(created.get(1).get("id").asText()).hasSize(36);

        String id = row.get("id").asText();
        assertThat(probe.scalar("SELECT doc->'a'->1 ? 'b' FROM public." + table + " WHERE id = '" + id + "'")).isEqualTo("t");
        assertThat(probe.scalar("SELECT tags[3] IS NULL AND tags[1] = 'a,b' FROM public." + table + " WHERE id = '" + id + "'"))
                .isEqualTo("t");
        assertThat(probe.scalar("SELECT at = '2024-02-29 12:34:56.789+00' FROM public." + table + " WHERE id = '" + id + "'"))
                .isEqualTo("t");
        assertThat(probe.scalar("SELECT count(*) FROM system.audit_logs WHERE action = 'CREATE_RECORDS' "
                + "AND details->>'tableName' = '" + table + "' AND (details->>'count')::int = 2")).isEqualTo("1");
    }

    @Test
    void emptyStringIsKeptInTextColumns() {
        String table = table("blank", "id integer PRIMARY KEY, note text NOT NULL");
        assertThat(okJson(admin("POST", records(table)).json("[{\"id\":1,\"note\":\"\"}]").send()).get(0).get("note").asText())
                .isEmpty();
    }

    static Stream<Arguments> failingInserts() {
        return Stream.of(
                Arguments.of("[{\"id\":1,\"name\":\"dup\"}]", 409, "DATABASE_DUPLICATE", "duplicate key"),
                Arguments.of("[{\"id\":20}]", 400, "MISSING_FIELD", "null value in column \"name\""),
                Arguments.of("[{\"id\":\"x\",\"name\":\"a\"}]", 400, "INVALID_INPUT", "invalid input syntax for type integer"),
                Arguments.of("[{\"id\":21,\"name\":\"a\",\"note\":\"more than twenty characters\"}]", 400, "INVALID_INPUT",
                        "value too long"),
                Arguments.of("[{\"id\":22,\"name\":\"a\",\"qty\":{\"n\":1}}]", 400, "INVALID_INPUT", ""),
                Arguments.of("[{\"id\":23,\"name\":\"ok\"},{\"id\":1,\"name\":\"dup\"}]", 409, "DATABASE_DUPLICATE", "duplicate key"),
                Arguments.of("[{\"id\":24,\"name\":\"a\",\"nope\":1}]", 400, "INVALID_INPUT", "Unknown column \"nope\"."));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("failingInserts")
    void aFailingInsertIsAnErrorAndInsertsNothing(String body, int status, String code, String message) {
        String table = items();
        HttpCall.Reply reply = admin("POST", records(table)).json(body).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).as(reply.toString()).isIn(code, "DATABASE_VALIDATION_ERROR");
        assertThat(reply.json().get("message").asText()).contains(message);
        assertThat(probe.scalar("SELECT count(*) FROM public." + table)).isEqualTo("7");
    }

    @Test
    void foreignKeyViolationsAreConstraintErrors() {
        String parent = table("parent", "id integer PRIMARY KEY");
        String child = table("child", "id integer PRIMARY KEY, parent_id integer REFERENCES public." + parent + "(id)");
        assertError(admin("POST", records(child)).json("[{\"id\":1,\"parent_id\":5}]").send(), 400,
                "DATABASE_CONSTRAINT_VIOLATION", "foreign key");
    }

    // -------------------------------------------------------------------------------- update

    @Test
    void updatesARowBySingleKey() {
        String table = items();
        JsonNode row = okJson(admin("PATCH", records(table))
                .json("{\"pkKeys\":{\"id\":2},\"data\":{\"name\":\"blueberry\",\"qty\":\"\",\"note\":\"\"}}").send());
        assertThat(row.get("id").asInt()).isEqualTo(2);
        assertThat(row.get("name").asText()).isEqualTo("blueberry");
        assertThat(row.get("qty").isNull()).as("\"\" clears a nullable non-text column").isTrue();
        assertThat(row.get("note").asText()).isEmpty();
        assertThat(probe.scalar("SELECT name FROM public." + table + " WHERE id = 2")).isEqualTo("blueberry");
        assertThat(probe.scalar("SELECT name FROM public." + table + " WHERE id = 3")).isEqualTo("cherry");
        // A key given as a string is converted to the key column's type too.
        assertThat(okJson(admin("PATCH", records(table)).json("{\"pkKeys\":{\"id\":\"3\"},\"data\":{\"qty\":42}}").send())
                .get("qty").asInt()).isEqualTo(42);
    }

    @Test
    void updatesAndDeletesByCompositeKey() {
        String table = table("stock", "tenant text, item integer, amount integer NOT NULL, at timestamptz, PRIMARY KEY (tenant, item)");
        probe.execute("INSERT INTO public." + table + " VALUES ('t1', 1, 10, now()), ('t1', 2, 20, now()), ('t2', 1, 30, now()), "
                + "('t2', 2, 40, now())");
        JsonNode row = okJson(admin("PATCH", records(table))
                .json("{\"pkKeys\":{\"item\":1,\"tenant\":\"t2\"},\"data\":{\"amount\":31,\"at\":\"2020-01-01T00:00:00+02:00\"}}").send());
        assertThat(row.get("amount").asInt()).isEqualTo(31);
        assertThat(row.get("at").asText()).isEqualTo("2019-12-31T22:00:00+00:00");
        assertThat(probe.scalar("SELECT string_agg(tenant || item || ':' || amount, ',' ORDER BY tenant, item) FROM public." + table))
                .isEqualTo("t11:10,t12:20,t21:31,t22:40");

        assertError(admin("PATCH", records(table)).json("{\"pkKeys\":{\"tenant\":\"t1\"},\"data\":{\"amount\":0}}").send(),
                400, "INVALID_INPUT", "Primary key does not match the table primary key.");
        assertError(admin("DELETE", records(table)).json("{\"pkKeys\":[{\"tenant\":\"t1\"}]}").send(),
                400, "INVALID_INPUT", "Primary key does not match the table primary key.");
        assertError(admin("PATCH", records(table)).json("{\"pkKeys\":{\"tenant\":\"t1\",\"item\":1},\"data\":{\"amount\":\"\"}}").send(),
                400, "INVALID_INPUT", "Column \"amount\" cannot be blank.");

        JsonNode deleted = okJson(admin("DELETE", records(table))
                .json("{\"pkKeys\":[{\"tenant\":\"t1\",\"item\":2},{\"tenant\":\"t2\",\"item\":1},{\"tenant\":\"t9\",\"item\":9}]}").send());
        assertThat(deleted).isEqualTo(Json.parse("{\"deletedCount\":2}"));
        assertThat(probe.scalar("SELECT string_agg(tenant || item, ',' ORDER BY tenant, item) FROM public." + table))
                .isEqualTo("t11,t22");
    }

    @Test
    void aMissingRowIsA404AndChangesNothing() {
        String table = items();
        assertError(admin("PATCH", records(table)).json("{\"pkKeys\":{\"id\":99},\"data\":{\"name\":\"x\"}}").send(),
                404, "DATABASE_NOT_FOUND", "Record not found.");
        assertError(admin("PATCH", records(table)).json("{\"pkKeys\":{\"id\":null},\"data\":{\"name\":\"x\"}}").send(),
                404, "DATABASE_NOT_FOUND", "Record not found.");
        assertThat(okJson(admin("DELETE", records(table)).json("{\"pkKeys\":[{\"id\":99}]}").send()))
                .isEqualTo(Json.parse("{\"deletedCount\":0}"));
        assertThat(probe.scalar("SELECT count(*) FROM public." + table + " WHERE name = 'x'")).isEqualTo("0");
        assertThat(probe.scalar("SELECT count(*) FROM public." + table)).isEqualTo("7");
    }

    @Test
    void aTableWithoutPrimaryKeyCannotBeChangedByKey() {
        String table = table("keyless", "id integer, name text");
        probe.execute("INSERT INTO public." + table + " VALUES (1, 'a'), (1, 'b')");
        assertThat(okJson(admin("GET", records(table)).send()).get("pagination").get("total").asInt()).isEqualTo(2);
        assertError(admin("PATCH", records(table)).json("{\"pkKeys\":{\"id\":1},\"data\":{\"name\":\"x\"}}").send(),
                400, "INVALID_INPUT", "has no primary key");
        assertError(admin("DELETE", records(table)).json("{\"pkKeys\":[{\"id\":1}]}").send(),
                400, "INVALID_INPUT", "has no primary key");
        assertThat(probe.scalar("SELECT string_agg(name, ',' ORDER BY name) FROM public." + table)).isEqualTo("a,b");
    }

    @Test
    void deletesBySingleKeysAndAudits() {
        String table = items();
        assertThat(okJson(admin("DELETE", records(table)).json("{\"pkKeys\":[{\"id\":1},{\"id\":\"3\"},{\"id\":5}]}").send()))
                .isEqualTo(Json.parse("{\"deletedCount\":3}"));
        assertThat(probe.scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM public." + table)).isEqualTo("2,4,6,7");
        assertThat(probe.scalar("SELECT count(*) FROM system.audit_logs WHERE action = 'DELETE_RECORDS' "
                + "AND details->>'tableName' = '" + table + "' AND (details->>'deletedCount')::int = 3")).isEqualTo("1");
    }

    // ------------------------------------------------------------------------------- refusals

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("POST", "", "Expected array, received object"),
                Arguments.of("POST", "{\"id\":1}", "Expected array, received object"),
                Arguments.of("POST", "[]", "At least one record is required"),
                Arguments.of("POST", "[1]", "0: Expected object, received number"),
                Arguments.of("POST", "[{\"id\":", "Invalid JSON in request body"),
                Arguments.of("PATCH", "", "pkKeys: Required"),
                Arguments.of("PATCH", "[]", "Request body must be a JSON object"),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":1}}", "data: Required"),
                Arguments.of("PATCH", "{\"pkKeys\":{},\"data\":{\"name\":\"x\"}}", "pkKeys: Primary key must include at least one column."),
                Arguments.of("PATCH", "{\"pkKeys\":\"1\",\"data\":{\"name\":\"x\"}}", "pkKeys: Expected object, received string"),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":{\"a\":1}},\"data\":{\"name\":\"x\"}}", "pkKeys.id: Invalid input"),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":1},\"data\":{}}", "data: At least one field is required."),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":1},\"data\":null}", "data: Expected object, received null"),
                Arguments.of("PATCH", "{\"pkKeys\":{\"nope\":1},\"data\":{\"name\":\"x\"}}", "Unknown column \"nope\"."),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":1},\"data\":{\"nope\":1}}", "Unknown column \"nope\"."),
                Arguments.of("PATCH", "{\"pkKeys\":{\"id\":1,\"name\":\"apple\"},\"data\":{\"qty\":1}}",
                        "Primary key does not match the table primary key."),
                Arguments.of("DELETE", "", "pkKeys: Required"),
                Arguments.of("DELETE", "{\"pkKeys\":[]}", "pkKeys: At least one primary key is required"),
                Arguments.of("DELETE", "{\"pkKeys\":{\"id\":1}}", "pkKeys: Expected array, received object"),
                Arguments.of("DELETE", "{\"pkKeys\":[{\"id\":1},{}]}", "pkKeys.1: Primary key must include at least one column."));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badBodies")
    void refusesABadBodyAndChangesNothing(String method, String body, String message) {
        String table = items();
        HttpCall call = admin(method, records(table));
        HttpCall.Reply reply = (body.isEmpty() ? call : call.json(body)).send();
        assertError(reply, 400, "INVALID_INPUT", message);
        assertThat(probe.scalar("SELECT string_agg(id || name || coalesce(qty::text, '-'), ',' ORDER BY id) FROM public." + table))
                .isEqualTo("1apple5,2banana3,3cherry5,4date1,5elder9,6Apricot2,7fig5");
    }

    static Stream<Arguments> callers() {
        return Stream.of(
                Arguments.of("nobody", 401),
                Arguments.of("anon", 403),
                Arguments.of("user", 403));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("callers")
    void onlyAdminsMayUseTheGrid(String who, int status) {
        String table = items();
        List<HttpCall> calls = List.of(
                server.call("GET", records(table)),
                server.call("GET", records(table) + "/lookup?column=id&value=1"),
                server.call("POST", records(table)).json("[{\"id\":50,\"name\":\"x\"}]"),
                server.call("PATCH", records(table)).json("{\"pkKeys\":{\"id\":1},\"data\":{\"name\":\"x\"}}"),
                server.call("DELETE", records(table)).json("{\"pkKeys\":[{\"id\":1}]}"));
        for (HttpCall call : calls) {
            switch (who) {
                case "anon" -> call.bearer(server.anonKey());
                case "user" -> call.bearer(server.userToken(java.util.UUID.randomUUID().toString(), "u@example.com"));
                default -> { }
            }
            HttpCall.Reply reply = call.send();
            assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        }
        assertThat(probe.scalar("SELECT string_agg(id || name, ',' ORDER BY id) FROM public." + table))
                .isEqualTo("1apple,2banana,3cherry,4date,5elder,6Apricot,7fig");
    }

    @Test
    void anAdminSessionTokenMayUseTheGrid() {
        String table = items();
        assertThat(okJson(server.call("GET", records(table) + "?limit=1").bearer(server.adminToken()).send())
                .get("data")).hasSize(1);
    }
}

package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
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
 * {@code /api/database/tables} (contract §3.1) against a real server: create, list, read, change
 * and delete tables; the type mapping and defaults; the automatic columns and their trigger;
 * row-level security by default; foreign-key actions; {@code ?schema=}; identifier rules; and the
 * schema-reload notification.
 */
class TablesApiTest {

    static final AtomicInteger NAMES = new AtomicInteger();
    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("tables");
        probe = new DatabaseProbe(server);
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    static String uniqueName(String prefix) {
        return prefix + "_" + NAMES.incrementAndGet();
    }

    static HttpCall admin(String method, String path) {
        return server.call(method, path).header("x-api-key", server.apiKey());
    }

    static JsonNode createTable(String name, String columnsJson) {
        return createTable(name, columnsJson, "");
    }

    static JsonNode createTable(String name, String columnsJson, String extra) {
        HttpCall.Reply reply = admin("POST", "/api/database/tables")
                .json("{\"tableName\":\"" + name + "\",\"columns\":" + columnsJson + extra + "}").send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return reply.json();
    }

    static JsonNode schemaOf(String table) {
        return okJson(admin("GET", "/api/database/tables/" + table + "/schema").send());
    }

    static JsonNode column(JsonNode schema, String name) {
        for (JsonNode column : schema.get("columns")) {
            if (column.get("columnName").asText().equals(name)) {
                return column;
            }
        }
        throw new AssertionError("no column " + name + " in " + schema);
    }

    // ---------------------------------------------------------------- create, list, read, delete

    @Test
    void createListDescribeAndDeleteATable() {
        String name = uniqueName("posts");
        JsonNode created = createTable(name, """
                [{"columnName":"title","type":"string","isNullable":false,"isUnique":false},
                 {"columnName":"views","type":"integer","isNullable":true,"isUnique":false,"defaultValue":"0"}]""");

        assertThat(created.get("schemaName").asText()).isEqualTo("public");
        assertThat(created.get("message").asText()).isEqualTo("table created successfully");
        assertThat(created.get("tableName").asText()).isEqualTo(name);
        assertThat(created.get("autoFields")).isEqualTo(Json.parse("[\"id\",\"created_at\",\"updated_at\"]"));
        assertThat(created.get("columns").get(0)).isEqualTo(Json.parse(
                "{\"columnName\":\"title\",\"type\":\"string\",\"isNullable\":false,\"isUnique\":false,\"sqlType\":\"TEXT\"}"));
        assertThat(created.get("columns").get(1).get("defaultValue").asText()).isEqualTo("0");
        assertThat(created.get("nextActions").asText()).isNotBlank();

        assertThat(okJson(admin("GET", "/api/database/tables").send())).contains(Json.parse("\"" + name + "\""));

        probe.execute("insert into public." + name + " (title) values ('a'), ('b')");
        JsonNode schema = schemaOf(name);
        assertThat(schema.get("schemaName").asText()).isEqualTo("public");
        assertThat(schema.get("tableName").asText()).isEqualTo(name);
        assertThat(schema.get("recordCount").asLong()).isEqualTo(2);
        assertThat(schema.get("foreignKeys")).isEmpty();
        assertThat(schema.get("columns")).extracting(c -> c.get("columnName").asText())
                .containsExactly("id", "title", "views", "created_at", "updated_at");
        assertThat(column(schema, "id")).isEqualTo(Json.parse("{\"columnName\":\"id\",\"type\":\"uuid\",\"isNullable\":false,"
                + "\"isPrimaryKey\":true,\"isUnique\":true,\"defaultValue\":\"gen_random_uuid()\"}"));
        assertThat(column(schema, "title")).isEqualTo(Json.parse("{\"columnName\":\"title\",\"type\":\"string\",\"isNullable\":false,"
                + "\"isPrimaryKey\":false,\"isUnique\":false}"));
        assertThat(column(schema, "views").get("defaultValue").asText()).isEqualTo("0");
        assertThat(column(schema, "created_at").get("type").asText()).isEqualTo("datetime");
        assertThat(column(schema, "created_at").get("defaultValue").asText()).isEqualTo("now()");

        JsonNode deleted = okJson(admin("DELETE", "/api/database/tables/" + name).send());
        assertThat(deleted.get("message").asText()).isEqualTo("table deleted successfully");
        assertThat(deleted.get("tableName").asText()).isEqualTo(name);
        assertThat(deleted.get("schemaName").asText()).isEqualTo("public");
        assertThat(probe.scalar("select to_regclass('public." + name + "')")).isNull();
    }

    @Test
    void tablesBelongToProjectAdminAndTheirTriggerCallsTheSharedFunction() {
        String name = uniqueName("owned");
        createTable(name, "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");

        assertThat(probe.scalar("select relowner::regrole::text from pg_class where oid = 'public." + name + "'::regclass"))
                .isEqualTo("project_admin");
        assertThat(probe.scalar("select tgfoid::regproc::text from pg_trigger where tgrelid = 'public." + name + "'::regclass "
                + "and tgname = '" + name + "_update_timestamp'")).isEqualTo("system.update_updated_at");
    }

    @Test
    void duplicateTablesAreRefused() {
        String name = uniqueName("twice");
        String columns = "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]";
        createTable(name, columns);

        HttpCall.Reply again = admin("POST", "/api/database/tables").json("{\"tableName\":\"" + name + "\",\"columns\":" + columns + "}").send();

        assertError(again, 400, "DATABASE_DUPLICATE", "table " + name + " already exists");
    }

    @Test
    void missingTablesAre404() {
        assertError(admin("GET", "/api/database/tables/nope_not_here/schema").send(), 404, "DATABASE_NOT_FOUND", "table not found");
        assertError(admin("DELETE", "/api/database/tables/nope_not_here").send(), 404, "DATABASE_NOT_FOUND", "table not found");
        assertError(admin("PATCH", "/api/database/tables/nope_not_here/schema").json("{\"dropColumns\":[\"x\"]}").send(),
                404, "DATABASE_NOT_FOUND", "table not found");
    }

    // ---------------------------------------------------------------- types and defaults

    static Stream<Arguments> types() {
        return Stream.of(
                Arguments.of("string", "TEXT", "text", "string"),
                Arguments.of("date", "DATE", "date", "date"),
                Arguments.of("datetime", "TIMESTAMPTZ", "timestamp with time zone", "datetime"),
                Arguments.of("integer", "INTEGER", "integer", "integer"),
                Arguments.of("float", "DOUBLE PRECISION", "double precision", "float"),
                Arguments.of("boolean", "BOOLEAN", "boolean", "boolean"),
                Arguments.of("uuid", "UUID", "uuid", "uuid"),
                Arguments.of("json", "JSONB", "jsonb", "json"),
                Arguments.of("varchar(20)", "varchar(20)", "character varying(20)", "string"),
                Arguments.of("numeric(10, 2)", "numeric(10, 2)", "numeric(10,2)", "float"),
                Arguments.of("bigint", "bigint", "bigint", "integer"),
                Arguments.of("text[]", "text[]", "text[]", "json"),
                Arguments.of("timestamp without time zone", "timestamp without time zone", "timestamp without time zone",
                        "timestamp without time zone"),
                Arguments.of("pg_catalog.inet", "pg_catalog.inet", "inet", "inet"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void typesMapBothWays(String type, String sqlType, String postgresType, String reportedType) {
        String name = uniqueName("typed");
        JsonNode created = createTable(name, "[{\"columnName\":\"v\",\"type\":\"" + type + "\",\"isNullable\":true,\"isUnique\":false}]");

        assertThat(created.get("columns").get(0).get("sqlType").asText()).isEqualTo(sqlType);
        assertThat(probe.scalar("select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'public." + name
                + "'::regclass and attname = 'v'")).isEqualTo(postgresType);
        assertThat(column(schemaOf(name), "v").get("type").asText()).isEqualTo(reportedType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text; drop table x", "int) -- ", "no_such_type", "text'", "\"text\"", "integer default 1"})
    void unsafeOrUnknownTypesAreRefused(String type) {
        String name = uniqueName("badtype");
        HttpCall.Reply reply = admin("POST", "/api/database/tables").json(Json.string(Map.of("tableName", name,
                "columns", List.of(Map.of("columnName", "v", "type", type, "isNullable", true, "isUnique", false))))).send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).isEqualTo("DATABASE_VALIDATION_ERROR");
        assertThat(probe.scalar("select to_regclass('public." + name + "')")).isNull();
    }

    static Stream<Arguments> defaults() {
        return Stream.of(
                Arguments.of("string", "active", "'active'::text", "active"),
                Arguments.of("string", "'quoted'", "'quoted'::text", "quoted"),
                Arguments.of("string", "it's", "'it''s'::text", "it's"),
                Arguments.of("string", "back\\slash", "'back\\slash'::text", "back\\slash"),
                Arguments.of("string", "'); drop table users; --", "'''); drop table users; --'::text", "'); drop table users; --"),
                Arguments.of("integer", "0", "0", "0"),
                Arguments.of("float", "-1.5", "'-1.5'::numeric", "-1.5"),
                Arguments.of("boolean", "true", "true", "true"),
                Arguments.of("boolean", "FALSE", "false", "false"),
                Arguments.of("json", "{}", "'{}'::jsonb", "{}"),
                Arguments.of("json", "'{\"a\": 1}'::jsonb", "'{\"a\": 1}'::jsonb", "{\"a\": 1}"),
                Arguments.of("datetime", "now()", "now()", "now()"),
                Arguments.of("datetime", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
                Arguments.of("uuid", "gen_random_uuid()", "gen_random_uuid()", "gen_random_uuid()"),
                Arguments.of("date", "2024-01-31", "'2024-01-31'::date", "2024-01-31"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("defaults")
    void defaultValuesAreLiteralsOrAFewSafeExpressions(String type, String defaultValue, String storedExpression, String shown) {
        String name = uniqueName("defaults");
        createTable(name, Json.string(List.of(Map.of("columnName", "v", "type", type, "isNullable", true, "isUnique", false,
                "defaultValue", defaultValue))));

        assertThat(probe.scalar("select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'public." + name + "'::regclass "
                + "and adnum = (select attnum from pg_attribute where attrelid = adrelid and attname = 'v')")).isEqualTo(storedExpression);
        assertThat(column(schemaOf(name), "v").get("defaultValue").asText()).isEqualTo(shown);
    }

    @Test
    void aDefaultThatDoesNotFitTheTypeIsA400() {
        String name = uniqueName("baddefault");
        HttpCall.Reply reply = admin("POST", "/api/database/tables").json(Json.string(Map.of("tableName", name, "columns",
                List.of(Map.of("columnName", "n", "type", "integer", "isNullable", true, "isUnique", false, "defaultValue", "abc"))))).send();

        assertError(reply, 400, "INVALID_INPUT", "invalid input syntax for type integer");
    }

    @Test
    void notNullUuidAndDatetimeColumnsGetADefaultOfTheirOwn() {
        String name = uniqueName("implicit");
        createTable(name, """
                [{"columnName":"ref","type":"uuid","isNullable":false,"isUnique":true},
                 {"columnName":"at","type":"datetime","isNullable":false,"isUnique":false}]""");

        probe.execute("insert into public." + name + " default values");

        assertThat(probe.scalar("select count(*) from public." + name + " where ref is not null and at is not null")).isEqualTo("1");
        assertThat(column(schemaOf(name), "ref").get("isUnique").asBoolean()).isTrue();
    }

    // ---------------------------------------------------------------- automatic columns

    @Test
    void updatedAtFollowsEveryUpdate() throws InterruptedException {
        String name = uniqueName("stamped");
        createTable(name, "[{\"columnName\":\"x\",\"type\":\"integer\",\"isNullable\":true,\"isUnique\":false}]");
        probe.execute("insert into public." + name + " (x) values (1)");
        String before = probe.scalar("select updated_at from public." + name);
        Thread.sleep(20);

        probe.execute("update public." + name + " set x = 2");

        assertThat(probe.scalar("select updated_at > created_at from public." + name)).isEqualTo("t");
        assertThat(probe.scalar("select updated_at from public." + name)).isNotEqualTo(before);
    }

    @Test
    void automaticColumnsMayBeRepeatedOnlyWithTheirOwnType() {
        String name = uniqueName("repeats");
        JsonNode created = createTable(name, """
                [{"columnName":"id","type":"uuid","isNullable":false,"isUnique":true},
                 {"columnName":"created_at","type":"datetime","isNullable":true,"isUnique":false},
                 {"columnName":"x","type":"string","isNullable":true,"isUnique":false}]""");
        assertThat(created.get("columns")).hasSize(1);

        HttpCall.Reply wrongType = admin("POST", "/api/database/tables").json("{\"tableName\":\"" + uniqueName("bad") + "\",\"columns\":"
                + "[{\"columnName\":\"id\",\"type\":\"integer\",\"isNullable\":false,\"isUnique\":true}]}").send();
        assertError(wrongType, 400, "DATABASE_VALIDATION_ERROR", "Column 'id' is a reserved field that requires type 'uuid', but got 'integer'");

        HttpCall.Reply onlyAutomatic = admin("POST", "/api/database/tables").json("{\"tableName\":\"" + uniqueName("bad") + "\",\"columns\":"
                + "[{\"columnName\":\"id\",\"type\":\"uuid\",\"isNullable\":false,\"isUnique\":true}]}").send();
        assertError(onlyAutomatic, 400, "DATABASE_VALIDATION_ERROR", "Table must have at least one user-defined column");
    }

    // ---------------------------------------------------------------- row-level security

    @Test
    void rlsIsOnWithNoPoliciesSoUsersSeeNothingWhileAdminsSeeEverything() {
        String name = uniqueName("private");
        createTable(name, "[{\"columnName\":\"note\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");
        probe.execute("insert into public." + name + " (note) values ('a'), ('b')");
        String userToken = server.userToken(UUID.randomUUID().toString(), "reader@example.com");

        assertThat(probe.countAsUser(userToken, "public." + name)).isZero();
        assertThat(probe.countAs(new Principal.Anon(), "public." + name)).isZero();
        assertThat(probe.countAs(new Principal.ApiKey(), "public." + name)).isEqualTo(2);
        assertThat(schemaOf(name).get("recordCount").asLong()).isEqualTo(2);
        assertThat(probe.scalar("select relrowsecurity from pg_class where oid = 'public." + name + "'::regclass")).isEqualTo("t");
    }

    @Test
    void rlsEnabledFalseLeavesTheTableOpenToTheDefaultGrants() {
        String name = uniqueName("open");
        createTable(name, "[{\"columnName\":\"note\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]", ",\"rlsEnabled\":false");
        probe.execute("insert into public." + name + " (note) values ('a')");

        assertThat(probe.countAsUser(server.userToken(UUID.randomUUID().toString(), "u@example.com"), "public." + name)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- foreign keys

    @Test
    void foreignKeyActionsCascadeAndSetNull() {
        String parent = uniqueName("authors");
        String child = uniqueName("books");
        createTable(parent, "[{\"columnName\":\"name\",\"type\":\"string\",\"isNullable\":false,\"isUnique\":true}]");
        createTable(child, """
                [{"columnName":"author_id","type":"uuid","isNullable":true,"isUnique":false},
                 {"columnName":"editor_id","type":"uuid","isNullable":true,"isUnique":false}]""", """
                ,"foreignKeys":[
                  {"referenceTable":"%s","referenceColumns":[{"sourceColumn":"author_id","referenceColumn":"id"}],
                   "onDelete":"CASCADE","onUpdate":"CASCADE"},
                  {"constraintName":"books_editor","referenceTable":"public.%s",
                   "referenceColumns":[{"sourceColumn":"editor_id","referenceColumn":"id"}],"onDelete":"SET NULL","onUpdate":"NO ACTION"}]
                """.formatted(parent, parent));
        String alice = probe.scalar("insert into public." + parent + " (name) values ('alice') returning id");
        String bob = probe.scalar("insert into public." + parent + " (name) values ('bob') returning id");
        probe.execute("insert into public." + child + " (author_id, editor_id) values ('" + alice + "', '" + bob + "'), ('" + bob + "', '" + alice + "')");

        probe.execute("delete from public." + parent + " where name = 'alice'");

        assertThat(probe.scalar("select count(*) from public." + child)).isEqualTo("1");
        assertThat(probe.scalar("select editor_id is null from public." + child)).isEqualTo("t");

        JsonNode keys = schemaOf(child).get("foreignKeys");
        assertThat(keys).hasSize(2);
        JsonNode editorKey = keys.get(0).get("constraintName").asText().equals("books_editor") ? keys.get(0) : keys.get(1);
        assertThat(editorKey).isEqualTo(Json.parse("{\"constraintName\":\"books_editor\",\"referenceTable\":\"" + parent + "\","
                + "\"referenceColumns\":[{\"sourceColumn\":\"editor_id\",\"referenceColumn\":\"id\"}],\"onDelete\":\"SET NULL\",\"onUpdate\":\"NO ACTION\"}"));
    }

    @Test
    void foreignKeysMayReferenceUsers() {
        String name = uniqueName("profiles");
        createTable(name, "[{\"columnName\":\"user_id\",\"type\":\"uuid\",\"isNullable\":false,\"isUnique\":true}]",
                ",\"foreignKeys\":[{\"referenceTable\":\"auth.users\",\"referenceColumns\":[{\"sourceColumn\":\"user_id\",\"referenceColumn\":\"id\"}],"
                        + "\"onDelete\":\"CASCADE\",\"onUpdate\":\"CASCADE\"}]");

        assertThat(schemaOf(name).get("foreignKeys").get(0).get("referenceTable").asText()).isEqualTo("auth.users");
    }

    // ---------------------------------------------------------------- PATCH

    @Test
    void everyPatchOperationDoesWhatItSays() {
        String parent = uniqueName("teams");
        String name = uniqueName("members");
        createTable(parent, "[{\"columnName\":\"label\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");
        createTable(name, """
                [{"columnName":"nick","type":"string","isNullable":true,"isUnique":false},
                 {"columnName":"old","type":"integer","isNullable":true,"isUnique":false},
                 {"columnName":"team","type":"uuid","isNullable":true,"isUnique":false},
                 {"columnName":"squad","type":"uuid","isNullable":true,"isUnique":false}]""",
                ",\"foreignKeys\":[{\"constraintName\":\"member_team\",\"referenceTable\":\"" + parent + "\","
                        + "\"referenceColumns\":[{\"sourceColumn\":\"team\",\"referenceColumn\":\"id\"}],\"onDelete\":\"CASCADE\",\"onUpdate\":\"CASCADE\"},"
                        + "{\"referenceTable\":\"" + parent + "\",\"referenceColumns\":[{\"sourceColumn\":\"squad\",\"referenceColumn\":\"id\"}],"
                        + "\"onDelete\":\"SET NULL\",\"onUpdate\":\"CASCADE\"}]");
        String renamed = name + "_v2";

        JsonNode result = okJson(admin("PATCH", "/api/database/tables/" + name + "/schema").json("""
                {"dropForeignKeys":["member_team","squad"],
                 "dropColumns":["old"],
                 "updateColumns":[{"columnName":"nick","defaultValue":"anon","newColumnName":"nickname"}],
                 "addColumns":[{"columnName":"score","type":"float","isNullable":false,"isUnique":false,"defaultValue":"1.5"}],
                 "addForeignKeys":[{"constraintName":"member_team_again","referenceTable":"%s",
                                    "referenceColumns":[{"sourceColumn":"team","referenceColumn":"id"}],"onDelete":"SET NULL","onUpdate":"CASCADE"}],
                 "renameTable":{"newTableName":"%s"}}""".formatted(parent, renamed)).send());

        assertThat(result.get("message").asText()).isEqualTo("table schema updated successfully");
        assertThat(result.get("tableName").asText()).isEqualTo(name);
        assertThat(result.get("schemaName").asText()).isEqualTo("public");
        assertThat(result.get("operations")).extracting(JsonNode::asText).containsExactly(
                "Dropped foreign key constraint: member_team",
                "Dropped foreign key constraint: " + name + "_squad_fkey",
                "Dropped column: old",
                "Updated column: nick",
                "Added column: score",
                "Added foreign key constraint on column(s): team",
                "Renamed table from " + name + " to " + renamed);

        JsonNode schema = schemaOf(renamed);
        assertThat(schema.get("columns")).extracting(c -> c.get("columnName").asText())
                .containsExactly("id", "nickname", "team", "squad", "created_at", "updated_at", "score");
        assertThat(column(schema, "nickname").get("defaultValue").asText()).isEqualTo("anon");
        assertThat(column(schema, "score").get("type").asText()).isEqualTo("float");
        assertThat(column(schema, "score").get("isNullable").asBoolean()).isFalse();
        assertThat(schema.get("foreignKeys")).extracting(k -> k.get("constraintName").asText()).containsExactly("member_team_again");
        assertThat(schema.get("foreignKeys").get(0).get("onDelete").asText()).isEqualTo("SET NULL");
        assertThat(probe.exists("select 1 from pg_trigger where tgrelid = 'public." + renamed + "'::regclass and tgname = '"
                + renamed + "_update_timestamp'")).isTrue();

        okJson(admin("PATCH", "/api/database/tables/" + renamed + "/schema")
                .json("{\"updateColumns\":[{\"columnName\":\"nickname\",\"defaultValue\":\"\"}]}").send());
        assertThat(column(schemaOf(renamed), "nickname").has("defaultValue")).isFalse();
    }

    static Stream<Arguments> refusedPatches() {
        return Stream.of(
                Arguments.of("{\"dropColumns\":[\"id\"]}", 403, "DATABASE_FORBIDDEN", "cannot drop system columns"),
                Arguments.of("{\"updateColumns\":[{\"columnName\":\"updated_at\",\"defaultValue\":\"x\"}]}", 403, "DATABASE_FORBIDDEN",
                        "cannot update system columns"),
                Arguments.of("{\"dropColumns\":[\"only\"]}", 400, "DATABASE_VALIDATION_ERROR",
                        "Table must have at least one user-defined column after update"),
                Arguments.of("{\"dropColumns\":[\"missing\"]}", 400, "DATABASE_VALIDATION_ERROR", "column \"missing\" of relation"),
                Arguments.of("{\"dropForeignKeys\":[\"nope\"]}", 404, "DATABASE_NOT_FOUND", "foreign key nope not found"),
                Arguments.of("{\"addColumns\":[{\"columnName\":\"only\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        400, "DATABASE_VALIDATION_ERROR", "column \"only\" of relation"),
                Arguments.of("{\"renameTable\":{\"newTableName\":\"\"}}", 400, "INVALID_INPUT", "renameTable.newTableName: New table name cannot be empty"),
                Arguments.of("{\"addColumns\":[{\"columnName\":\"y\",\"type\":\"string\",\"isUnique\":false}]}", 400, "INVALID_INPUT",
                        "addColumns.0.isNullable: Required"),
                Arguments.of("{\"updateColumns\":[{\"columnName\":\"only\",\"newColumnName\":\"a\\\"b\"}]}", 400, "DATABASE_VALIDATION_ERROR",
                        "Invalid column name: cannot contain quotes or control characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPatches")
    void refusedPatchesChangeNothing(String body, int status, String code, String message) {
        String name = uniqueName("guarded");
        createTable(name, "[{\"columnName\":\"only\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");
        String before = schemaOf(name).toString();

        assertError(admin("PATCH", "/api/database/tables/" + name + "/schema").json(body).send(), status, code, message);

        assertThat(schemaOf(name).toString()).isEqualTo(before);
    }

    @Test
    void renamingOntoAnExistingTableIsADuplicate() {
        String first = uniqueName("first");
        String second = uniqueName("second");
        String columns = "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]";
        createTable(first, columns);
        createTable(second, columns);

        assertError(admin("PATCH", "/api/database/tables/" + first + "/schema").json("{\"renameTable\":{\"newTableName\":\"" + second + "\"}}").send(),
                400, "DATABASE_DUPLICATE", "table " + second + " already exists");
    }

    // ---------------------------------------------------------------- ?schema=

    @Test
    void tablesLiveInTheSchemaTheQueryNames() {
        okJson(DatabaseProbe.rawSql(server, "rawsql", Map.of("query", "create schema if not exists app")));
        String parent = uniqueName("catalog");
        createTable(parent, "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");
        String name = uniqueName("items");

        HttpCall.Reply created = admin("POST", "/api/database/tables?schema=app").json("{\"tableName\":\"" + name + "\",\"columns\":"
                + "[{\"columnName\":\"ref\",\"type\":\"uuid\",\"isNullable\":true,\"isUnique\":false}],"
                + "\"foreignKeys\":[{\"referenceTable\":\"public." + parent + "\",\"referenceColumns\":[{\"sourceColumn\":\"ref\",\"referenceColumn\":\"id\"}],"
                + "\"onDelete\":\"CASCADE\",\"onUpdate\":\"CASCADE\"}]}").send();

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("schemaName").asText()).isEqualTo("app");
        assertThat(probe.scalar("select to_regclass('app." + name + "')")).isNotNull();
        assertThat(probe.scalar("select to_regclass('public." + name + "')")).isNull();
        assertThat(okJson(admin("GET", "/api/database/tables?schema=app").send())).contains(Json.parse("\"" + name + "\""));
        assertThat(okJson(admin("GET", "/api/database/tables").send())).doesNotContain(Json.parse("\"" + name + "\""));
        JsonNode schema = okJson(admin("GET", "/api/database/tables/" + name + "/schema?schema=app").send());
        assertThat(schema.get("schemaName").asText()).isEqualTo("app");
        assertThat(schema.get("foreignKeys").get(0).get("referenceTable").asText()).isEqualTo("public." + parent);
        assertError(admin("GET", "/api/database/tables/" + name + "/schema").send(), 404, "DATABASE_NOT_FOUND", "table not found");
        okJson(admin("PATCH", "/api/database/tables/" + name + "/schema?schema=app").json("{\"addColumns\":[{\"columnName\":\"n\","
                + "\"type\":\"integer\",\"isNullable\":true,\"isUnique\":false}]}").send());
        okJson(admin("DELETE", "/api/database/tables/" + name + "?schema=app").send());
        assertThat(probe.scalar("select to_regclass('app." + name + "')")).isNull();
    }

    static Stream<Arguments> refusedSchemas() {
        return Stream.of(
                Arguments.of("information_schema", 400, "INVALID_INPUT", "Schema \"information_schema\" is not available."),
                Arguments.of("pg_catalog", 400, "INVALID_INPUT", "Schema \"pg_catalog\" is not available."),
                Arguments.of("pg_toast", 400, "INVALID_INPUT", "is not available"),
                Arguments.of("a%22b", 400, "DATABASE_VALIDATION_ERROR", "Invalid schema name: cannot contain quotes or control characters"),
                Arguments.of("a%0Ab", 400, "DATABASE_VALIDATION_ERROR", "Invalid schema name: cannot contain quotes or control characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSchemas")
    void internalSchemasAndBadNamesAreRefused(String schema, int status, String code, String message) {
        assertError(admin("GET", "/api/database/tables?schema=" + schema).send(), status, code, message);
        assertError(admin("POST", "/api/database/tables?schema=" + schema).json("{\"tableName\":\"t\",\"columns\":"
                + "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}").send(), status, code, message);
    }

    @Test
    void creatingInASchemaThatDoesNotExistIsA404() {
        assertError(admin("POST", "/api/database/tables?schema=nowhere").json("{\"tableName\":\"t\",\"columns\":"
                + "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}").send(),
                404, "DATABASE_NOT_FOUND", "schema nowhere does not exist");
    }

    // ---------------------------------------------------------------- identifiers and request shape

    static Stream<Arguments> badNames() {
        return Stream.of(
                Arguments.of("{\"tableName\":\"a\\\"b\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "DATABASE_VALIDATION_ERROR", "Invalid table name: cannot contain quotes or control characters"),
                Arguments.of("{\"tableName\":\"a\\nb\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "DATABASE_VALIDATION_ERROR", "Invalid table name: cannot contain quotes or control characters"),
                Arguments.of("{\"tableName\":\"   \",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "DATABASE_VALIDATION_ERROR", "Invalid table name: cannot be empty"),
                Arguments.of("{\"tableName\":\"t\",\"columns\":[{\"columnName\":\"x\\u0000\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "DATABASE_VALIDATION_ERROR", "Invalid column name: cannot contain quotes or control characters"),
                Arguments.of("{\"tableName\":\"" + "é".repeat(40) + "\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "DATABASE_VALIDATION_ERROR", "Invalid table name: is longer than 63 bytes"),
                Arguments.of("{\"columns\":[]}", "INVALID_INPUT", "tableName: Required"),
                Arguments.of("{\"tableName\":\"\",\"columns\":[]}", "INVALID_INPUT", "tableName: Table name cannot be empty"),
                Arguments.of("{\"tableName\":\"" + "t".repeat(65) + "\",\"columns\":[]}", "INVALID_INPUT", "tableName: Table name must be less than 64 characters"),
                Arguments.of("{\"tableName\":\"t\",\"columns\":[]}", "INVALID_INPUT", "columns: At least one column is required"),
                Arguments.of("{\"tableName\":\"t\"}", "INVALID_INPUT", "columns: Required"),
                Arguments.of("{\"tableName\":\"t\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isUnique\":false}]}",
                        "INVALID_INPUT", "columns.0.isNullable: Required"),
                Arguments.of("{\"tableName\":\"t\",\"columns\":[{\"columnName\":\"x\",\"type\":3,\"isNullable\":true,\"isUnique\":false}]}",
                        "INVALID_INPUT", "columns.0.type: Expected string, received number"),
                Arguments.of("{\"tableName\":\"t\",\"rlsEnabled\":\"yes\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]}",
                        "INVALID_INPUT", "rlsEnabled: Expected boolean, received string"),
                Arguments.of("{\"tableName\":\"t\",\"columns\":[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}],"
                        + "\"foreignKeys\":[{\"referenceTable\":\"p\",\"referenceColumns\":[{\"sourceColumn\":\"x\",\"referenceColumn\":\"id\"}],\"onDelete\":\"EXPLODE\"}]}",
                        "INVALID_INPUT", "foreignKeys.0.onDelete: Invalid enum value. Expected 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION', received 'EXPLODE'"),
                Arguments.of("[]", "INVALID_INPUT", "Expected object, received array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNames")
    void badRequestsAre400AndCreateNothing(String body, String code, String message) {
        long before = Long.parseLong(probe.scalar("select count(*) from pg_class where relnamespace = 'public'::regnamespace"));

        assertError(admin("POST", "/api/database/tables").json(body).send(), 400, code, message);

        assertThat(Long.parseLong(probe.scalar("select count(*) from pg_class where relnamespace = 'public'::regnamespace"))).isEqualTo(before);
    }

    @Test
    void identifiersAreAlwaysQuoted() {
        String name = "Mixed Case; drop table x " + NAMES.incrementAndGet();
        createTable(name.replace(";", "\\u003b"), "[{\"columnName\":\"Select\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");

        assertThat(probe.exists("select 1 from pg_class where relname = '" + name + "'")).isTrue();
        String path = "/api/database/tables/" + name.replace(" ", "%20").replace(";", "%3B") + "/schema";
        assertThat(column(okJson(admin("GET", path).send()), "Select").get("type").asText()).isEqualTo("string");
    }

    // ---------------------------------------------------------------- credentials and notification

    @Test
    void onlyAdminsMayUseTheTablesApi() {
        assertError(server.get("/api/database/tables").send(), 401, "AUTH_INVALID_CREDENTIALS", "No admin token provided");
        assertError(server.get("/api/database/tables").bearer(server.anonKey()).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertError(server.call("DELETE", "/api/database/tables/x").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com")).send(),
                403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertThat(server.get("/api/database/tables").bearer(server.adminToken()).send().status()).isEqualTo(200);
    }

    @Test
    void everyChangeIsAnnouncedToPostgrest() {
        try (DatabaseProbe listener = new DatabaseProbe(server)) {
            listener.listen("pgrst");
            String name = uniqueName("announced");

            createTable(name, "[{\"columnName\":\"x\",\"type\":\"string\",\"isNullable\":true,\"isUnique\":false}]");
            assertThat(listener.notifications(Duration.ofSeconds(5))).containsExactly("pgrst:reload schema");

            okJson(admin("PATCH", "/api/database/tables/" + name + "/schema").json("{\"addColumns\":[{\"columnName\":\"y\","
                    + "\"type\":\"integer\",\"isNullable\":true,\"isUnique\":false}]}").send());
            assertThat(listener.notifications(Duration.ofSeconds(5))).containsExactly("pgrst:reload schema");

            okJson(admin("DELETE", "/api/database/tables/" + name).send());
            assertThat(listener.notifications(Duration.ofSeconds(5))).containsExactly("pgrst:reload schema");
        }
    }

    @Test
    void failedChangesAreNotAnnounced() {
        try (DatabaseProbe listener = new DatabaseProbe(server)) {
            listener.listen("pgrst");

            assertThat(admin("POST", "/api/database/tables").json("{\"tableName\":\"t\",\"columns\":[{\"columnName\":\"x\","
                    + "\"type\":\"no_such_type\",\"isNullable\":true,\"isUnique\":false}]}").send().status()).isEqualTo(400);
            okJson(admin("GET", "/api/database/tables").send());

            assertThat(listener.notifications(Duration.ofMillis(500))).isEmpty();
        }
    }
}

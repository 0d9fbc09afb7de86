package dev.anvil.server.database.bulk;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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

/** {@code POST /api/database/advance/bulk-upsert} (contract §3.5) with multipart bodies as the MCP server sends them. */
class BulkUpsertApiTest {

    static final AtomicInteger NAMES = new AtomicInteger();
    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("bulk_upsert");
        probe = new DatabaseProbe(server);
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    /** A table {@code (id serial, slug text unique, title text, views int, tags text[], meta jsonb, at timestamptz)}. */
    static String table() {
        String name = "items_" + NAMES.incrementAndGet();
        probe.execute("create table public." + name + " (id serial primary key, slug text unique, title text, views int, "
                + "tags text[], meta jsonb, at timestamptz)");
        return name;
    }

    /** The file part first, then the fields — the order @insforge/mcp uses. */
    static HttpCall.Reply upload(String filename, String content, Map<String, String> fields) {
        String boundary = "----anvil" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n");
        fields.forEach((name, value) -> write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                + "\"\r\n\r\n" + value + "\r\n"));
        write(body, "--" + boundary + "--\r\n");
        return server.post("/api/database/advance/bulk-upsert").header("x-api-key", server.apiKey())
                .body("multipart/form-data; boundary=" + boundary, body.toByteArray()).send();
    }

    static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, String> fields(String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    @Test
    void csvRowsAreInserted() {
        String table = table();
        String csv = "\uFEFFslug,title,views,tags,at\r\n"
                + "a,\"Hello, world\",1,\"{x,y}\",2024-01-01T00:00:00Z\r\n"
                + "\r\n"
                + "b,\"multi\nline \"\"quoted\"\"\",,{},\n";

        JsonNode result = okJson(upload("items.csv", csv, fields("table", table)));

        assertThat(result.get("success").asBoolean()).isTrue();
        assertThat(result.get("rowsAffected").asLong()).isEqualTo(2);
        assertThat(result.get("totalRecords").asLong()).isEqualTo(2);
        assertThat(result.get("table").asText()).isEqualTo(table);
        assertThat(result.get("filename").asText()).isEqualTo("items.csv");
        assertThat(result.get("message").asText()).isEqualTo("Successfully inserted 2 rows into " + table);
        assertThat(probe.scalar("select title || '|' || views || '|' || tags::text from public." + table + " where slug = 'a'"))
                .isEqualTo("Hello, world|1|{x,y}");
        assertThat(probe.scalar("select title from public." + table + " where slug = 'b'")).isEqualTo("multi\nline \"quoted\"");
        assertThat(probe.scalar("select views is null and at is null from public." + table + " where slug = 'b'")).isEqualTo("t");
    }

    @Test
    void anUpsertKeyUpdatesExistingRows() {
        String table = table();
        probe.execute("insert into public." + table + " (slug, title, views) values ('a', 'old', 1), ('keep', 'kept', 9)");

        JsonNode result = okJson(upload("items.csv", "slug,title\na,new\nb,added\n", fields("table", table, "upsertKey", "slug")));

        assertThat(result.get("rowsAffected").asLong()).isEqualTo(2);
        assertThat(probe.scalar("select string_agg(slug || '=' || title || '/' || coalesce(views::text, '-'), ',' order by slug) from public." + table))
                .isEqualTo("a=new/1,b=added/-,keep=kept/9");
    }

    @Test
    void jsonRecordsOnlyTouchTheFieldsTheyHave() {
        String table = table();
        probe.execute("insert into public." + table + " (slug, title, views) values ('a', 'keep me', 5)");
        String json = """
                [{"slug": "a", "views": 6},
                 {"slug": "b", "title": "B", "tags": ["p", "q"], "meta": {"k": [1, 2]}},
                 {"slug": "c", "meta": [1, "two"], "views": 3.0}]""";

        JsonNode result = okJson(upload("items.json", json, fields("table", table, "upsertKey", "slug")));

        assertThat(result.get("totalRecords").asLong()).isEqualTo(3);
        assertThat(probe.scalar("select title || '/' || views from public." + table + " where slug = 'a'")).isEqualTo("keep me/6");
        assertThat(probe.scalar("select tags::text || meta::text from public." + table + " where slug = 'b'")).isEqualTo("{p,q}{\"k\": [1, 2]}");
        assertThat(probe.scalar("select meta::text || views from public." + table + " where slug = 'c'")).isEqualTo("[1, \"two\"]3");
    }

    @Test
    void aSingleJsonObjectIsOneRecordAndSchemaIsHonoured() {
        probe.execute("create schema if not exists imports", "create table imports.things (name text)",
                "grant all on schema imports to project_admin", "grant all on imports.things to project_admin");

        JsonNode result = okJson(upload("one.json", "{\"name\": \"solo\"}", fields("table", "things", "schema", "imports")));

        assertThat(result.get("rowsAffected").asLong()).isEqualTo(1);
        assertThat(probe.scalar("select name from imports.things")).isEqualTo("solo");
    }

    @Test
    void manyRowsGoInBatchesInOneTransaction() {
        String table = table();
        StringBuilder csv = new StringBuilder("slug,views\n");
        for (int i = 0; i < 5_000; i++) {
            csv.append("s").append(i).append(',').append(i).append('\n');
        }

        assertThat(okJson(upload("many.csv", csv.toString(), fields("table", table))).get("rowsAffected").asLong()).isEqualTo(5_000);
        assertThat(probe.scalar("select sum(views) from public." + table)).isEqualTo(String.valueOf(4_999L * 5_000 / 2));
    }

    @Test
    void aBadRecordLeavesTheTableAsItWas() {
        String table = table();
        StringBuilder csv = new StringBuilder("slug,views\n");
        for (int i = 0; i < 1_200; i++) {
            csv.append("s").append(i).append(',').append(i == 1_100 ? "not-a-number" : String.valueOf(i)).append('\n');
        }

        assertError(upload("bad.csv", csv.toString(), fields("table", table)), 400, "INVALID_INPUT", "invalid input syntax for type integer");
        assertThat(probe.scalar("select count(*) from public." + table)).isEqualTo("0");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("x.txt", "a\n1\n", fields("table", "t"), 400, "INVALID_INPUT", "Unsupported file type. Use .csv or .json"),
                Arguments.of("x.csv", "slug\n", fields("table", "@"), 400, "INVALID_INPUT", "No records found in file"),
                Arguments.of("x.csv", "slug\na\n", fields(), 400, "INVALID_INPUT", "table: Table name is required"),
                Arguments.of("x.csv", "slug\na\n", fields("table", "no_such_table"), 404, "DATABASE_NOT_FOUND", "table not found"),
                Arguments.of("x.csv", "slug\na\n", fields("table", "@", "upsertKey", "title"), 400, "INVALID_INPUT",
                        "Upsert key 'title' not found in record columns"),
                Arguments.of("x.csv", "nope\na\n", fields("table", "@"), 400, "DATABASE_VALIDATION_ERROR", "column \"nope\" of relation"),
                Arguments.of("x.csv", "slug,title\na\n", fields("table", "@"), 400, "INVALID_INPUT", "line 2 has 1 fields, the header has 2"),
                Arguments.of("x.csv", "slug\n\"open\n", fields("table", "@"), 400, "INVALID_INPUT", "is not closed"),
                Arguments.of("x.json", "[{\"slug\": ", fields("table", "@"), 400, "INVALID_INPUT", "Failed to parse .json file"),
                Arguments.of("x.json", "[1, 2]", fields("table", "@"), 400, "INVALID_INPUT", "every element of the array must be an object"),
                Arguments.of("x.csv", "slug\na\n", fields("table", "@", "schema", "pg_catalog"), 400, "INVALID_INPUT", "is not available"),
                Arguments.of("x.csv", "slug\na\n", fields("table", "a\"b"), 400, "DATABASE_VALIDATION_ERROR", "Invalid table name"),
                Arguments.of("x.csv", "slug,title\na,x\na,y\n", fields("table", "@", "upsertKey", "slug"), 400, "DATABASE_VALIDATION_ERROR",
                        "cannot affect row a second time"));
    }

    @ParameterizedTest(name = "{5}")
    @MethodSource("refused")
    void badUploadsAreClientErrors(String filename, String content, Map<String, String> fields, int status, String code, String message) {
        String table = table();
        Map<String, String> withTable = new LinkedHashMap<>(fields);
        withTable.replaceAll((name, value) -> value.equals("@") ? table : value);

        assertError(upload(filename, content, withTable), status, code, message);
        assertThat(probe.scalar("select count(*) from public." + table)).isEqualTo("0");
    }

    @Test
    void withoutAFileOrAMultipartBodyIsA400() {
        HttpCall.Reply json = server.post("/api/database/advance/bulk-upsert").header("x-api-key", server.apiKey()).json("{}").send();
        assertError(json, 400, "INVALID_INPUT", "Expected a multipart/form-data body");

        String body = "--b\r\nContent-Disposition: form-data; name=\"table\"\r\n\r\nt\r\n--b--\r\n";
        HttpCall.Reply noFile = server.post("/api/database/advance/bulk-upsert").header("x-api-key", server.apiKey())
                .body("multipart/form-data; boundary=b", body.getBytes(StandardCharsets.UTF_8)).send();
        assertError(noFile, 400, "INVALID_INPUT", "File is required");
    }

    @Test
    void onlyAdminsMayUpload() {
        HttpCall.Reply anon = server.post("/api/database/advance/bulk-upsert").bearer(server.anonKey())
                .body("multipart/form-data; boundary=b", "--b--\r\n".getBytes(StandardCharsets.UTF_8)).send();

        assertError(anon, 403, "AUTH_UNAUTHORIZED", "Admin access required");
    }
}

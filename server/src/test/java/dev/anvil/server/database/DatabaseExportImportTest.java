package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.MultipartBody;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /api/database/advance/export} and {@code /import} (contract §3.5): an SQL export of
 * tables with foreign keys, defaults, RLS policies, a trigger and awkward values loads into a fresh
 * server and yields the same schema and rows; the JSON export carries the same rows with JSON types;
 * a failing import changes nothing.
 */
class DatabaseExportImportTest {

    /** Values chosen to break naive quoting: quotes, backslashes, unicode, NULLs, json, arrays, timestamps. */
    private static final String SCHEMA = """
            create type public.mood as enum ('happy', 'it''s complicated');
            create table public.authors (
                id serial primary key,
                name text not null unique,
                created_at timestamptz not null default now(),
                mood public.mood default 'happy',
                constraint name_not_blank check (length(name) > 0));
            create table public.posts (
                id bigint generated always as identity primary key,
                author_id int references public.authors (id) on delete cascade,
                title text,
                body text default 'it''s \\ a default',
                tags text[],
                meta jsonb,
                score numeric(10, 2),
                ratio double precision,
                published_on date,
                data bytea,
                title_length int generated always as (length(title)) stored);
            create index posts_title_idx on public.posts (lower(title));
            alter table public.posts enable row level security;
            create policy "own posts" on public.posts for select to authenticated using (author_id is not null);
            create policy posts_write on public.posts for insert to authenticated with check (title <> '');
            create function public.touch_title() returns trigger language plpgsql as $$
            begin
              new.title := coalesce(new.title, 'untitled');
              return new;
            end $$;
            create trigger posts_touch before insert on public.posts for each row execute function public.touch_title();
            insert into public.authors (name, created_at, mood) values
                ('O''Brien \\ "quoted"', '2024-02-29 12:34:56.789+00', 'it''s complicated'),
                ('Zoë 漢字 🎉', '1999-12-31 23:59:59+05:30', null),
                (E'tab\\there\\nnewline', '2024-01-01 00:00:00+00', 'happy');
            insert into public.posts (author_id, title, body, tags, meta, score, ratio, published_on, data) values
                (1, 'It''s a \\backslash\\ post', null, array['a,b', 'c"d', null, 'é'], '{"k": "v''s", "n": [1, 2.5, null]}', 12.34, 0.1, '2024-02-29', '\\x00ff27'),
                (2, null, default, '{}', 'null', null, 'NaN', null, null),
                (3, '$$ dollar $$ -- not a comment; ', 'semi;colon', null, '[]', -0.01, 1e300, '0001-01-01', '\\x');
            """;

    /** Rows of both tables as text, in a fixed order, to compare two databases. */
    private static final String AUTHORS_ROWS = "select string_agg(format('%s|%s|%s|%s', id, name, created_at, mood), E'\\n' order by id) from public.authors";
    private static final String POSTS_ROWS = "select string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', id, author_id, title, body, tags, "
            + "meta, score, ratio, published_on, encode(data, 'hex'), title_length, data is null), E'\\n' order by id) from public.posts";
    /** The schema as Postgres describes it: columns, constraints, indexes, policies, triggers, RLS. */
    private static final String SCHEMA_SHAPE = """
            select string_agg(line, E'\\n' order by line) from (
              select format('col %s.%s %s %s %s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                            a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid)) as line
              from pg_attribute a join pg_class c on c.oid = a.attrelid left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
              where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
              union all select format('con %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) from pg_constraint
                where connamespace = 'public'::regnamespace
              union all select format('idx %s', pg_get_indexdef(indexrelid)) from pg_index where indrelid::regclass::text like 'p%'
                and indrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace)
              union all select format('pol %s %s %s %s %s %s', tablename, policyname, permissive, roles, cmd, coalesce(qual, with_check))
                from pg_policies where schemaname = 'public'
              union all select format('trg %s', pg_get_triggerdef(oid)) from pg_trigger where not tgisinternal
                and tgrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace)
              union all select format('rls %s %s', relname, relrowsecurity) from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'
            ) lines""";

    static TestServer source;
    static DatabaseProbe sourceDb;

    @BeforeAll
    static void start() {
        source = TestServer.start("db_export");
        sourceDb = new DatabaseProbe(source);
        sourceDb.execute(SCHEMA);
    }

    @AfterAll
    static void stop() {
        sourceDb.close();
        source.close();
    }

    static HttpCall.Reply export(TestServer server, Map<String, Object> body) {
        return server.post("/api/database/advance/export").header("x-api-key", server.apiKey()).json(body).send();
    }

    static HttpCall.Reply importSql(TestServer server, String filename, String sql, String truncate) {
        List<MultipartBody.Part> parts = new ArrayList<>();
        parts.add(new MultipartBody.Part("file", filename, "application/sql", sql.getBytes(StandardCharsets.UTF_8)));
        if (truncate != null) {
            parts.add(new MultipartBody.Part("truncate", null, null, truncate.getBytes(StandardCharsets.UTF_8)));
        }
        MultipartBody body = MultipartBody.of(parts);
        return server.post("/api/database/advance/import").header("x-api-key", server.apiKey())
                .body(body.contentType(), body.bytes()).send();
    }

    static String sqlExport() {
        JsonNode reply = okJson(export(source, Map.of("format", "sql")));
        assertThat(reply.get("format").asText()).isEqualTo("sql");
        assertThat(reply.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        return reply.get("data").asText();
    }

    @Test
    void anSqlExportLoadsIntoAFreshServerWithTheSameSchemaAndRows() {
        String script = sqlExport();
        assertThat(script).contains("CREATE TABLE IF NOT EXISTS \"public\".\"posts\"", "ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY \"own posts\"", "CREATE OR REPLACE TRIGGER posts_touch", "FOREIGN KEY (author_id) REFERENCES public.authors(id)");
        try (TestServer target = TestServer.start("db_import_target"); DatabaseProbe targetDb = new DatabaseProbe(target)) {
            JsonNode result = okJson(importSql(target, "backup.sql", script, null));

            assertThat(result.get("success").asBoolean()).isTrue();
            assertThat(result.get("message").asText()).isEqualTo("SQL file imported successfully");
            assertThat(result.get("filename").asText()).isEqualTo("backup.sql");
            assertThat(result.get("rowsImported").asLong()).isEqualTo(6);
            assertThat(result.get("fileSize").asLong()).isEqualTo(script.getBytes(StandardCharsets.UTF_8).length);
            assertThat(Json.strings(result.get("tables"))).containsExactly("authors", "posts");
            assertThat(targetDb.scalar(SCHEMA_SHAPE)).isEqualTo(sourceDb.scalar(SCHEMA_SHAPE));
            assertThat(targetDb.scalar(AUTHORS_ROWS)).isEqualTo(sourceDb.scalar(AUTHORS_ROWS));
            assertThat(targetDb.scalar(POSTS_ROWS)).isEqualTo(sourceDb.scalar(POSTS_ROWS));
            // sequences continue after the imported rows
            targetDb.execute("insert into public.authors (name) values ('next')", "insert into public.posts (title) values (null)");
            assertThat(targetDb.scalar("select max(id) from public.authors")).isEqualTo("4");
            assertThat(targetDb.scalar("select id || ':' || title from public.posts order by id desc limit 1")).isEqualTo("4:untitled");
            assertThat(targetDb.scalar("select count(*) from system.audit_logs where action = 'IMPORT_DATABASE'")).isEqualTo("1");
        }
        assertThat(sourceDb.scalar("select count(*) > 0 from system.audit_logs where action = 'EXPORT_DATABASE'")).isEqualTo("t");
    }

    @Test
    void importingAgainWithTruncateReplacesTheRowsAndWithoutItChangesNothing() {
        String script = okJson(export(source, Map.of("format", "sql", "tables", List.of("authors")))).get("data").asText();
        try (TestServer target = TestServer.start("db_import_truncate"); DatabaseProbe targetDb = new DatabaseProbe(target)) {
            okJson(importSql(target, "authors.sql", script, "false"));
            targetDb.execute("update public.authors set name = 'changed' where id = 1");

            assertError(importSql(target, "authors.sql", script, null), 409, "DATABASE_DUPLICATE", "duplicate key");
            assertThat(targetDb.scalar("select name from public.authors where id = 1")).isEqualTo("changed");

            JsonNode again = okJson(importSql(target, "authors.sql", script, "true"));
            assertThat(again.get("rowsImported").asLong()).isEqualTo(3);
            assertThat(targetDb.scalar(AUTHORS_ROWS)).isEqualTo(sourceDb.scalar(AUTHORS_ROWS));
        }
    }

    @Test
    void aFailingImportLeavesNothingBehind() {
        try (TestServer target = TestServer.start("db_import_fail"); DatabaseProbe targetDb = new DatabaseProbe(target)) {
            String script = "create table public.kept (id int primary key);\ninsert into public.kept values (1);\n"
                    + "insert into public.kept values (1);\n";
            assertError(importSql(target, "bad.sql", script, null), 409, "DATABASE_DUPLICATE", "duplicate key");
            assertError(importSql(target, "bad.sql", "create table public.kept (id int);\nselect * from nowhere;", null),
                    400, "DATABASE_VALIDATION_ERROR", "nowhere");
            assertError(importSql(target, "bad.sql", "create table public.kept (id int);\ncreate tabel oops;", null),
                    400, "DATABASE_VALIDATION_ERROR", "syntax error");
            assertThat(targetDb.scalar("select to_regclass('public.kept') is null")).isEqualTo("t");
        }
    }

    static Stream<Arguments> badImports() {
        return Stream.of(
                Arguments.of("a script that sets the role", "x.sql", "set role postgres; create table public.t (id int);", 403, "FORBIDDEN", "restricted"),
                Arguments.of("transaction control", "x.sql", "begin; create table public.t (id int); commit;", 403, "FORBIDDEN", "transaction control"),
                Arguments.of("an empty file", "x.sql", "-- nothing\n", 400, "INVALID_INPUT", "no SQL statement"),
                Arguments.of("COPY FROM STDIN", "x.sql", "copy public.t from stdin;", 400, "INVALID_INPUT", "COPY"),
                Arguments.of("another file type", "x.csv", "create table public.t (id int);", 400, "INVALID_INPUT", "Only .sql/.txt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badImports")
    void badImportsAreRefused(String what, String filename, String sql, int status, String code, String message) {
        assertError(importSql(source, filename, sql, null), status, code, message);
        assertThat(sourceDb.scalar("select to_regclass('public.t') is null")).isEqualTo("t");
    }

    @Test
    void importNeedsAFileAndAnAdmin() {
        MultipartBody noFile = MultipartBody.of(List.of(new MultipartBody.Part("truncate", null, null, "true".getBytes(StandardCharsets.UTF_8))));
        assertError(source.post("/api/database/advance/import").header("x-api-key", source.apiKey())
                .body(noFile.contentType(), noFile.bytes()).send(), 400, "INVALID_INPUT", "file");
        assertError(importSql(source, "x.sql", "select 1;", "maybe"), 400, "INVALID_INPUT", "truncate");

        MultipartBody file = MultipartBody.file("create table public.t (id int);".getBytes(StandardCharsets.UTF_8), "x.sql", "application/sql");
        HttpCall.Reply asUser = source.post("/api/database/advance/import").bearer(source.userToken("00000000-0000-0000-0000-000000000001", "u@example.com"))
                .body(file.contentType(), file.bytes()).send();
        assertThat(asUser.status()).as(asUser.toString()).isIn(401, 403);
        HttpCall.Reply asAnon = source.post("/api/database/advance/import").bearer(source.anonKey()).body(file.contentType(), file.bytes()).send();
        assertThat(asAnon.status()).as(asAnon.toString()).isIn(401, 403);
        HttpCall.Reply nobody = source.post("/api/database/advance/import").body(file.contentType(), file.bytes()).send();
        assertThat(nobody.status()).isEqualTo(401);
        assertThat(sourceDb.scalar("select to_regclass('public.t') is null")).isEqualTo("t");
    }

    @Test
    void theJsonExportCarriesSchemaAndTypedRows() {
        JsonNode reply = okJson(export(source, Map.of("format", "json", "tables", List.of("posts", "authors"),
                "includeFunctions", true, "includeSequences", true)));
        JsonNode data = reply.get("data");
        assertThat(reply.get("format").asText()).isEqualTo("json");
        assertThat(Json.fieldNames(data.get("tables"))).containsExactly("posts", "authors");
        JsonNode posts = data.get("tables").get("posts");
        assertThat(posts.get("rlsEnabled").asBoolean()).isTrue();
        assertThat(posts.get("schema").get(0).get("columnName").asText()).isEqualTo("id");
        assertThat(posts.get("foreignKeys").get(0).get("foreignTableName").asText()).isEqualTo("public.authors");
        assertThat(posts.get("policies")).hasSize(2);
        assertThat(posts.get("triggers").get(0).get("triggerName").asText()).isEqualTo("posts_touch");
        JsonNode first = posts.get("rows").get(0);
        assertThat(first.get("title").asText()).isEqualTo("It's a \\backslash\\ post");
        assertThat(first.get("tags").toString()).isEqualTo("[\"a,b\",\"c\\\"d\",null,\"é\"]");
        assertThat(first.get("meta").get("n").toString()).isEqualTo("[1,2.5,null]");
        assertThat(first.get("score").decimalValue()).isEqualByComparingTo("12.34");
        assertThat(first.get("body").isNull()).isTrue();
        JsonNode authors = data.get("tables").get("authors");
        assertThat(authors.get("rows").get(1).get("name").asText()).isEqualTo("Zoë 漢字 🎉");
        assertThat(authors.get("rows").get(0).get("created_at").asText()).startsWith("2024-02-29T");
        assertThat(data.get("functions").get(0).get("functionName").asText()).isEqualTo("touch_title");
        assertThat(data.get("sequences").toString()).contains("authors_id_seq");
        assertThat(data.get("views")).isEmpty();
    }

    @Test
    void theRowLimitCutsEachTableAndSaysSo() {
        JsonNode json = okJson(export(source, Map.of("format", "json", "rowLimit", 2)));
        assertThat(json.get("data").get("tables").get("authors").get("rows")).hasSize(2);
        assertThat(json.get("data").get("tables").get("authors").get("totalRowCount").asLong()).isEqualTo(3);
        assertThat(Json.strings(json.get("truncatedTables"))).containsExactly("authors", "posts");
        assertThat(json.get("rowLimit").asInt()).isEqualTo(2);

        String sql = okJson(export(source, Map.of("format", "sql", "rowLimit", 1, "tables", List.of("authors")))).get("data").asText();
        assertThat(sql.split("\n")).filteredOn(line -> line.startsWith("  ('")).hasSize(1);

        JsonNode full = okJson(export(source, Map.of("format", "json", "rowLimit", 10000)));
        assertThat(full.has("truncatedTables")).isFalse();
        String noData = okJson(export(source, Map.of("format", "sql", "includeData", false))).get("data").asText();
        assertThat(noData).doesNotContain("INSERT INTO");
    }

    static Stream<Arguments> badExports() {
        return Stream.of(
                Arguments.of(Map.of("format", "xml"), 400, "INVALID_INPUT", "format: Invalid enum value"),
                Arguments.of(Map.of(), 400, "INVALID_INPUT", "format: Required"),
                Arguments.of(Map.of("format", "sql", "rowLimit", 10001), 400, "INVALID_INPUT", "rowLimit"),
                Arguments.of(Map.of("format", "sql", "rowLimit", 0), 400, "INVALID_INPUT", "rowLimit"),
                Arguments.of(Map.of("format", "sql", "rowLimit", "ten"), 400, "INVALID_INPUT", "rowLimit: Expected number"),
                Arguments.of(Map.of("format", "sql", "tables", "authors"), 400, "INVALID_INPUT", "tables: Expected array"),
                Arguments.of(Map.of("format", "sql", "tables", List.of("nope")), 404, "DATABASE_NOT_FOUND", "Table not found: nope"),
                Arguments.of(Map.of("format", "sql", "tables", List.of("audit_logs")), 404, "DATABASE_NOT_FOUND", "audit_logs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badExports")
    void badExportRequestsAreRefused(Map<String, Object> body, int status, String code, String message) {
        assertError(export(source, body), status, code, message);
    }

    @Test
    void exportIsForAdminsOnly() {
        HttpCall.Reply asUser = source.post("/api/database/advance/export")
                .bearer(source.userToken("00000000-0000-0000-0000-000000000001", "u@example.com")).json(Map.of("format", "sql")).send();
        assertThat(asUser.status()).isIn(401, 403);
        assertThat(source.post("/api/database/advance/export").bearer(source.anonKey()).json(Map.of("format", "sql")).send().status())
                .isIn(401, 403);
        assertThat(source.post("/api/database/advance/export").json(Map.of("format", "sql")).send().status()).isEqualTo(401);
    }

    /** Small readers for JSON arrays and objects. */
    private static final class Json {
        static List<String> strings(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(item -> out.add(item.asText()));
            return out;
        }

        static List<String> fieldNames(JsonNode object) {
            List<String> out = new ArrayList<>();
            object.fieldNames().forEachRemaining(out::add);
            return out;
        }
    }
}

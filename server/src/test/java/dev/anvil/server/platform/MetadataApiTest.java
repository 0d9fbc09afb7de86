package dev.anvil.server.platform;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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
 * {@code /api/metadata} (contract §8): the whole project and its slices read from the platform's
 * tables, one table's schema in the shape the MCP's {@code get-table-schema} shows, route order
 * (fixed sub-paths before {@code /:tableName}), and the admin guard on every route.
 */
class MetadataApiTest {

    static TestServer server;
    static DatabaseProbe probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("metadata", Map.of("ANVIL_PROJECT_ID", "proj-42", "ANVIL_TABLE_COUNT_TIMEOUT_SECONDS", "1",
                "ANVIL_METADATA_DATABASE_CREDENTIALS", "true"));
        probe = new DatabaseProbe(server);
        okJson(DatabaseProbe.rawSql(server, "rawsql", Map.of("query", """
                create table public.authors (id uuid primary key default gen_random_uuid(), name varchar(80) not null);
                create table public.posts (
                  id bigint generated always as identity primary key,
                  author_id uuid references public.authors (id) on delete cascade,
                  title text not null default 'untitled',
                  published boolean,
                  tags text[]
                );
                create index posts_title on public.posts (title);
                alter table public.posts enable row level security;
                create policy readable on public.posts for select to anon, authenticated using (published);
                create function public.touch() returns trigger language plpgsql as $$ begin return new; end $$;
                create trigger posts_touch before update on public.posts for each row execute function public.touch();
                create trigger posts_titled after insert or update on public.posts for each row when (new.title <> '')
                  execute function public.touch();
                create table public."my notes" (id int primary key);
                create table public._internal (id int);
                insert into public.authors (name) values ('Ada'), ('Grace');
                insert into public.posts (author_id, title, published) select id, 'Hello', true from public.authors;
                insert into public.posts (title) values ('Draft');
                """)));
        probe.execute(
                "insert into storage.buckets (name, public) values ('avatars', true), ('private-docs', false)",
                "insert into storage.objects (bucket, key, size) values ('avatars', 'a.png', 1000), ('avatars', 'b.png', 2000)",
                "insert into functions.definitions (slug, name, description, code, status) values "
                        + "('hello', 'Hello', 'Says hello', 'module.exports = async () => new Response(\"hi\")', 'active')",
                "insert into realtime.channels (pattern, description) values ('chat:%', 'Chat rooms')",
                "alter table realtime.channels enable row level security",
                "create policy members on realtime.channels for select to authenticated using (true)",
                "update auth.config set allowed_redirect_urls = '{https://app.example.com/*}'");
    }

    @AfterAll
    static void stop() {
        probe.close();
        server.close();
    }

    static JsonNode get(String path) {
        return okJson(server.get(path).header("x-api-key", server.apiKey()).send());
    }

    @Test
    void theWholeProjectInOneAnswer() {
        JsonNode metadata = get("/api/metadata");

        assertThat(metadata.fieldNames()).toIterable().containsExactly("auth", "database", "storage", "functions", "realtime", "version");
        assertThat(metadata.get("version").asText()).isEqualTo(Version.current());

        JsonNode tables = metadata.get("database").get("tables");
        assertThat(tables.toString()).isEqualTo("[{\"tableName\":\"authors\",\"recordCount\":2},"
                + "{\"tableName\":\"my notes\",\"recordCount\":0},{\"tableName\":\"posts\",\"recordCount\":3}]");
        assertThat(metadata.get("database").get("totalSizeInGB").asDouble()).isGreaterThan(0).isLessThan(1);
        assertThat(metadata.get("database").has("hint")).isFalse();

        JsonNode buckets = metadata.get("storage").get("buckets");
        assertThat(buckets).hasSize(2);
        assertThat(buckets.get(0).get("name").asText()).isEqualTo("avatars");
        assertThat(buckets.get(0).get("public").asBoolean()).isTrue();
        assertThat(buckets.get(0).get("objectCount").asInt()).isEqualTo(2);
        assertThat(buckets.get(0).get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(buckets.get(1).get("public").asBoolean()).isFalse();
        assertThat(buckets.get(1).get("objectCount").asInt()).isZero();
        assertThat(metadata.get("storage").get("totalSizeInGB").asDouble() * 1024 * 1024 * 1024).isCloseTo(3000, org.assertj.core.data.Offset.offset(0.5));

        assertThat(metadata.get("functions").toString())
                .isEqualTo("[{\"slug\":\"hello\",\"name\":\"Hello\",\"description\":\"Says hello\",\"status\":\"active\"}]");

        JsonNode realtime = metadata.get("realtime");
        assertThat(realtime.get("channels")).hasSize(1);
        JsonNode channel = realtime.get("channels").get(0);
        assertThat(channel.get("pattern").asText()).isEqualTo("chat:%");
        assertThat(channel.get("description").asText()).isEqualTo("Chat rooms");
        assertThat(channel.get("enabled").asBoolean()).isTrue();
        assertThat(channel.get("webhookUrls").isNull()).isTrue();
        assertThat(UUID.fromString(channel.get("id").asText())).isNotNull();
        JsonNode subscribe = realtime.get("permissions").get("subscribe").get("policies");
        assertThat(subscribe).hasSize(1);
        assertThat(subscribe.get(0).get("policyName").asText()).isEqualTo("members");
        assertThat(subscribe.get(0).get("tableName").asText()).isEqualTo("channels");
        assertThat(subscribe.get(0).get("command").asText()).isEqualTo("SELECT");
        assertThat(subscribe.get(0).get("roles").toString()).isEqualTo("[\"authenticated\"]");
        assertThat(subscribe.get(0).get("using").asText()).isEqualTo("true");
        assertThat(realtime.get("permissions").get("publish").get("policies")).isEmpty();
    }

    @Test
    void authSliceIsThePublicConfigWithRedirectsAndSmtpButNoPassword() {
        JsonNode auth = get("/api/metadata/auth");

        assertThat(auth.get("oAuthProviders").isArray()).isTrue();
        assertThat(auth.get("customOAuthProviders").isArray()).isTrue();
        assertThat(auth.get("passwordMinLength").asInt()).isEqualTo(6);
        assertThat(auth.get("requireEmailVerification").asBoolean()).isFalse();
        assertThat(auth.get("disableSignup").asBoolean()).isFalse();
        assertThat(auth.get("verifyEmailMethod").asText()).isEqualTo("code");
        assertThat(auth.get("allowedRedirectUrls").toString()).isEqualTo("[\"https://app.example.com/*\"]");
        JsonNode smtp = auth.get("smtpConfig");
        assertThat(smtp.fieldNames()).toIterable().containsExactlyInAnyOrder("enabled", "host", "port", "username",
                "hasPassword", "senderEmail", "senderName", "minIntervalSeconds");
        assertThat(get("/api/metadata").get("auth")).isEqualTo(auth);
    }

    @Test
    void slicesAreTheSameAsInTheWhole() {
        JsonNode all = get("/api/metadata");

        assertThat(get("/api/metadata/database").get("tables")).isEqualTo(all.get("database").get("tables"));
        assertThat(get("/api/metadata/storage")).isEqualTo(all.get("storage"));
        assertThat(get("/api/metadata/functions")).isEqualTo(all.get("functions"));
        assertThat(get("/api/metadata/realtime")).isEqualTo(all.get("realtime"));
    }

    @Test
    void mcpFlagAddsTheHintAndMarkdownReadsLikeADocument() {
        JsonNode forMcp = get("/api/metadata?mcp=true");
        assertThat(forMcp.get("database").get("hint").asText()).contains("get-table-schema");

        HttpCall.Reply markdown = server.get("/api/metadata?format=markdown").header("x-api-key", server.apiKey()).send();
        assertThat(markdown.status()).isEqualTo(200);
        assertThat(markdown.header("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/markdown"));
        assertThat(markdown.text()).startsWith("# Backend metadata")
                .contains("## Database (3 tables, ", "| posts | 3 |", "| my notes | 0 |")
                .contains("| avatars | yes | 2 |", "| private-docs | no | 0 |")
                .contains("| hello | Hello | active | Says hello |")
                .contains("| chat:% | yes | Chat rooms |")
                .contains("Allowed redirect URLs: https://app.example.com/*", "SMTP: not configured");

        assertError(server.get("/api/metadata?format=xml").header("x-api-key", server.apiKey()).send(), 400, "INVALID_INPUT", "format");
    }

    @Test
    void tableSchemaInTheShapeOfInsForgesExport() {
        JsonNode body = get("/api/metadata/posts");

        assertThat(body.fieldNames()).toIterable().containsExactly("posts");
        JsonNode posts = body.get("posts");
        assertThat(posts.fieldNames()).toIterable()
                .containsExactly("schema", "indexes", "foreignKeys", "rlsEnabled", "policies", "triggers", "rows");
        assertThat(posts.get("schema").get(0).toString()).isEqualTo("{\"columnName\":\"id\",\"dataType\":\"bigint\","
                + "\"characterMaximumLength\":null,\"isNullable\":\"NO\",\"columnDefault\":null}");
        assertThat(posts.get("schema").get(2).toString()).isEqualTo("{\"columnName\":\"title\",\"dataType\":\"text\","
                + "\"characterMaximumLength\":null,\"isNullable\":\"NO\",\"columnDefault\":\"'untitled'::text\"}");
        assertThat(posts.get("schema").get(3).get("isNullable").asText()).isEqualTo("YES");
        assertThat(posts.get("indexes")).extracting(index -> index.get("indexname").asText())
                .containsExactly("posts_pkey", "posts_title");
        assertThat(posts.get("indexes").get(0).get("isPrimary").asBoolean()).isTrue();
        assertThat(posts.get("indexes").get(1).get("indexdef").asText())
                .isEqualTo("CREATE INDEX posts_title ON public.posts USING btree (title)");
        assertThat(posts.get("foreignKeys").get(0).toString()).isEqualTo("{\"constraintName\":\"posts_author_id_fkey\","
                + "\"columnName\":\"author_id\",\"foreignTableName\":\"authors\",\"foreignColumnName\":\"id\","
                + "\"ordinalPosition\":1,\"deleteRule\":\"CASCADE\",\"updateRule\":\"NO ACTION\"}");
        assertThat(posts.get("rlsEnabled").asBoolean()).isTrue();
        assertThat(posts.get("policies").get(0).toString()).isEqualTo("{\"policyname\":\"readable\",\"cmd\":\"SELECT\","
                + "\"roles\":[\"anon\",\"authenticated\"],\"qual\":\"published\",\"withCheck\":null}");
        assertThat(posts.get("schema").get(4).get("dataType").asText()).isEqualTo("text[]");
        JsonNode triggers = posts.get("triggers");
        assertThat(triggers).extracting(t -> t.get("triggerName").asText() + " " + t.get("actionTiming").asText() + " "
                + t.get("eventManipulation").asText() + " " + t.get("actionOrientation").asText())
                .containsExactly("posts_titled AFTER INSERT ROW", "posts_titled AFTER UPDATE ROW", "posts_touch BEFORE UPDATE ROW");
        assertThat(triggers.get(0).get("actionCondition").asText()).isEqualTo("(new.title <> ''::text)");
        assertThat(triggers.get(0).get("actionStatement").asText()).isEqualTo("EXECUTE FUNCTION touch()");
        assertThat(triggers.get(2).get("actionCondition").isNull()).isTrue();
        assertThat(posts.get("rows")).isEmpty();

        JsonNode authors = get("/api/metadata/authors").get("authors");
        assertThat(authors.get("rlsEnabled").asBoolean()).isFalse();
        assertThat(authors.get("schema").get(1).get("dataType").asText()).isEqualTo("character varying");
        assertThat(authors.get("schema").get(1).get("characterMaximumLength").asInt()).isEqualTo(80);
    }

    @Test
    void tableNamesArriveDecodedAndOtherSchemasAreReachable() {
        assertThat(get("/api/metadata/my%20notes").has("my notes")).isTrue();

        probe.execute("create schema shop", "create table shop.orders (id int primary key)");
        assertThat(get("/api/metadata/orders?schema=shop").get("orders").get("schema")).hasSize(1);
        assertError(server.get("/api/metadata/orders").header("x-api-key", server.apiKey()).send(),
                404, "DATABASE_NOT_FOUND", "Table orders does not exist in schema public");
    }

    @Test
    void unknownTablesAndBadNamesAreRefused() {
        assertError(server.get("/api/metadata/nope").header("x-api-key", server.apiKey()).send(),
                404, "DATABASE_NOT_FOUND", "Table nope does not exist");
        assertError(server.get("/api/metadata/a%22b").header("x-api-key", server.apiKey()).send(),
                400, "DATABASE_VALIDATION_ERROR", "Invalid table name");
        assertError(server.get("/api/metadata/pg_class?schema=pg_catalog").header("x-api-key", server.apiKey()).send(),
                400, "INVALID_INPUT", "not available");
    }

    /**
     * A table named like a fixed sub-path does not shadow it: the fixed route wins (the tables live
     * in their own schema so the other tests' table lists stay as they are).
     */
    @ParameterizedTest
    @ValueSource(strings = {"auth", "database", "storage", "functions", "realtime", "api-key", "anon-key", "project-id"})
    void fixedSubPathsWinOverTablesOfTheSameName(String name) {
        probe.execute("create schema if not exists shadow", "create table if not exists shadow.\"" + name + "\" (id int)");

        JsonNode body = get("/api/metadata/" + name + "?schema=shadow");

        assertThat(body.has(name)).as("GET /api/metadata/%s answered a table schema: %s", name, body).isFalse();
    }

    @Test
    void keysAndProjectId() {
        assertThat(get("/api/metadata/api-key").get("apiKey").asText()).isEqualTo(server.apiKey());
        assertThat(get("/api/metadata/anon-key").get("anonKey").asText()).isEqualTo(server.anonKey());
        assertThat(get("/api/metadata/project-id").toString()).isEqualTo("{\"projectId\":\"proj-42\"}");
    }

    /** The test database's login is a superuser: even with the setting on, its credentials stay in. */
    @Test
    void superuserCredentialsAreNeverHandedOut() {
        for (String path : new String[] {"/api/metadata/database-connection-string", "/api/metadata/database-password"}) {
            assertError(server.get(path).header("x-api-key", server.apiKey()).send(), 403, "FORBIDDEN", "superuser");
        }
    }

    /** Without settings: no project id (as self-hosted InsForge answers) and no credentials handed out. */
    @Test
    void defaultsAreThoseOfASelfHostedInstance() {
        try (TestServer plain = TestServer.start("metadata_defaults")) {
            HttpCall.Reply projectId = plain.get("/api/metadata/project-id").header("x-api-key", plain.apiKey()).send();
            assertThat(projectId.json().toString()).isEqualTo("{\"projectId\":null}");

            HttpCall.Reply credentials = plain.get("/api/metadata/database-password").header("x-api-key", plain.apiKey()).send();
            assertError(credentials, 403, "FORBIDDEN", "does not hand out database credentials");
            assertThat(credentials.json().get("nextActions").asText()).contains("ANVIL_METADATA_DATABASE_CREDENTIALS=true");
        }
    }

    @Test
    void recordCountsFallBackToEstimatesWhenCountingTakesTooLong() throws Exception {
        try (Connection locker = DriverManager.getConnection(server.database().jdbcUrl(), server.database().user(),
                server.database().password()); Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("lock table public.authors in access exclusive mode");

            JsonNode tables = get("/api/metadata/database").get("tables");

            assertThat(tables).extracting(t -> t.get("tableName").asText()).contains("authors", "posts");
            locker.rollback();
        }
        assertThat(get("/api/metadata/database").get("tables").get(0).toString())
                .isEqualTo("{\"tableName\":\"authors\",\"recordCount\":2}");
    }

    record Caller(String name, Function<HttpCall, HttpCall> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> guard() {
        String user = UUID.randomUUID().toString();
        Stream<String> paths = Stream.of("/api/metadata", "/api/metadata?format=markdown", "/api/metadata/auth",
                "/api/metadata/database", "/api/metadata/storage", "/api/metadata/functions", "/api/metadata/realtime",
                "/api/metadata/api-key", "/api/metadata/anon-key", "/api/metadata/project-id",
                "/api/metadata/database-connection-string", "/api/metadata/database-password", "/api/metadata/posts",
                "/api/metadata/no-such-table");
        return paths.flatMap(path -> Stream.of(
                Arguments.of(path, new Caller("nobody", call -> call), 401, "AUTH_INVALID_CREDENTIALS"),
                Arguments.of(path, new Caller("anon key", call -> call.bearer(server.anonKey())), 403, "AUTH_UNAUTHORIZED"),
                Arguments.of(path, new Caller("user", call -> call.bearer(server.userToken(user, "u@example.com"))), 403,
                        "AUTH_UNAUTHORIZED"),
                Arguments.of(path, new Caller("bad key", call -> call.header("x-api-key", "ik_nope")), 401, "AUTH_INVALID_API_KEY")));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("guard")
    void everyRouteIsAdminOnly(String path, Caller caller, int status, String code) {
        HttpCall.Reply reply = caller.apply().apply(server.get(path)).send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).isEqualTo(code);
    }

    @Test
    void anAdminSessionIsAdminToo() {
        HttpCall.Reply reply = server.get("/api/metadata").bearer(server.adminToken()).send();

        assertThat(reply.status()).isEqualTo(200);
    }
}

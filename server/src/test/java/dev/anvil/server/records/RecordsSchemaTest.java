package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import dev.anvil.server.records.schema.QualifiedName;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schemas and the schema cache: {@code Accept-Profile}/{@code Content-Profile} and InsForge's
 * {@code ?schema=}, which schemas are exposed, PGRST106; the cache reloading on
 * {@code NOTIFY pgrst} (also after its LISTEN connection is killed), after a request names something
 * new, and when a column it planned with has gone. Also InsForge's own errors on these routes.
 */
class RecordsSchemaTest {

    static TestServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start("records_schema");
        FilmsDatabase.sql(server, """
                CREATE SCHEMA analytics;
                GRANT USAGE ON SCHEMA analytics TO anon, authenticated, project_admin;
                CREATE TABLE analytics.events (id int PRIMARY KEY, kind text);
                GRANT ALL ON analytics.events TO anon, authenticated, project_admin;
                INSERT INTO analytics.events VALUES (1, 'click');
                CREATE TABLE public.events (id int PRIMARY KEY, other text);
                """);
        server.anvil().records().reloadSchemaCache();
        api = new Api(server, server.apiKey());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void exposedSchemasArePublicFirstThenNonPlatformSchemas() {
        assertThat(server.anvil().records().schemaCache().schemas()).startsWith("public").contains("analytics")
                .doesNotContain("auth", "storage", "system", "realtime", "functions", "email");
    }

    @Test
    void profileHeadersPickTheSchema() {
        HttpCall.Reply reply = api.get("events?id=eq.1", "Accept-Profile", "analytics");
        assertThat(reply.json().get(0).get("kind").asText()).isEqualTo("click");
        assertThat(reply.header("Content-Profile")).hasValue("analytics");
        assertThat(api.get("events").json()).isEmpty();
        HttpCall.Reply insert = api.post("events", "{\"id\":2,\"kind\":\"view\"}", "Content-Profile", "analytics");
        assertThat(insert.status()).isEqualTo(201);
        assertThat(column(api.get("events?id=eq.2", "Accept-Profile", "analytics"), "kind")).containsExactly("view");
    }

    @Test
    void insforgeSchemaParameterBecomesTheProfile() {
        assertThat(column(api.get("events?schema=analytics&id=eq.1"), "kind")).containsExactly("click");
        assertThat(api.patch("events?schema=analytics&id=eq.1", "{\"kind\":\"tap\"}").status()).isEqualTo(204);
        assertThat(column(api.get("events?select=kind&id=eq.1&schema=analytics"), "kind")).containsExactly("tap");
        assertThat(api.patch("events?schema=analytics&id=eq.1", "{\"kind\":\"click\"}").status()).isEqualTo(204);
    }

    @Test
    void unexposedSchemaIsPGRST106() {
        HttpCall.Reply reply = api.get("users", "Accept-Profile", "auth");
        assertError(reply, 406, "PGRST106");
        assertThat(reply.json().get("message").asText()).startsWith("The schema must be one of the following: public");
        assertError(api.get("users?schema=auth"), 406, "PGRST106");
    }

    @Test
    void unknownTableIs42P01() {
        HttpCall.Reply reply = api.get("nope");
        assertError(reply, 404, "42P01");
        assertThat(reply.json().get("message").asText()).isEqualTo("relation \"public.nope\" does not exist");
    }

    @Test
    void tablesCreatedWithSqlAreFoundWithoutANotify() {
        for (int i = 0; i < 3; i++) {
            assertError(api.get("fresh" + i), 404, "42P01");
            FilmsDatabase.sql(server, "CREATE TABLE fresh" + i + " (id int PRIMARY KEY); INSERT INTO fresh" + i + " VALUES (7);");
            assertThat(column(api.get("fresh" + i), "id")).containsExactly("7");
            FilmsDatabase.sql(server, "CREATE FUNCTION fresh_fn" + i + "() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$");
            assertThat(api.rpc().get("fresh_fn" + i).text()).isEqualTo("1");
        }
    }

    @Test
    void stalePlansAreReplannedWhenAColumnChanges() {
        FilmsDatabase.sql(server, "CREATE TABLE shifting (id int PRIMARY KEY, old text); INSERT INTO shifting VALUES (1, 'x');");
        server.anvil().records().reloadSchemaCache();
        assertThat(column(api.get("shifting"), "old")).containsExactly("x");
        FilmsDatabase.sql(server, "ALTER TABLE shifting DROP COLUMN old; ALTER TABLE shifting ADD COLUMN newer text DEFAULT 'y';");
        HttpCall.Reply reply = api.get("shifting");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(column(reply, "newer")).containsExactly("y");
    }

    @Test
    void notifyPgrstReloadsTheCacheAndSurvivesALostListenConnection() throws Exception {
        FilmsDatabase.sql(server, "CREATE TABLE via_notify (id int); NOTIFY pgrst, 'reload schema';");
        awaitTable("via_notify");
        FilmsDatabase.sql(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                + "WHERE application_name = 'anvil-listen' AND datname = current_database()");
        Thread.sleep(500);
        FilmsDatabase.sql(server, "CREATE TABLE after_reconnect (id int); NOTIFY pgrst;");
        awaitTable("after_reconnect");
    }

    static void awaitTable(String name) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (server.anvil().records().schemaCache().table(new QualifiedName("public", name)).isEmpty()) {
            assertThat(Instant.now()).as("table " + name + " reached the schema cache").isBefore(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void insforgeErrorsBeforeTheEngineKeepInsforgesShape() {
        HttpCall.Reply noCredential = server.get("/api/database/records/events").send();
        assertThat(noCredential.status()).isEqualTo(401);
        assertThat(noCredential.json().get("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
        HttpCall.Reply badToken = server.get("/api/database/records/events").bearer("not.a.token").send();
        assertThat(badToken.status()).isEqualTo(401);
        assertThat(badToken.json().get("error").asText()).isEqualTo("AUTH_UNAUTHORIZED");
        HttpCall.Reply badName = server.get("/api/database/records/bad%22name").bearer(server.apiKey()).send();
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("error").asText()).isEqualTo("DATABASE_VALIDATION_ERROR");
        assertError(server.get("/api/database/records/events/1").bearer(server.apiKey()).send(), 404, "PGRST125");
    }
}

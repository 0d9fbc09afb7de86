package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxy mode (contract §3.2 steps 1–7), tested the way the issue asks: a second Anvil serves the
 * engine with PostgREST's wire ({@code ANVIL_POSTGREST_PATH}) as the upstream, and the Anvil under
 * test has {@code POSTGREST_BASE_URL} pointing at it. The role exchange, InsForge's quirks, header
 * and error relaying are all observed through the front server.
 */
class RecordsProxyTest {

    static final String SECRET = "proxy-test-jwt-secret-proxy-test-jwt-secret";
    static TestServer upstream;
    static TestServer front;
    static Api admin;

    @BeforeAll
    static void start() {
        upstream = TestServer.start("records_proxy", Map.of("ANVIL_POSTGREST_PATH", "/rest/v1", "JWT_SECRET", SECRET));
        FilmsDatabase.create(upstream);
        FilmsDatabase.sql(upstream, """
                CREATE TABLE notes (id serial PRIMARY KEY, owner uuid NOT NULL DEFAULT auth.uid(), body text, stars int);
                ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
                CREATE POLICY own ON notes TO authenticated USING (owner = auth.uid()) WITH CHECK (owner = auth.uid());
                CREATE SCHEMA extra; GRANT USAGE ON SCHEMA extra TO anon, authenticated, project_admin;
                CREATE TABLE extra.things (id int PRIMARY KEY); GRANT ALL ON extra.things TO project_admin;
                INSERT INTO extra.things VALUES (42);
                NOTIFY pgrst;
                """);
        upstream.anvil().records().reloadSchemaCache();
        front = upstream.replica(Map.of("POSTGREST_BASE_URL", upstream.baseUrl() + "/rest/v1", "ANVIL_POSTGREST_PATH", ""));
        admin = new Api(front, front.apiKey());
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
        }
        upstream.close();
    }

    @Test
    void theFrontDoesNotServeTheWireItself() {
        assertThat(front.get("/rest/v1/films").send().status()).isEqualTo(404);
    }

    @Test
    void roleExchangeGivesEachCallerItsRole() {
        assertThat(admin.rpc().get("whoami").text()).isEqualTo("\"project_admin\"");
        assertThat(admin.as(front.anonKey()).rpc().get("whoami").text()).isEqualTo("\"anon\"");
        String user = UUID.randomUUID().toString();
        Api asUser = admin.as(front.userToken(user, "p@example.com"));
        assertThat(asUser.rpc().get("whoami").text()).isEqualTo("\"authenticated\"");
        // The upstream sees a fresh internal token with only sub, email and role — never the client's.
        var claims = asUser.rpc().post("claims", "{}").json();
        assertThat(claims.get("sub").asText()).isEqualTo(user);
        assertThat(claims.get("email").asText()).isEqualTo("p@example.com");
        assertThat(claims.get("role").asText()).isEqualTo("authenticated");
        assertThat(claims.has("kid") || claims.has("iss")).isFalse();
    }

    @Test
    void rlsIsolationThroughTheProxy() {
        Api a = admin.as(front.userToken(UUID.randomUUID().toString(), "a@example.com"));
        Api b = admin.as(front.userToken(UUID.randomUUID().toString(), "b@example.com"));
        assertThat(a.post("notes", "{\"body\":\"mine\"}").status()).isEqualTo(201);
        assertThat(column(a.get("notes?select=body"), "body")).containsExactly("mine");
        assertThat(column(b.get("notes?select=body"), "body")).isEmpty();
        assertThat(b.delete("notes?body=eq.mine").status()).isEqualTo(204);
        assertThat(column(a.get("notes?select=body"), "body")).containsExactly("mine");
    }

    @Test
    void insforgeQuirksApplyInProxyMode() {
        HttpCall.Reply insert = admin.post("notes", "{\"owner\":\"" + UUID.randomUUID() + "\",\"body\":\"q\",\"stars\":\"\"}");
        assertThat(insert.status()).as(insert.toString()).isEqualTo(201);
        assertThat(insert.text()).isEqualTo("[]");
        assertThat(column(admin.get("things?schema=extra"), "id")).containsExactly("42");
        assertThat(admin.rpc().post("ping", "{}").status()).isEqualTo(204);
    }

    @Test
    void headersAndErrorsAreRelayed() {
        HttpCall.Reply page = admin.get("films?select=id&order=id&limit=2", "Prefer", "count=exact");
        assertThat(page.status()).isEqualTo(206);
        assertThat(page.header("Content-Range")).hasValue("0-1/5");
        assertThat(page.header("Preference-Applied")).hasValue("count=exact");
        HttpCall.Reply location = admin.post("items", "{\"name\":\"loc\"}", "Prefer", "return=headers-only");
        assertThat(location.header("Location").orElseThrow()).startsWith("/items?id=eq.");
        assertError(admin.get("directors?id=eq.99", "Accept", "application/vnd.pgrst.object+json"), 406, "PGRST116");
        assertError(admin.post("items", "{\"name\":\"dup\",\"code\":\"X1\"},", "Content-Type", "application/json"), 400, "PGRST102");
        assertThat(admin.post("items", "{\"name\":\"dup\",\"code\":\"X1\"}").status()).isEqualTo(201);
        assertError(admin.post("items", "{\"name\":\"dup\",\"code\":\"X1\"}"), 409, "23505");
        assertThat(admin.get("films?select=title&id=eq.4").json()).isEqualTo(Json.parse("[{\"title\":\"Parasite\"}]"));
    }

    @Test
    void credentialsAreCheckedBeforeProxying() {
        HttpCall.Reply reply = front.get("/api/database/records/films").send();
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
    }

    @Test
    void anUnreachableUpstreamIs502() {
        try (TestServer lonely = upstream.replica(Map.of("POSTGREST_BASE_URL", "http://127.0.0.1:9/rest", "ANVIL_POSTGREST_PATH", ""))) {
            HttpCall.Reply reply = lonely.get("/api/database/records/films").bearer(lonely.apiKey()).send();
            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.json().get("error").asText()).isEqualTo("UPSTREAM_FAILURE");
        }
    }
}

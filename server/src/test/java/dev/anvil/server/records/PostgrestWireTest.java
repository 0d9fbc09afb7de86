package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine with PostgREST's own wire under {@code ANVIL_POSTGREST_PATH}: {@code /<table>} and
 * {@code /rpc/<fn>}, the role from an HS256 JWT signed with JWT_SECRET, anon without one, PGRST301
 * for a bad token, and none of InsForge's body rewriting.
 */
class PostgrestWireTest {

    static final String SECRET = "wire-test-jwt-secret-wire-test-jwt-secret";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("records_wire", Map.of("ANVIL_POSTGREST_PATH", "/rest/v1", "JWT_SECRET", SECRET));
        FilmsDatabase.create(server);
        FilmsDatabase.sql(server, "REVOKE ALL ON actors FROM anon");
        server.anvil().records().reloadSchemaCache();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String jwt(String role, String subject, long expiresIn) {
        try {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().claim("role", role)
                    .expirationTime(Date.from(Instant.now().plusSeconds(expiresIn)));
            if (subject != null) {
                claims.subject(subject).claim("email", "wire@example.com");
            }
            SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            token.sign(new MACSigner(SECRET.getBytes()));
            return token.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpCall call(String method, String path) {
        return server.call(method, Urls.of("/rest/v1/" + path));
    }

    @Test
    void anonymousWithoutAToken() {
        HttpCall.Reply reply = call("GET", "directors?select=last_name&id=eq.1").send();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("[{\"last_name\":\"Nolan\"}]");
        assertThat(call("GET", "rpc/whoami").send().text()).isEqualTo("\"anon\"");
        assertError(call("GET", "actors").send(), 401, "42501");
    }

    @Test
    void theRoleClaimPicksTheRole() {
        String user = UUID.randomUUID().toString();
        HttpCall.Reply whoami = call("GET", "rpc/whoami").bearer(jwt("authenticated", user, 300)).send();
        assertThat(whoami.text()).isEqualTo("\"authenticated\"");
        HttpCall.Reply claims = call("POST", "rpc/claims").bearer(jwt("authenticated", user, 300)).json("{}").send();
        assertThat(claims.json().get("sub").asText()).isEqualTo(user);
        assertThat(call("GET", "actors?select=id&limit=1").bearer(jwt("authenticated", user, 300)).send().status()).isEqualTo(200);
        assertThat(call("GET", "rpc/whoami").bearer(jwt("project_admin", "admin", 300)).send().text())
                .isEqualTo("\"project_admin\"");
    }

    @Test
    void badTokensArePGRST301() {
        HttpCall.Reply forged = call("GET", "directors").bearer("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoicG9zdGdyZXMifQ.x").send();
        assertError(forged, 401, "PGRST301");
        assertThat(forged.header("WWW-Authenticate")).hasValue("Bearer");
        HttpCall.Reply expired = call("GET", "directors").bearer(jwt("authenticated", "u", -600)).send();
        assertError(expired, 401, "PGRST301");
        assertThat(expired.json().get("message").asText()).isEqualTo("JWT expired");
        assertError(call("GET", "directors").bearer(jwt("postgres", "u", 300)).send(), 401, "PGRST301");
    }

    @Test
    void noInsforgeRewriting() {
        HttpCall.Reply insert = call("POST", "items").bearer(jwt("project_admin", "admin", 300))
                .json("{\"name\":\"wire\",\"price\":\"\"}").send();
        // PostgREST itself: no [] for an empty body, and "" is not dropped (so numeric fails).
        assertError(insert, 400, "22P02");
        HttpCall.Reply ok = call("POST", "items").bearer(jwt("project_admin", "admin", 300)).json("{\"name\":\"wire\"}").send();
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.bytes()).isEmpty();
        assertError(call("GET", "nope").send(), 404, "42P01");
    }
}

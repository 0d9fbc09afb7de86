package dev.anvil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.http.ErrorHandling;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract §1.1, table-driven: each credential shape against each guard (verifyUser, verifyAdmin,
 * verifyToken), with the exact status, error code and message InsForge clients see. The guards are
 * mounted on a probe server built from the real server's {@link Credentials}; the admin guard is also
 * checked through a real route.
 */
class CredentialDispatchTest {

    static final String JWT_SECRET = "a-test-jwt-secret-that-is-at-least-32-bytes-long";
    static TestServer server;
    static WebServer probe;

    @BeforeAll
    static void start() {
        server = TestServer.start("dispatch", Map.of("JWT_SECRET", JWT_SECRET));
        Credentials credentials = server.anvil().credentials();
        probe = WebServer.builder().host("127.0.0.1").port(0).routing(routing -> {
            ErrorHandling.register(routing);
            routing.get("/user", (req, res) -> Json.send(res, describe(credentials.user(req))));
            routing.get("/admin", (req, res) -> Json.send(res, describe(credentials.admin(req))));
            routing.get("/token", (req, res) -> Json.send(res, describe(credentials.token(req))));
        }).build().start();
    }

    @AfterAll
    static void stop() {
        probe.stop();
        server.close();
    }

    static ObjectNode describe(Principal principal) {
        ObjectNode body = Json.object();
        body.put("type", principal.getClass().getSimpleName());
        body.put("role", principal.dbRole());
        principal.userId().ifPresent(id -> body.put("userId", id));
        return body;
    }

    /** A credential: how to attach it to a request. */
    record Credential(String name, Function<HttpCall, HttpCall> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Credential bearer(String name, Function<TestServer, String> value) {
        return new Credential(name, call -> call.bearer(value.apply(server)));
    }

    static final String USER_ID = UUID.randomUUID().toString();

    static Stream<Arguments> table() {
        Credential none = new Credential("none", call -> call);
        Credential apiKeyBearer = bearer("api key as bearer", TestServer::apiKey);
        Credential apiKeyHeader = new Credential("api key as x-api-key", call -> call.header("x-api-key", server.apiKey()));
        Credential anonKey = bearer("anon key", TestServer::anonKey);
        Credential badApiKey = bearer("unknown ik_ key", s -> "ik_" + "0".repeat(64));
        Credential badApiKeyHeader = new Credential("unknown x-api-key", call -> call.header("x-api-key", "nope"));
        Credential badAnonKey = bearer("unknown anon_ key", s -> "anon_" + "0".repeat(64));
        Credential userJwt = bearer("user JWT", s -> s.userToken(USER_ID, "a@example.com"));
        Credential adminJwt = bearer("admin JWT", TestServer::adminToken);
        Credential garbage = bearer("garbage JWT", s -> "not.a.jwt");
        Credential hs256User = bearer("HS256 user JWT (InsForge-issued)", s -> hs256(userClaims(3600).build()));
        Credential legacyAnon = bearer("legacy anon JWT", s -> hs256(new JWTClaimsSet.Builder().claim("role", "anon").build()));
        Credential noSubject = bearer("JWT without sub", s -> hs256(new JWTClaimsSet.Builder().claim("role", "authenticated")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()));
        Credential expired = bearer("expired JWT", s -> hs256(userClaims(-120).build()));
        Credential algNone = bearer("alg none", s -> unsigned(userClaims(3600).build()));
        Credential wrongKey = bearer("HS256 with another secret", s -> hs256With("another-secret-another-secret-another-secret", userClaims(3600).build()));
        Credential refreshAsAccess = bearer("refresh token as access token", s -> hs256(userClaims(3600).claim("type", "refresh").build()));
        Credential foreignRole = bearer("JWT with role postgres", s -> hs256(userClaims(3600).claim("role", "postgres").build()));

        Outcome ok = Outcome.ok();
        Outcome noToken = Outcome.error(401, "AUTH_INVALID_CREDENTIALS", "No token provided");
        Outcome noAdminToken = Outcome.error(401, "AUTH_INVALID_CREDENTIALS", "No admin token provided");
        Outcome invalidToken = Outcome.error(401, "AUTH_UNAUTHORIZED", "Invalid token");
        Outcome adminRequired = Outcome.error(403, "AUTH_UNAUTHORIZED", "Admin access required");
        Outcome invalidApiKey = Outcome.error(401, "AUTH_INVALID_API_KEY", "Invalid API key");
        Outcome invalidAnonKey = Outcome.error(401, "AUTH_INVALID_CREDENTIALS", "Invalid anon key");
        Outcome invalidSubject = Outcome.error(401, "AUTH_UNAUTHORIZED", "Invalid token subject");

        return Stream.of(
                //            credential        verifyUser          verifyAdmin      verifyToken
                Arguments.of(none, noToken, noAdminToken, noToken),
                Arguments.of(apiKeyBearer, ok.as("ApiKey"), ok.as("ApiKey"), invalidToken),
                Arguments.of(apiKeyHeader, ok.as("ApiKey"), ok.as("ApiKey"), noToken),
                Arguments.of(anonKey, ok.as("Anon"), adminRequired, invalidToken),
                Arguments.of(badApiKey, invalidApiKey, invalidApiKey, invalidApiKey),
                Arguments.of(badApiKeyHeader, invalidApiKey, invalidApiKey, noToken),
                Arguments.of(badAnonKey, invalidAnonKey, invalidAnonKey, invalidAnonKey),
                Arguments.of(userJwt, ok.as("Token"), adminRequired, ok.as("Token")),
                Arguments.of(adminJwt, ok.as("Token"), ok.as("Token"), ok.as("Token")),
                Arguments.of(hs256User, ok.as("Token"), adminRequired, ok.as("Token")),
                Arguments.of(legacyAnon, ok.as("Anon"), adminRequired, invalidToken),
                Arguments.of(garbage, invalidToken, invalidToken, invalidToken),
                Arguments.of(noSubject, invalidSubject, invalidSubject, invalidSubject),
                Arguments.of(expired, invalidToken, invalidToken, invalidToken),
                Arguments.of(algNone, invalidToken, invalidToken, invalidToken),
                Arguments.of(wrongKey, invalidToken, invalidToken, invalidToken),
                Arguments.of(refreshAsAccess, invalidToken, invalidToken, invalidToken),
                Arguments.of(foreignRole, invalidToken, invalidToken, invalidToken));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void guardsAnswerAsTheContractSays(Credential credential, Outcome user, Outcome admin, Outcome token) {
        user.check(credential.apply().apply(probeCall("/user")).send(), "verifyUser");
        admin.check(credential.apply().apply(probeCall("/admin")).send(), "verifyAdmin");
        token.check(credential.apply().apply(probeCall("/token")).send(), "verifyToken");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theRealAdminRouteDispatchesTheSameWay(Credential credential, Outcome user, Outcome admin, Outcome token) {
        HttpCall.Reply reply = credential.apply().apply(server.get("/api/usage/mcp")).send();
        if (admin.status() == 200) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.json().has("records")).isTrue();
        } else {
            admin.check(reply, "GET /api/usage/mcp");
        }
    }

    @Test
    void userTokenCarriesTheUserIdAndRole() {
        HttpCall.Reply reply = probeCall("/user").bearer(server.userToken(USER_ID, "a@example.com")).send();

        assertThat(reply.json().get("userId").asText()).isEqualTo(USER_ID);
        assertThat(reply.json().get("role").asText()).isEqualTo("authenticated");
    }

    static HttpCall probeCall(String path) {
        return HttpCall.to("http://127.0.0.1:" + probe.port(), "GET", path);
    }

    static JWTClaimsSet.Builder userClaims(long expiresInSeconds) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(USER_ID).claim("email", "a@example.com").claim("role", "authenticated")
                .issueTime(Date.from(now.minusSeconds(Math.max(0, -expiresInSeconds) + 10)))
                .expirationTime(Date.from(now.plusSeconds(expiresInSeconds)));
    }

    static String hs256(JWTClaimsSet claims) {
        return hs256With(JWT_SECRET, claims);
    }

    static String hs256With(String secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String unsigned(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64URL.encode(claims.toString()) + ".";
    }

    /** What a guard should answer. */
    record Outcome(int status, String code, String message, String principalType) {
        static Outcome ok() {
            return new Outcome(200, null, null, null);
        }

        static Outcome error(int status, String code, String message) {
            return new Outcome(status, code, message, null);
        }

        Outcome as(String type) {
            return new Outcome(200, null, null, type);
        }

        void check(HttpCall.Reply reply, String guard) {
            assertThat(reply.status()).as(guard + ": " + reply).isEqualTo(status);
            if (status == 200) {
                assertThat(reply.json().get("type").asText()).as(guard).isEqualTo(principalType);
            } else {
                assertThat(reply.json().get("error").asText()).as(guard + ": " + reply).isEqualTo(code);
                assertThat(reply.json().get("message").asText()).as(guard + ": " + reply).isEqualTo(message);
                assertThat(reply.json().get("statusCode").asInt()).as(guard).isEqualTo(status);
            }
        }
    }
}

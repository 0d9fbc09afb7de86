package dev.anvil.server.auth;

import static dev.anvil.server.auth.AuthCalls.PASSWORD;
import static dev.anvil.server.auth.AuthCalls.cookieAttributes;
import static dev.anvil.server.auth.AuthCalls.cookieValue;
import static dev.anvil.server.auth.AuthCalls.email;
import static dev.anvil.server.auth.AuthCalls.mobileUser;
import static dev.anvil.server.auth.AuthCalls.refreshMobile;
import static dev.anvil.server.auth.AuthCalls.refreshWeb;
import static dev.anvil.server.auth.AuthCalls.setCookie;
import static dev.anvil.server.auth.AuthCalls.signIn;
import static dev.anvil.server.auth.AuthCalls.signUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Sessions and refresh tokens (contract §2.1–2.3, §2.5 refresh/logout rows, targets.md safety):
 * the cookie + CSRF wire for browsers and the body wire for native clients, rotation on every
 * refresh, family revocation on reuse, and sign-out that really ends the session.
 */
class RefreshSessionsTest {

    static final String JWT_SECRET = "refresh-sessions-test-secret-0123456789abcdef";
    static TestServer server;

    @BeforeAll
    static void start() {
        Map<String, String> settings = new HashMap<>(AuthCalls.NO_LIMITS);
        settings.put("JWT_SECRET", JWT_SECRET);
        server = TestServer.start("refresh_sessions", settings);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void webSignInSetsTheRefreshCookieAndACsrfTokenOnly() throws Exception {
        HttpCall.Reply reply = signUp(server, email("web"), PASSWORD, null);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String cookie = setCookie(reply, "insforge_refresh_token").orElseThrow();
        assertThat(cookieAttributes(cookie)).contains("Path=/api/auth", "Secure", "HttpOnly", "SameSite=None", "Max-Age=604800");
        assertThat(reply.json().has("refreshToken")).isFalse();
        String csrf = reply.json().get("csrfToken").asText();
        assertThat(csrf).matches("[0-9a-f]{64}");

        // The CSRF token is InsForge's HMAC over the session type, subject and the token's nonce.
        JWTClaimsSet refresh = SignedJWT.parse(cookieValue(cookie)).getJWTClaimsSet();
        assertThat(refresh.getClaim("type")).isEqualTo("refresh");
        assertThat(refresh.getIssuer()).isEqualTo("insforge");
        assertThat(refresh.getClaim("sessionType")).isEqualTo("user");
        assertThat(csrf).isEqualTo(hmac("insforge:csrf:v1:user:" + refresh.getSubject() + ":" + refresh.getClaim("csrfNonce")));
    }

    @Test
    void webRefreshRotatesTheCookieAndKeepsTheCsrfToken() {
        HttpCall.Reply signedIn = signUp(server, email("rotate"), PASSWORD, null);
        String cookie = cookieValue(setCookie(signedIn, "insforge_refresh_token").orElseThrow());
        String csrf = signedIn.json().get("csrfToken").asText();

        HttpCall.Reply refreshed = refreshWeb(server, cookie, csrf);

        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(refreshed.json().get("accessToken").asText()).isNotBlank();
        assertThat(refreshed.json().get("user").get("email").asText()).isEqualTo(signedIn.json().get("user").get("email").asText());
        assertThat(refreshed.json().get("csrfToken").asText()).isEqualTo(csrf);
        String rotated = cookieValue(setCookie(refreshed, "insforge_refresh_token").orElseThrow());
        assertThat(rotated).isNotEqualTo(cookie);
        assertThat(refreshWeb(server, rotated, csrf).status()).isEqualTo(200);
    }

    @Test
    void webRefreshNeedsTheCsrfHeader() {
        HttpCall.Reply signedIn = signUp(server, email("csrf"), PASSWORD, null);
        String cookie = cookieValue(setCookie(signedIn, "insforge_refresh_token").orElseThrow());

        for (String csrf : new String[] {null, "0".repeat(64), signedIn.json().get("csrfToken").asText().toUpperCase()}) {
            HttpCall.Reply reply = refreshWeb(server, cookie, csrf);
            assertError(reply, 403, "FORBIDDEN", "Invalid CSRF token");
            assertThat(setCookie(reply, "insforge_refresh_token")).as("a CSRF failure does not sign the browser out").isEmpty();
        }
        assertThat(refreshWeb(server, cookie, signedIn.json().get("csrfToken").asText()).status()).isEqualTo(200);
    }

    @Test
    void webRefreshWithoutOrWithABadCookieIs401AndClearsTheCookie() {
        HttpCall.Reply missing = refreshWeb(server, null, "x");
        assertError(missing, 401, "AUTH_UNAUTHORIZED", "No refresh token provided");
        assertThat(setCookie(missing, "insforge_refresh_token").orElseThrow()).contains("Expires=Thu, 1 Jan 1970", "Path=/api/auth");

        HttpCall.Reply garbage = refreshWeb(server, "not-a-token", "x");
        assertError(garbage, 401, "AUTH_UNAUTHORIZED", "Invalid or expired refresh token");
        assertThat(setCookie(garbage, "insforge_refresh_token")).isPresent();
    }

    @Test
    void mobileSignInReturnsTheRefreshTokenInTheBodyAndNoCookie() {
        String address = email("mobile");
        signUp(server, address, PASSWORD, "mobile");
        HttpCall.Reply reply = signIn(server, address, PASSWORD, "mobile");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("refreshToken").asText()).isNotBlank();
        assertThat(reply.json().has("csrfToken")).isFalse();
        assertThat(setCookie(reply, "insforge_refresh_token")).isEmpty();
    }

    @Test
    void bothBodyFieldNamesRefresh() {
        JsonNode session = mobileUser(server, "fields");
        HttpCall.Reply camel = refreshMobile(server, session.get("refreshToken").asText());
        assertThat(camel.status()).as(camel.toString()).isEqualTo(200);

        HttpCall.Reply snake = server.post("/api/auth/refresh?client_type=mobile")
                .json(Map.of("refresh_token", camel.json().get("refreshToken").asText())).send();
        assertThat(snake.status()).as(snake.toString()).isEqualTo(200);
        assertThat(snake.json().get("refreshToken").asText()).isNotEqualTo(camel.json().get("refreshToken").asText());
        assertThat(snake.json().get("user").get("id").asText()).isEqualTo(session.get("user").get("id").asText());

        assertError(server.post("/api/auth/refresh?client_type=mobile").json(Map.of()).send(),
                401, "AUTH_UNAUTHORIZED", "No refresh token provided");
    }

    @Test
    void reusingARotatedTokenRevokesTheWholeFamily() {
        JsonNode session = mobileUser(server, "reuse");
        String first = session.get("refreshToken").asText();
        String second = refreshMobile(server, first).json().get("refreshToken").asText();
        String third = refreshMobile(server, second).json().get("refreshToken").asText();
        ageRotations(session);

        assertError(refreshMobile(server, first), 401, "AUTH_UNAUTHORIZED",
                "Refresh token has already been used; the session has been revoked");
        assertError(refreshMobile(server, third), 401, "AUTH_UNAUTHORIZED", "Refresh token has been revoked or has expired");
        assertThat(Sql.one(server, "SELECT revoked_reason FROM auth.sessions WHERE user_id = ?::uuid",
                session.get("user").get("id").asText())).isEqualTo("reuse");

        // Other sessions of the same user are not touched.
        String other = signIn(server, session.get("user").get("email").asText(), PASSWORD, "mobile").json().get("refreshToken").asText();
        assertThat(refreshMobile(server, other).status()).isEqualTo(200);
    }

    @Test
    void aConcurrentRefreshWithinTheGracePeriodIsNotTakenForTheft() throws Exception {
        JsonNode session = mobileUser(server, "concurrent");
        String token = session.get("refreshToken").asText();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<HttpCall.Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(() -> refreshMobile(server, token));
            }
            List<String> successors = new ArrayList<>();
            for (Future<HttpCall.Reply> reply : pool.invokeAll(calls)) {
                assertThat(reply.get().status()).as(reply.get().toString()).isEqualTo(200);
                successors.add(reply.get().json().get("refreshToken").asText());
            }
            assertThat(successors).doesNotHaveDuplicates();
            for (String successor : successors) {
                assertThat(refreshMobile(server, successor).status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tokensAreStoredAsHashesInTheirFamily() throws Exception {
        JsonNode session = mobileUser(server, "stored");
        String token = session.get("refreshToken").asText();
        String next = refreshMobile(server, token).json().get("refreshToken").asText();
        String userId = session.get("user").get("id").asText();

        List<String> hashes = Sql.column(server, "SELECT t.token_hash FROM auth.refresh_tokens t JOIN auth.sessions s "
                + "ON s.id = t.session_id WHERE s.user_id = ?::uuid ORDER BY t.created_at", userId);
        assertThat(hashes).containsExactly(sha256(token), sha256(next));
        assertThat(Sql.one(server, "SELECT count(*) FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id "
                + "WHERE s.user_id = ?::uuid AND t.rotated_at IS NOT NULL AND t.parent_id IS NULL", userId)).isEqualTo("1");
        String sessionId = Sql.one(server, "SELECT id::text FROM auth.sessions WHERE user_id = ?::uuid", userId);
        assertThat(SignedJWT.parse(session.get("accessToken").asText()).getJWTClaimsSet().getClaim("sid")).isEqualTo(sessionId);
        assertThat(Sql.one(server, "SELECT client_type FROM auth.sessions WHERE id = ?::uuid", sessionId)).isEqualTo("mobile");
    }

    @Test
    void signOutWithTheBodyTokenEndsTheSession() {
        JsonNode session = mobileUser(server, "logout-body");
        HttpCall.Reply out = server.post("/api/auth/logout?client_type=mobile")
                .json(Map.of("refreshToken", session.get("refreshToken").asText())).send();

        assertThat(out.status()).isEqualTo(200);
        assertThat(out.json().get("success").asBoolean()).isTrue();
        assertThat(out.json().get("message").asText()).isEqualTo("Logged out successfully");
        assertError(refreshMobile(server, session.get("refreshToken").asText()), 401, "AUTH_UNAUTHORIZED",
                "Refresh token has been revoked or has expired");
    }

    @Test
    void signOutWithOnlyTheAccessTokenEndsItsSession() {
        // The SDK's server-mode signOut sends no body, only its bearer access token.
        JsonNode session = mobileUser(server, "logout-bearer");
        HttpCall.Reply out = server.post("/api/auth/logout?client_type=mobile").bearer(session.get("accessToken").asText()).send();

        assertThat(out.status()).isEqualTo(200);
        assertThat(refreshMobile(server, session.get("refreshToken").asText()).status()).isEqualTo(401);
    }

    @Test
    void webSignOutNeedsTheCsrfHeaderThenClearsTheCookie() {
        HttpCall.Reply signedIn = signUp(server, email("logout-web"), PASSWORD, null);
        String cookie = cookieValue(setCookie(signedIn, "insforge_refresh_token").orElseThrow());
        String csrf = signedIn.json().get("csrfToken").asText();

        assertError(server.post("/api/auth/logout").header("Cookie", "insforge_refresh_token=" + cookie).send(),
                403, "FORBIDDEN", "Invalid CSRF token");
        HttpCall.Reply out = server.post("/api/auth/logout").header("Cookie", "insforge_refresh_token=" + cookie)
                .header("X-CSRF-Token", csrf).send();

        assertThat(out.status()).isEqualTo(200);
        assertThat(setCookie(out, "insforge_refresh_token").orElseThrow()).contains("Expires=Thu, 1 Jan 1970", "Path=/api/auth");
        assertThat(refreshWeb(server, cookie, csrf).status()).isEqualTo(401);
    }

    @Test
    void signOutWithNothingOrAnInvalidTokenStillSucceeds() throws Exception {
        assertThat(server.post("/api/auth/logout").send().status()).isEqualTo(200);
        String foreignSid = hs256(JWT_SECRET, new JWTClaimsSet.Builder().subject(java.util.UUID.randomUUID().toString())
                .claim("role", "authenticated").claim("sid", "not-a-session-id")
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        assertThat(server.post("/api/auth/logout?client_type=mobile").bearer(foreignSid).send().status()).isEqualTo(200);
        assertThat(server.post("/api/auth/logout").header("Cookie", "insforge_refresh_token=garbage").send().status()).isEqualTo(200);
        assertThat(server.post("/api/auth/logout?client_type=mobile").bearer("expired.or.bad").send().status()).isEqualTo(200);
    }

    @Test
    void aRefreshTokenOfAnotherKindOrSignerIsRefused() throws Exception {
        JsonNode session = mobileUser(server, "forged-refresh");
        String subject = session.get("user").get("id").asText();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).claim("type", "refresh").issuer("insforge")
                .claim("csrfNonce", "n").claim("sessionType", "user")
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(600)));

        String unknown = hs256(JWT_SECRET, claims.build());
        assertError(refreshMobile(server, unknown), 401, "AUTH_UNAUTHORIZED", "Refresh token has been revoked or has expired");
        String wrongSecret = hs256("another-secret-another-secret-another-secret", claims.build());
        assertError(refreshMobile(server, wrongSecret), 401, "AUTH_UNAUTHORIZED", "Invalid or expired refresh token");
        String expired = hs256(JWT_SECRET, new JWTClaimsSet.Builder(claims.build())
                .expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
        assertError(refreshMobile(server, expired), 401, "AUTH_UNAUTHORIZED", "Invalid or expired refresh token");
        String adminKind = hs256(JWT_SECRET, new JWTClaimsSet.Builder(claims.build()).claim("sessionType", "admin").build());
        assertError(refreshMobile(server, adminKind), 401, "AUTH_UNAUTHORIZED", "Invalid refresh session type");
        assertError(refreshMobile(server, session.get("accessToken").asText()), 401, "AUTH_UNAUTHORIZED",
                "Invalid or expired refresh token");
    }

    @Test
    void refreshMintsTheCurrentEmailAndFailsOnceTheUserIsGone() throws Exception {
        JsonNode session = mobileUser(server, "changed");
        String userId = session.get("user").get("id").asText();
        Sql.update(server, "UPDATE auth.users SET email = 'renamed-" + userId + "@example.com' WHERE id = ?::uuid", userId);

        HttpCall.Reply refreshed = refreshMobile(server, session.get("refreshToken").asText());
        assertThat(SignedJWT.parse(refreshed.json().get("accessToken").asText()).getJWTClaimsSet().getClaim("email"))
                .isEqualTo("renamed-" + userId + "@example.com");

        Sql.update(server, "DELETE FROM auth.users WHERE id = ?::uuid", userId);
        assertThat(refreshMobile(server, refreshed.json().get("refreshToken").asText()).status()).isEqualTo(401);
    }

    /** Moves the session's rotations back past the grace period, as if the reuse came much later. */
    private static void ageRotations(JsonNode session) {
        Sql.update(server, "UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour' WHERE session_id IN "
                + "(SELECT id FROM auth.sessions WHERE user_id = ?::uuid)", session.get("user").get("id").asText());
    }

    static void assertError(HttpCall.Reply reply, int status, String code, String message) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).as(reply.toString()).isEqualTo(code);
        assertThat(reply.json().get("message").asText()).as(reply.toString()).isEqualTo(message);
        assertThat(reply.json().get("statusCode").asInt()).isEqualTo(status);
    }

    static String hs256(String secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static String hmac(String input) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}

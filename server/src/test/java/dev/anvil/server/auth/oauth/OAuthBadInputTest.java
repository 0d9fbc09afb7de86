package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.auth.Sql;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everything that must not sign anyone in: forged, expired or misplaced state, replayed, expired or
 * wrongly verified codes, provider errors, redirect URIs off the allow-list, unverified provider
 * addresses that would take over an existing account, and malformed requests. Each is a clear error
 * and creates no session.
 */
class OAuthBadInputTest {

    private static OAuthFixture oauth;

    @BeforeAll
    static void start() {
        oauth = OAuthFixture.start("oauth_bad_input", Map.of("ANVIL_RATE_LIMIT_SIGN_UP", "off"));
    }

    @AfterAll
    static void stop() {
        oauth.close();
    }

    private static String email(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    private static int sessions() {
        return Integer.parseInt(Sql.one(oauth.server, "SELECT count(*) FROM auth.sessions"));
    }

    private static int exchangeCodes() {
        return Integer.parseInt(Sql.one(oauth.server, "SELECT count(*) FROM auth.oauth_exchange_codes"));
    }

    /** A genuine state for the custom provider, taken from a started sign-in. */
    private static String startedState(String providerPath, String redirectUri) {
        HttpCall.Reply started = oauth.start(providerPath, redirectUri, OAuthFixture.Pkce.create().challenge(), null);
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        return OAuthFixture.param(started.json().path("authUrl").asText(), "state").orElseThrow();
    }

    private static HttpCall.Reply callback(String providerPath, String query) {
        return oauth.server.get("/api/auth/oauth/" + providerPath + "/callback?" + query).send();
    }

    private static String signedState(byte[] key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet.Builder stateClaims(String provider, Instant expiresAt) {
        return new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("type", "oauth_state")
                .claim("provider", provider).claim("redirectUri", OAuthFixture.APP)
                .claim("codeChallenge", OAuthFixture.Pkce.create().challenge()).expirationTime(Date.from(expiresAt));
    }

    static Stream<Arguments> badStates() {
        byte[] otherKey = new byte[32];
        String accessToken = "access-token";
        return Stream.of(
                Arguments.of("no state", null, "State parameter is required"),
                Arguments.of("garbage", "not-a-token", "Invalid state parameter"),
                Arguments.of("signed with another key",
                        signedState(otherKey, stateClaims("custom:acme", Instant.now().plusSeconds(300)).build()),
                        "Invalid state parameter"),
                Arguments.of("an access token", accessToken, "Invalid state parameter"),
                Arguments.of("expired (genuinely signed)", "expired", "expired state parameter"),
                Arguments.of("for another provider", "google", "Provider mismatch between callback path and state"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStates")
    void aBadStateIsRefusedWithoutARedirect(String what, String state, String message) {
        String presented = switch (String.valueOf(state)) {
            case "access-token" -> oauth.server.userToken(UUID.randomUUID().toString(), "x@example.com");
            case "expired" -> oauth.server.anvil().credentials().accessTokens().signHs256(
                    stateClaims("custom:acme", Instant.now().minusSeconds(120)).build());
            case "google" -> startedState("google", OAuthFixture.APP);
            default -> state;
        };
        int before = exchangeCodes();
        HttpCall.Reply reply = callback("custom/acme", "code=whatever" + (presented == null ? "" : "&state=" + OAuthFixture.encode(presented)));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().path("error").asText()).isEqualTo("INVALID_INPUT");
        assertThat(reply.json().path("message").asText()).contains(message);
        assertThat(exchangeCodes()).isEqualTo(before);
    }

    @Test
    void aCodeWorksOnceWithinFiveMinutesAndOnlyWithItsVerifier() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String code = OAuthFixture.param(oauth.browserSignIn("custom/acme", pkce, "acme-once",
                OAuthFixture.claims(email("once"), true, "Once")), "insforge_code").orElseThrow();
        assertThat(oauth.exchange(code, pkce.verifier(), "mobile").status()).isEqualTo(200);
        int sessions = sessions();

        HttpCall.Reply replayed = oauth.exchange(code, pkce.verifier(), "mobile");
        assertThat(replayed.status()).isEqualTo(400);
        assertThat(replayed.json().path("error").asText()).isEqualTo("INVALID_INPUT");
        assertThat(replayed.json().path("message").asText()).isEqualTo("Invalid or expired code");

        OAuthFixture.Pkce second = OAuthFixture.Pkce.create();
        String wrongVerifierCode = OAuthFixture.param(oauth.browserSignIn("custom/acme", second, "acme-once",
                OAuthFixture.claims(email("once"), true, "Once")), "insforge_code").orElseThrow();
        HttpCall.Reply wrong = oauth.exchange(wrongVerifierCode, OAuthFixture.Pkce.create().verifier(), "mobile");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().path("error").asText()).isEqualTo("AUTH_UNAUTHORIZED");
        assertThat(wrong.json().path("message").asText()).isEqualTo("PKCE verification failed");
        // A wrong verifier uses the code up: no guessing verifiers against one code.
        assertThat(oauth.exchange(wrongVerifierCode, second.verifier(), "mobile").status()).isEqualTo(400);

        OAuthFixture.Pkce third = OAuthFixture.Pkce.create();
        String staleCode = OAuthFixture.param(oauth.browserSignIn("custom/acme", third, "acme-once",
                OAuthFixture.claims(email("once"), true, "Once")), "insforge_code").orElseThrow();
        Sql.update(oauth.server, "UPDATE auth.oauth_exchange_codes SET expires_at = now() - interval '1 second'");
        HttpCall.Reply stale = oauth.exchange(staleCode, third.verifier(), "mobile");
        assertThat(stale.status()).isEqualTo(400);
        assertThat(stale.json().path("message").asText()).isEqualTo("Invalid or expired code");

        assertThat(sessions()).isEqualTo(sessions);
    }

    @Test
    void aProviderErrorIsSentBackToTheAppAsError() {
        String state = startedState("custom/acme", OAuthFixture.APP);
        String app = OAuthFixture.location(callback("custom/acme", "error=access_denied&error_description="
                + OAuthFixture.encode("The user denied access") + "&state=" + OAuthFixture.encode(state)));
        assertThat(app).startsWith(OAuthFixture.APP + "?error=");
        assertThat(OAuthFixture.param(app, "error")).contains("acme sign-in failed: The user denied access");
        assertThat(OAuthFixture.param(app, "insforge_code")).isEmpty();

        // A code the provider does not know: its token endpoint refuses, and so do we.
        String githubState = startedState("github", OAuthFixture.APP);
        String refused = OAuthFixture.location(callback("github", "code=made-up&state=" + OAuthFixture.encode(githubState)));
        assertThat(OAuthFixture.param(refused, "error")).contains("github token exchange failed: The code passed is incorrect or expired.");
    }

    @Test
    void anUnverifiedProviderAddressDoesNotTakeOverAnExistingAccount() {
        String victim = email("victim");
        HttpCall.Reply signUp = oauth.server.post("/api/auth/users?client_type=mobile").bearer(oauth.server.anonKey())
                .json(Map.of("email", victim, "password", "correct-horse-7")).send();
        String userId = signUp.json().path("user").path("id").asText();
        int before = exchangeCodes();

        String app = oauth.browserSignIn("custom/acme", OAuthFixture.Pkce.create(), "acme-attacker",
                OAuthFixture.claims(victim, false, "Mallory"));
        assertThat(OAuthFixture.param(app, "insforge_code")).isEmpty();
        assertThat(OAuthFixture.param(app, "error").orElseThrow()).contains("already exists").contains("has not verified");
        assertThat(Sql.column(oauth.server, "SELECT provider FROM auth.user_providers WHERE user_id = ?::uuid", userId)).isEmpty();

        // GitHub: an unverified primary address is unverified too.
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String viaGitHub = oauth.callback(oauth.signInAtGitHub(oauth.authUrl("github", pkce),
                new GitHubDouble.Account(666, "mallory", "Mallory", victim, List.of(new GitHubDouble.Email(victim, true, false)))));
        assertThat(OAuthFixture.param(viaGitHub, "error").orElseThrow()).contains("has not verified");
        assertThat(exchangeCodes()).isEqualTo(before);
    }

    @Test
    void anUnverifiedAddressOfNobodyMakesAnUnverifiedUser() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String app = oauth.browserSignIn("custom/acme", pkce, "acme-fresh", OAuthFixture.claims(email("fresh"), false, "Fresh"));
        HttpCall.Reply session = oauth.exchange(OAuthFixture.param(app, "insforge_code").orElseThrow(), pkce.verifier(), "mobile");
        assertThat(session.status()).isEqualTo(200);
        assertThat(session.json().path("user").path("emailVerified").asBoolean()).isFalse();
    }

    @Test
    void redirectUrisOffTheAllowListAreRefusedAtTheStartAndAtTheCallback() {
        try {
            String stateForApp = startedState("custom/acme", OAuthFixture.APP);
            oauth.admin("PUT", "/api/auth/config", Map.of("allowedRedirectUrls", List.of("https://app.example.com/**")));

            HttpCall.Reply refused = oauth.start("custom/acme", OAuthFixture.APP, OAuthFixture.Pkce.create().challenge(), null);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().path("message").asText()).isEqualTo(OAuthFixture.APP + " is not in the allowed redirect URLs");
            assertThat(oauth.start("custom/acme", "https://app.example.com/deep/callback",
                    OAuthFixture.Pkce.create().challenge(), null).status()).isEqualTo(200);

            // A sign-in started before the list changed cannot finish towards a URL it no longer allows.
            HttpCall.Reply late = callback("custom/acme", "code=x&state=" + OAuthFixture.encode(stateForApp));
            assertThat(late.status()).isEqualTo(400);
            assertThat(late.json().path("message").asText()).contains("is not in the allowed redirect URLs");
        } finally {
            oauth.admin("PUT", "/api/auth/config", Map.of("allowedRedirectUrls", List.of()));
        }
    }

    @Test
    void disabledSignUpsStopNewOAuthUsersButNotLinkedOnes() {
        String email = email("gate");
        OAuthFixture.Pkce first = OAuthFixture.Pkce.create();
        String app = oauth.browserSignIn("custom/acme", first, "acme-gate", OAuthFixture.claims(email, true, "Gate"));
        assertThat(oauth.exchange(OAuthFixture.param(app, "insforge_code").orElseThrow(), first.verifier(), null).status())
                .isEqualTo(200);
        try {
            oauth.admin("PUT", "/api/auth/config", Map.of("disableSignup", true));
            String refused = oauth.browserSignIn("custom/acme", OAuthFixture.Pkce.create(), "acme-new",
                    OAuthFixture.claims(email("new"), true, "New"));
            assertThat(OAuthFixture.param(refused, "error")).contains("User signups are disabled for this project.");
            String again = oauth.browserSignIn("custom/acme", OAuthFixture.Pkce.create(), "acme-gate",
                    OAuthFixture.claims(email, true, "Gate"));
            assertThat(OAuthFixture.param(again, "insforge_code")).isPresent();
        } finally {
            oauth.admin("PUT", "/api/auth/config", Map.of("disableSignup", false));
        }
    }

    static Stream<Arguments> badStarts() {
        String challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        String app = OAuthFixture.encode(OAuthFixture.APP);
        return Stream.of(
                Arguments.of("myspace?redirect_uri=" + app + "&code_challenge=" + challenge, 400, "INVALID_INPUT",
                        "Unsupported OAuth provider: myspace. Supported providers: google, github"),
                Arguments.of("instagram?redirect_uri=" + app + "&code_challenge=" + challenge, 501, "AUTH_UNSUPPORTED_PROVIDER",
                        "OAuth provider 'instagram' is not implemented yet."),
                Arguments.of("google?code_challenge=" + challenge, 400, "INVALID_INPUT", "redirect_uri: Redirect URI is required"),
                Arguments.of("google?redirect_uri=not%20a%20url&code_challenge=" + challenge, 400, "INVALID_INPUT",
                        "redirect_uri: Invalid url"),
                Arguments.of("google?redirect_uri=" + app, 400, "INVALID_INPUT", "code_challenge: Required"),
                Arguments.of("google?redirect_uri=" + app + "&code_challenge=short", 400, "INVALID_INPUT",
                        "code_challenge: Code challenge must be at least 43 characters"),
                Arguments.of("google?redirect_uri=" + app + "&code_challenge=" + challenge.replace('-', '+'), 400,
                        "INVALID_INPUT", "code_challenge: Code challenge must be base64url encoded"),
                Arguments.of("google", 400, "INVALID_INPUT", "redirect_uri: Redirect URI is required, code_challenge: Required"),
                Arguments.of("custom/Not_Valid?redirect_uri=" + app + "&code_challenge=" + challenge, 400, "INVALID_INPUT",
                        "Invalid custom OAuth key"),
                Arguments.of("custom/nobody?redirect_uri=" + app + "&code_challenge=" + challenge, 404, "NOT_FOUND",
                        "Custom OAuth provider nobody is not configured."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStarts")
    void badStartsAreRefused(String pathAndQuery, int status, String error, String message) {
        HttpCall.Reply reply = oauth.server.get("/api/auth/oauth/" + pathAndQuery).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().path("error").asText()).isEqualTo(error);
        assertThat(reply.json().path("message").asText()).startsWith(message);
    }

    static Stream<Arguments> badExchanges() {
        String verifier = OAuthFixture.Pkce.create().verifier();
        return Stream.of(
                Arguments.of("{}", "code: Required, code_verifier: Required"),
                Arguments.of("{\"code\":\"\",\"code_verifier\":\"" + verifier + "\"}", "code: Exchange code is required"),
                Arguments.of("{\"code\":\"abc\",\"code_verifier\":\"short\"}", "code_verifier: Code verifier must be at least 43 characters"),
                Arguments.of("{\"code\":\"abc\",\"code_verifier\":\"" + "a".repeat(129) + "\"}",
                        "code_verifier: Code verifier must be at most 128 characters"),
                Arguments.of("{\"code\":\"abc\",\"code_verifier\":\"" + verifier.substring(1) + "=\"}",
                        "code_verifier: Code verifier must be base64url encoded"),
                Arguments.of("{\"code\":\"never-issued\",\"code_verifier\":\"" + verifier + "\"}", "Invalid or expired code"),
                Arguments.of("{\"code\":7,\"code_verifier\":\"" + verifier + "\"}", "code: Expected string, received number"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badExchanges")
    void badExchangesAreRefused(String body, String message) {
        HttpCall.Reply reply = oauth.server.post("/api/auth/oauth/exchange").json(body).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().path("error").asText()).isEqualTo("INVALID_INPUT");
        assertThat(reply.json().path("message").asText()).isEqualTo(message);
        assertThat(reply.header("Set-Cookie")).isEmpty();
    }
}

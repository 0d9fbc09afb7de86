package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.auth.Sql;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The full browser flow against real providers on loopback: authorization URL → the provider's login
 * → our callback → the app's redirect with {@code insforge_code} → exchange with the PKCE verifier →
 * a session like a password sign-in. For a custom OpenID Connect provider (discovery), Google (ID
 * token checked against the provider's JWKS) and GitHub (REST user and e-mail endpoints).
 */
class OAuthFlowTest {

    private static OAuthFixture oauth;

    @BeforeAll
    static void start() {
        oauth = OAuthFixture.start("oauth_flow", Map.of("ANVIL_RATE_LIMIT_SIGN_UP", "off"));
    }

    @AfterAll
    static void stop() {
        oauth.close();
    }

    private static String email(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void customOidcProviderSignsANewUserInThroughTheBrowserFlow() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String email = email("ada");
        String app = oauth.browserSignIn("custom/acme", pkce, "acme-ada", OAuthFixture.claims(email, true, "Ada"));

        assertThat(app).startsWith(OAuthFixture.APP + "?insforge_code=");
        String code = OAuthFixture.param(app, "insforge_code").orElseThrow();
        HttpCall.Reply session = oauth.exchange(code, pkce.verifier(), null);

        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        JsonNode body = session.json();
        assertThat(body.path("csrfToken").asText()).isNotEmpty();
        assertThat(body.has("refreshToken")).isFalse();
        assertThat(session.header("Set-Cookie").orElseThrow()).startsWith("insforge_refresh_token=").contains("HttpOnly");
        JsonNode user = body.path("user");
        assertThat(user.path("email").asText()).isEqualTo(email);
        assertThat(user.path("emailVerified").asBoolean()).isTrue();
        assertThat(user.path("providers")).extracting(JsonNode::asText).containsExactly("acme");
        assertThat(user.path("profile").path("name").asText()).isEqualTo("Ada");
        assertThat(user.path("profile").path("avatar_url").asText()).isEqualTo("https://pics.example/Ada");

        HttpCall.Reply current = oauth.server.get("/api/auth/sessions/current").bearer(body.path("accessToken").asText()).send();
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().path("user").path("id").asText()).isEqualTo(user.path("id").asText());
        assertThat(Sql.one(oauth.server, "SELECT provider_account_id FROM auth.user_providers WHERE user_id = ?::uuid",
                user.path("id").asText())).isEqualTo("acme-ada");
    }

    @Test
    void googleSignInChecksTheIdTokenAndAnswersMobileClientsWithARefreshToken() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String authUrl = oauth.authUrl("google", pkce);
        assertThat(authUrl).startsWith(oauth.oidc.authorizationEndpointUrl("google").toString());
        assertThat(OAuthFixture.param(authUrl, "client_id")).contains(OAuthFixture.GOOGLE_CLIENT_ID);
        assertThat(OAuthFixture.param(authUrl, "redirect_uri"))
                .contains(oauth.server.anvil().baseUrl() + "/api/auth/oauth/google/callback");
        assertThat(OAuthFixture.param(authUrl, "scope")).contains("openid email profile");
        assertThat(OAuthFixture.param(authUrl, "code_challenge_method")).contains("S256");
        // The provider gets a challenge of our own, not the app's.
        assertThat(OAuthFixture.param(authUrl, "code_challenge").orElseThrow()).hasSize(43).isNotEqualTo(pkce.challenge());

        String email = email("grace");
        String app = oauth.callback(oauth.signInAtOidc(authUrl, "google-grace", OAuthFixture.claims(email, true, "Grace")));
        HttpCall.Reply session = oauth.exchange(OAuthFixture.param(app, "insforge_code").orElseThrow(), pkce.verifier(), "mobile");

        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        assertThat(session.header("Set-Cookie")).isEmpty();
        assertThat(session.json().path("user").path("providers")).extracting(JsonNode::asText).containsExactly("google");
        String refreshToken = session.json().path("refreshToken").asText();
        HttpCall.Reply refreshed = oauth.server.post("/api/auth/refresh?client_type=mobile")
                .json(Map.of("refreshToken", refreshToken)).send();
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(refreshed.json().path("user").path("email").asText()).isEqualTo(email);
    }

    @Test
    void gitHubSignInUsesThePrimaryVerifiedAddress() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String primary = email("linus");
        GitHubDouble.Account account = new GitHubDouble.Account(4242, "linus", "Linus T", null, List.of(
                new GitHubDouble.Email(email("old"), false, true), new GitHubDouble.Email(primary, true, true)));
        String authUrl = oauth.authUrl("github", pkce);
        assertThat(authUrl).startsWith(oauth.github.webUrl() + "/login/oauth/authorize?");
        assertThat(OAuthFixture.param(authUrl, "scope")).contains("user:email");

        String app = oauth.callback(oauth.signInAtGitHub(authUrl, account));
        HttpCall.Reply session = oauth.exchange(OAuthFixture.param(app, "insforge_code").orElseThrow(), pkce.verifier(), null);

        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        JsonNode user = session.json().path("user");
        assertThat(user.path("email").asText()).isEqualTo(primary);
        assertThat(user.path("emailVerified").asBoolean()).isTrue();
        assertThat(user.path("providers")).extracting(JsonNode::asText).containsExactly("github");
        assertThat(user.path("profile").path("name").asText()).isEqualTo("Linus T");
        assertThat(Sql.one(oauth.server, "SELECT provider_data->>'login' FROM auth.user_providers WHERE provider_account_id = '4242'"))
                .isEqualTo("linus");
    }

    @Test
    void aVerifiedProviderAddressLinksToTheExistingUserAndMarksItVerified() {
        String email = email("link");
        HttpCall.Reply signUp = oauth.server.post("/api/auth/users?client_type=mobile").bearer(oauth.server.anonKey())
                .json(Map.of("email", email, "password", "correct-horse-7")).send();
        assertThat(signUp.status()).as(signUp.toString()).isEqualTo(200);
        String userId = signUp.json().path("user").path("id").asText();
        assertThat(signUp.json().path("user").path("emailVerified").asBoolean()).isFalse();

        JsonNode viaGoogle = signIn("google", "google-link-" + email, OAuthFixture.claims(email.toUpperCase(), true, "Link"));
        assertThat(viaGoogle.path("id").asText()).isEqualTo(userId);
        assertThat(viaGoogle.path("emailVerified").asBoolean()).isTrue();
        assertThat(viaGoogle.path("providers")).extracting(JsonNode::asText).containsExactly("email", "google");

        JsonNode viaAcme = signIn("custom/acme", "acme-link-" + email, OAuthFixture.claims(email, true, "Link"));
        assertThat(viaAcme.path("id").asText()).isEqualTo(userId);
        assertThat(viaAcme.path("providers")).extracting(JsonNode::asText).containsExactly("email", "acme", "google");

        // The linked account now signs in by its provider id, whatever address it shows later.
        JsonNode again = signIn("google", "google-link-" + email, OAuthFixture.claims(email("renamed"), true, "Link"));
        assertThat(again.path("id").asText()).isEqualTo(userId);
        assertThat(again.path("email").asText()).isEqualTo(email);
        // The password still works: linking adds a way in, it takes none away.
        assertThat(oauth.server.post("/api/auth/sessions").json(Map.of("email", email, "password", "correct-horse-7"))
                .send().status()).isEqualTo(200);
    }

    @Test
    void aCodeIssuedByOneReplicaIsExchangedAtAnother() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String app = oauth.browserSignIn("custom/acme", pkce, "acme-replica", OAuthFixture.claims(email("replica"), true, "R"));
        String code = OAuthFixture.param(app, "insforge_code").orElseThrow();
        try (TestServer replica = oauth.server.replica()) {
            HttpCall.Reply session = replica.post("/api/auth/oauth/exchange?client_type=mobile")
                    .json(Map.of("code", code, "code_verifier", pkce.verifier())).send();
            assertThat(session.status()).as(session.toString()).isEqualTo(200);
        }
        // …and, used there, it is used everywhere.
        assertThat(oauth.exchange(code, pkce.verifier(), "mobile").status()).isEqualTo(400);
    }

    @Test
    void extraQueryParametersGoToTheProviderButCannotReplaceOurs() {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        HttpCall.Reply reply = oauth.start("google", OAuthFixture.APP, pkce.challenge(),
                "prompt=consent&login_hint=someone%40example.com&client_id=evil&state=forged&redirect_uri=https%3A%2F%2Fevil.example");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String authUrl = reply.json().path("authUrl").asText();
        assertThat(OAuthFixture.param(authUrl, "prompt")).contains("consent");
        assertThat(OAuthFixture.param(authUrl, "login_hint")).contains("someone@example.com");
        assertThat(OAuthFixture.param(authUrl, "client_id")).contains(OAuthFixture.GOOGLE_CLIENT_ID);
        assertThat(OAuthFixture.param(authUrl, "state").orElseThrow()).isNotEqualTo("forged");
        assertThat(authUrl).doesNotContain("evil");
    }

    @Test
    void publicConfigListsTheConfiguredProviders() {
        JsonNode config = oauth.server.get("/api/auth/public-config").send().json();
        assertThat(config.path("oAuthProviders")).extracting(JsonNode::asText).containsExactly("github", "google");
        assertThat(config.path("customOAuthProviders")).extracting(JsonNode::asText).containsExactly("acme");
    }

    /** A complete sign-in; the user of the session. */
    private static JsonNode signIn(String providerPath, String subject, Map<String, Object> claims) {
        OAuthFixture.Pkce pkce = OAuthFixture.Pkce.create();
        String app = oauth.browserSignIn(providerPath, pkce, subject, claims);
        HttpCall.Reply session = oauth.exchange(OAuthFixture.param(app, "insforge_code")
                .orElseThrow(() -> new AssertionError("no code in " + app)), pkce.verifier(), "mobile");
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        return session.json().path("user");
    }
}

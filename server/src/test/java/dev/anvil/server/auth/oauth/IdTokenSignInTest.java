package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.testing.HttpCall;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/auth/id-token} with Google ID tokens minted by a real OpenID Connect server whose
 * JWKS the server is pointed at: accepted for the web or a native client id; refused when the
 * audience, issuer, expiry or signature is wrong.
 */
class IdTokenSignInTest {

    private static OAuthFixture oauth;

    @BeforeAll
    static void start() {
        oauth = OAuthFixture.start("oauth_id_token", Map.of("ANVIL_RATE_LIMIT_SIGN_UP", "off"));
    }

    @AfterAll
    static void stop() {
        oauth.close();
    }

    private static String idToken(String issuer, String audience, Map<String, Object> claims, long expirySeconds) {
        return oauth.oidc.issueToken(issuer, audience, new DefaultOAuth2TokenCallback(issuer, "google-" + UUID.randomUUID(),
                "JWT", List.of(audience), claims, expirySeconds)).serialize();
    }

    private static HttpCall.Reply signIn(String provider, String token) {
        return oauth.server.post("/api/auth/id-token?client_type=mobile").json(Map.of("provider", provider, "token", token)).send();
    }

    private static Map<String, Object> claims(String email, boolean verified) {
        return Map.of("email", email, "email_verified", verified, "name", "Native", "picture", "https://pics.example/n");
    }

    @Test
    void aGoogleIdTokenForANativeOrTheWebClientSignsIn() {
        for (String audience : List.of(OAuthFixture.GOOGLE_NATIVE_CLIENT_ID, OAuthFixture.GOOGLE_CLIENT_ID)) {
            String email = "native-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
            HttpCall.Reply reply = signIn("google", idToken("google", audience, claims(email, true), 3600));
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            JsonNode body = reply.json();
            assertThat(body.path("refreshToken").asText()).isNotEmpty();
            assertThat(body.path("user").path("email").asText()).isEqualTo(email);
            assertThat(body.path("user").path("providers")).extracting(JsonNode::asText).containsExactly("google");
            assertThat(oauth.server.get("/api/auth/sessions/current").bearer(body.path("accessToken").asText()).send().status())
                    .isEqualTo(200);
        }
    }

    @Test
    void badTokensAreRefused() throws Exception {
        String email = "bad-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String genuine = idToken("google", OAuthFixture.GOOGLE_NATIVE_CLIENT_ID, claims(email, true), 3600);
        RSAKey otherKey = new RSAKeyGenerator(2048).keyID(SignedJWT.parse(genuine).getHeader().getKeyID()).generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(otherKey.getKeyID()).build(),
                SignedJWT.parse(genuine).getJWTClaimsSet());
        forged.sign(new RSASSASigner(otherKey));

        record Case(String what, String token, String message) {
        }
        List<Case> cases = List.of(
                new Case("another app's token", idToken("google", "someone-elses-client", claims(email, true), 3600),
                        "ID token was issued for another client"),
                new Case("expired", idToken("google", OAuthFixture.GOOGLE_NATIVE_CLIENT_ID, claims(email, true), -120),
                        "ID token has expired"),
                new Case("forged signature", forged.serialize(), "ID token signature is invalid"),
                new Case("another issuer", idToken("acme", OAuthFixture.GOOGLE_NATIVE_CLIENT_ID, claims(email, true), 3600), ""),
                new Case("garbage", "not.a.token", "ID token is malformed"));
        for (Case c : cases) {
            HttpCall.Reply reply = signIn("google", c.token());
            assertThat(reply.status()).as(c.what() + ": " + reply).isEqualTo(400);
            assertThat(reply.json().path("error").asText()).as(c.what()).isEqualTo("INVALID_INPUT");
            assertThat(reply.json().path("message").asText()).as(c.what()).startsWith("Failed to verify Google ID token: " + c.message());
        }
        HttpCall.Reply apple = signIn("apple", genuine);
        assertThat(apple.json().path("message").asText()).isEqualTo("Provider apple is not supported for ID token sign-in. Supported: google");
        assertThat(oauth.server.post("/api/auth/id-token").json(Map.of("provider", "google")).send().json().path("message").asText())
                .isEqualTo("token: Required");
    }

    @Test
    void anUnverifiedAddressInAnIdTokenDoesNotTakeOverAnAccount() {
        String email = "owner-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(oauth.server.post("/api/auth/users?client_type=mobile").bearer(oauth.server.anonKey())
                .json(Map.of("email", email, "password", "correct-horse-7")).send().status()).isEqualTo(200);
        HttpCall.Reply reply = signIn("google", idToken("google", OAuthFixture.GOOGLE_NATIVE_CLIENT_ID, claims(email, false), 3600));
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.json().path("message").asText()).contains("has not verified");
    }
}

package dev.anvil.server.auth.oauth;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * A server with its OAuth providers: a real OpenID Connect server (mock-oauth2-server, with its
 * interactive login form) serving as Google (issuer {@code google}) and as a custom provider found by
 * discovery (issuer {@code acme}), and a GitHub stand-in. Also walks the browser part of the flow.
 */
final class OAuthFixture implements AutoCloseable {

    static final String GOOGLE_CLIENT_ID = "google-web-client";
    static final String GOOGLE_CLIENT_SECRET = "google-client-secret";
    static final String GOOGLE_NATIVE_CLIENT_ID = "google-ios-client";
    static final String CUSTOM_KEY = "acme";
    static final String CUSTOM_CLIENT_ID = "acme-client";
    static final String CUSTOM_CLIENT_SECRET = "acme-client-secret";
    static final String APP = "http://localhost:5173/auth/callback";

    final MockOAuth2Server oidc;
    final GitHubDouble github;
    final TestServer server;

    private OAuthFixture(MockOAuth2Server oidc, GitHubDouble github, TestServer server) {
        this.oidc = oidc;
        this.github = github;
        this.server = server;
    }

    /** Starts the providers and a server pointed at them, with Google, GitHub and the custom provider configured. */
    static OAuthFixture start(String purpose, Map<String, String> settings) {
        MockOAuth2Server oidc = new MockOAuth2Server(new OAuth2Config(true));
        oidc.start();
        GitHubDouble github = GitHubDouble.start();
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(providerSettings(oidc, github));
        OAuthFixture fixture = new OAuthFixture(oidc, github, TestServer.start(purpose, all));
        fixture.configureProviders();
        return fixture;
    }

    /** Where the server finds Google and GitHub (their real endpoints in production). */
    static Map<String, String> providerSettings(MockOAuth2Server oidc, GitHubDouble github) {
        return Map.of(
                "ANVIL_OAUTH_GOOGLE_AUTHORIZE_URL", oidc.authorizationEndpointUrl("google").toString(),
                "ANVIL_OAUTH_GOOGLE_TOKEN_URL", oidc.tokenEndpointUrl("google").toString(),
                "ANVIL_OAUTH_GOOGLE_JWKS_URL", oidc.jwksUrl("google").toString(),
                "ANVIL_OAUTH_GOOGLE_ISSUER", oidc.issuerUrl("google").toString(),
                "ANVIL_OAUTH_GITHUB_URL", github.webUrl(),
                "ANVIL_OAUTH_GITHUB_API_URL", github.apiUrl(),
                "ANVIL_OAUTH_HTTP_TIMEOUT_SECONDS", "5");
    }

    private void configureProviders() {
        admin("POST", "/api/auth/oauth/configs", Map.of("provider", "google", "clientId", GOOGLE_CLIENT_ID,
                "clientSecret", GOOGLE_CLIENT_SECRET, "nativeClientIds", List.of(GOOGLE_NATIVE_CLIENT_ID), "useSharedKey", false));
        admin("POST", "/api/auth/oauth/configs", Map.of("provider", "github", "clientId", GitHubDouble.CLIENT_ID,
                "clientSecret", GitHubDouble.CLIENT_SECRET, "useSharedKey", false));
        admin("POST", "/api/auth/oauth/custom/configs", Map.of("key", CUSTOM_KEY, "name", "Acme SSO",
                "discoveryEndpoint", oidc.wellKnownUrl(CUSTOM_KEY).toString(), "clientId", CUSTOM_CLIENT_ID,
                "clientSecret", CUSTOM_CLIENT_SECRET));
    }

    HttpCall.Reply admin(String method, String path, Object body) {
        HttpCall call = server.call(method, path).bearer(server.apiKey());
        HttpCall.Reply reply = (body == null ? call : call.json(body)).send();
        if (reply.status() != 200) {
            throw new AssertionError(method + " " + path + " failed: " + reply);
        }
        return reply;
    }

    /** A PKCE pair as the SDK makes it: 32 random bytes base64url, and its S256 challenge. */
    record Pkce(String verifier, String challenge) {
        static Pkce create() {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code GET /api/auth/oauth/<path>?redirect_uri=&code_challenge=&extra}: the reply. */
    HttpCall.Reply start(String providerPath, String redirectUri, String challenge, String extraQuery) {
        String query = "?redirect_uri=" + encode(redirectUri) + "&code_challenge=" + encode(challenge)
                + (extraQuery == null ? "" : "&" + extraQuery);
        return server.get("/api/auth/oauth/" + providerPath + query).send();
    }

    /** The authorization URL of a sign-in that will land on {@link #APP}. */
    String authUrl(String providerPath, Pkce pkce) {
        HttpCall.Reply reply = start(providerPath, APP, pkce.challenge(), null);
        if (reply.status() != 200) {
            throw new AssertionError("start failed: " + reply);
        }
        return reply.json().path("authUrl").asText();
    }

    /**
     * Signs in at the OIDC server like a person: opens its login page, submits the form with a
     * username (the {@code sub}) and the claims to put in the tokens. Returns where the provider
     * sends the browser (our callback).
     */
    String signInAtOidc(String authUrl, String username, Map<String, Object> claims) {
        HttpCall.Reply page = get(authUrl);
        if (page.status() != 200 || !page.text().contains("<form")) {
            throw new AssertionError("expected the provider's login form: " + page);
        }
        String form = "username=" + encode(username) + "&claims=" + encode(Json.string(claims));
        HttpCall.Reply submitted = HttpCall.to(authUrl, "POST", "")
                .body("application/x-www-form-urlencoded", form.getBytes(StandardCharsets.UTF_8)).send();
        return location(submitted);
    }

    /** Signs in at the GitHub stand-in as {@code account}; returns where GitHub sends the browser. */
    String signInAtGitHub(String authUrl, GitHubDouble.Account account) {
        github.nextSignIn(account);
        return location(get(authUrl));
    }

    /** Follows our callback; returns where it sends the browser (the app). */
    String callback(String callbackUrl) {
        return location(get(callbackUrl));
    }

    /** The whole browser part for an OIDC provider: the app URL the server finally redirects to. */
    String browserSignIn(String providerPath, Pkce pkce, String username, Map<String, Object> claims) {
        return callback(signInAtOidc(authUrl(providerPath, pkce), username, claims));
    }

    HttpCall.Reply exchange(String code, String verifier, String clientType) {
        return server.post("/api/auth/oauth/exchange" + (clientType == null ? "" : "?client_type=" + clientType))
                .json(Map.of("code", code, "code_verifier", verifier)).send();
    }

    static HttpCall.Reply get(String url) {
        return HttpCall.to(url, "GET", "").send();
    }

    static String location(HttpCall.Reply reply) {
        if (reply.status() != 302) {
            throw new AssertionError("expected a redirect: " + reply);
        }
        return reply.header("Location").orElseThrow();
    }

    /** A query parameter of a URL, decoded. */
    static Optional<String> param(String url, String name) {
        String query = URI.create(url).getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static Map<String, Object> claims(String email, boolean verified, String name) {
        return Map.of("email", email, "email_verified", verified, "name", name, "picture", "https://pics.example/" + name);
    }

    @Override
    public void close() {
        server.close();
        github.close();
        oidc.shutdown();
    }
}

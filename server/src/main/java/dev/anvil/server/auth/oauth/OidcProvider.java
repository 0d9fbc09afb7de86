package dev.anvil.server.auth.oauth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * An OpenID Connect provider, authorization-code flow with PKCE towards the provider: Google (fixed
 * endpoints; identity from the ID token, checked against Google's keys) and custom providers found by
 * their discovery document (identity from the user-info endpoint, as InsForge does).
 */
final class OidcProvider implements OAuthProvider {

    /** Where the account's identity is read from after the token exchange. */
    enum IdentitySource { ID_TOKEN, USER_INFO }

    /** The provider's endpoints; {@code userInfo} or {@code jwks} (+ {@code issuers}) per identity source. */
    record Endpoints(String authorization, String token, String userInfo, String jwks, Set<String> issuers) {
    }

    private final String name;
    private final Endpoints endpoints;
    private final OAuthClient client;
    private final String callbackUrl;
    private final IdentitySource source;
    private final ProviderHttp http;
    private final IdTokenVerifier idTokens;

    OidcProvider(String name, Endpoints endpoints, OAuthClient client, String callbackUrl, IdentitySource source,
                 ProviderHttp http, IdTokenVerifier idTokens) {
        this.name = name;
        this.endpoints = endpoints;
        this.client = client;
        this.callbackUrl = callbackUrl;
        this.source = source;
        this.http = http;
        this.idTokens = idTokens;
    }

    @Override
    public String authorizationUrl(String state, String providerPkce, Map<String, String> additionalParams) {
        return AuthorizationUrl.of(endpoints.authorization())
                .set("client_id", client.clientId())
                .set("redirect_uri", callbackUrl)
                .set("response_type", "code")
                .set("scope", String.join(" ", client.scopes()))
                .set("state", state)
                .set("code_challenge", providerPkce)
                .set("code_challenge_method", "S256")
                .extra(additionalParams)
                .build();
    }

    @Override
    public ProviderIdentity identify(String code, String providerVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", callbackUrl);
        form.put("client_id", client.clientId());
        form.put("client_secret", client.clientSecret());
        form.put("code_verifier", providerVerifier);
        JsonNode tokens = http.postForm(name, "token exchange", endpoints.token(), form);
        JsonNode claims = switch (source) {
            case ID_TOKEN -> idTokenClaims(tokens);
            case USER_INFO -> userInfo(tokens);
        };
        return identity(name, claims);
    }

    private JsonNode idTokenClaims(JsonNode tokens) {
        String idToken = tokens.path("id_token").asText("");
        if (idToken.isEmpty()) {
            throw new ProviderException(name + " token response has no id_token");
        }
        try {
            return Json.mapper().valueToTree(idTokens.verify(name, idToken, endpoints.jwks(), endpoints.issuers(),
                    Set.of(client.clientId())).toJSONObject());
        } catch (IdTokenVerifier.InvalidIdToken e) {
            throw new ProviderException(e.getMessage());
        }
    }

    private JsonNode userInfo(JsonNode tokens) {
        String accessToken = tokens.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            throw new ProviderException(name + " token response has no access_token");
        }
        JsonNode profile = http.getJson(name, "user info request", endpoints.userInfo(), accessToken);
        if (!profile.isObject()) {
            throw new ProviderException(name + " user info is not a JSON object");
        }
        return profile;
    }

    /**
     * Standard OIDC claims ({@code sub}, {@code email}, {@code email_verified}, {@code name},
     * {@code picture}), with the fallbacks InsForge accepts from non-standard user-info endpoints
     * ({@code id}/{@code user_id}, {@code preferred_username}, {@code avatar_url}).
     */
    static ProviderIdentity identity(String provider, JsonNode claims) {
        String accountId = scalar(claims, List.of("sub", "id", "user_id"));
        String email = scalar(claims, List.of("email"));
        if (accountId.isEmpty() || email.isEmpty()) {
            throw new ProviderException(provider + " profile must include a user identifier (sub) and an email");
        }
        JsonNode verified = claims.path("email_verified");
        // Google sent email_verified as the string "true" in older tokens.
        boolean emailVerified = verified.isBoolean() ? verified.booleanValue() : "true".equals(verified.asText());
        String name = scalar(claims, List.of("name", "preferred_username"));
        String picture = scalar(claims, List.of("picture", "avatar_url"));
        return new ProviderIdentity(provider, accountId, email.toLowerCase(Locale.ROOT).trim(), emailVerified,
                name.isEmpty() ? email.split("@")[0] : name, picture, (ObjectNode) claims.deepCopy());
    }

    private static String scalar(JsonNode claims, List<String> names) {
        for (String field : names) {
            JsonNode value = claims.path(field);
            if (value.isTextual() || value.isNumber()) {
                String text = value.asText().trim();
                if (!text.isEmpty()) {
                    return text;
                }
            }
        }
        return "";
    }
}

package dev.anvil.server.auth.oauth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * GitHub (OAuth 2, not OpenID Connect): {@code /login/oauth/authorize}, then
 * {@code /login/oauth/access_token}, then the API's {@code GET /user} for the account and
 * {@code GET /user/emails} for which addresses GitHub has verified. The address used is the primary
 * one; an account without a usable address gets GitHub's no-reply address, as InsForge does, which
 * counts as unverified.
 */
final class GitHubProvider implements OAuthProvider {

    static final String NAME = "github";

    private final String webUrl;
    private final String apiUrl;
    private final OAuthClient client;
    private final String callbackUrl;
    private final ProviderHttp http;

    GitHubProvider(String webUrl, String apiUrl, OAuthClient client, String callbackUrl, ProviderHttp http) {
        this.webUrl = webUrl;
        this.apiUrl = apiUrl;
        this.client = client;
        this.callbackUrl = callbackUrl;
        this.http = http;
    }

    @Override
    public String authorizationUrl(String state, String providerPkce, Map<String, String> additionalParams) {
        return AuthorizationUrl.of(webUrl + "/login/oauth/authorize")
                .set("client_id", client.clientId())
                .set("redirect_uri", callbackUrl)
                .set("scope", String.join(" ", client.scopes()))
                .set("state", state)
                .extra(additionalParams)
                .build();
    }

    @Override
    public ProviderIdentity identify(String code, String providerVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", client.clientId());
        form.put("client_secret", client.clientSecret());
        form.put("code", code);
        form.put("redirect_uri", callbackUrl);
        JsonNode token = http.postForm(NAME, "token exchange", webUrl + "/login/oauth/access_token", form);
        String accessToken = token.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            // GitHub answers 200 with {error, error_description} for a bad or used code.
            throw new ProviderException(NAME + " token exchange failed" + ProviderHttp.describeError(token));
        }
        JsonNode user = http.getJson(NAME, "user request", apiUrl + "/user", accessToken);
        String id = user.path("id").asText("");
        String login = user.path("login").asText("");
        if (id.isEmpty() || login.isEmpty()) {
            throw new ProviderException(NAME + " user has no id or login");
        }
        Email email = primaryEmail(accessToken, user, login);
        ObjectNode profile = Json.object();
        profile.put("id", user.path("id").asLong());
        profile.put("login", login);
        profile.set("name", user.path("name").isTextual() ? user.get("name") : null);
        profile.put("email", email.address());
        profile.set("avatar_url", user.path("avatar_url").isTextual() ? user.get("avatar_url") : null);
        String name = user.path("name").asText("");
        return new ProviderIdentity(NAME, id, email.address(), email.verified(), name.isBlank() ? login : name,
                user.path("avatar_url").asText(""), profile);
    }

    private record Email(String address, boolean verified) {
    }

    /** The primary address from {@code /user/emails} (with GitHub's verified flag), else a fallback. */
    private Email primaryEmail(String accessToken, JsonNode user, String login) {
        JsonNode emails;
        try {
            emails = http.getJson(NAME, "e-mail request", apiUrl + "/user/emails", accessToken);
        } catch (ProviderException e) {
            // The user:email scope was not granted; the public address is all there is, unverified.
            emails = Json.mapper().createArrayNode();
        }
        JsonNode chosen = null;
        for (JsonNode entry : emails) {
            if (entry.path("primary").asBoolean(false) && entry.path("email").isTextual()) {
                chosen = entry;
            }
        }
        if (chosen == null) {
            for (JsonNode entry : emails) {
                if (entry.path("verified").asBoolean(false) && entry.path("email").isTextual()) {
                    chosen = entry;
                    break;
                }
            }
        }
        if (chosen != null) {
            return new Email(lower(chosen.get("email").asText()), chosen.path("verified").asBoolean(false));
        }
        String publicEmail = user.path("email").asText("");
        return new Email(lower(publicEmail.isBlank() ? login + "@users.noreply.github.com" : publicEmail), false);
    }

    private static String lower(String email) {
        return email.toLowerCase(Locale.ROOT).trim();
    }
}

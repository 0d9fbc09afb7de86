package dev.anvil.server.auth.oauth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.ApiException;

/**
 * Builds the {@link OAuthProvider} for a sign-in from the stored config (read fresh each time, so
 * an admin's change applies at once on every replica) and the endpoint settings. The redirect URI
 * registered at each provider is {@code <API_BASE_URL>/api/auth/oauth/<provider>/callback}
 * ({@code …/custom/<key>/callback} for custom providers).
 */
final class Providers {

    static final String CUSTOM_PREFIX = "custom:";
    private static final String GOOGLE_ISSUER_DEFAULT = "https://accounts.google.com";
    private static final Duration DISCOVERY_CACHE = Duration.ofMinutes(5);

    private final OAuthConfigStore configs;
    private final ProviderHttp http;
    private final IdTokenVerifier idTokens;
    private final Supplier<String> baseUrl;
    private final Clock clock;
    private final OidcProvider.Endpoints google;
    private final String githubUrl;
    private final String githubApiUrl;
    private final ConcurrentHashMap<String, Discovered> discovery = new ConcurrentHashMap<>();

    private record Discovered(OidcProvider.Endpoints endpoints, Instant fetchedAt) {
    }

    Providers(AnvilConfig config, OAuthConfigStore configs, ProviderHttp http, IdTokenVerifier idTokens,
              Supplier<String> baseUrl, Clock clock) {
        this.configs = configs;
        this.http = http;
        this.idTokens = idTokens;
        this.baseUrl = baseUrl;
        this.clock = clock;
        String issuer = config.get(OAuthSettings.GOOGLE_ISSUER);
        // Google names itself with and without the scheme in its ID tokens.
        Set<String> issuers = issuer.equals(GOOGLE_ISSUER_DEFAULT) ? Set.of(issuer, "accounts.google.com") : Set.of(issuer);
        this.google = new OidcProvider.Endpoints(config.get(OAuthSettings.GOOGLE_AUTHORIZE_URL),
                config.get(OAuthSettings.GOOGLE_TOKEN_URL), null, config.get(OAuthSettings.GOOGLE_JWKS_URL), issuers);
        this.githubUrl = OAuthSettings.baseUrl(config, OAuthSettings.GITHUB_URL);
        this.githubApiUrl = OAuthSettings.baseUrl(config, OAuthSettings.GITHUB_API_URL);
    }

    /** Google's endpoints and accepted issuers, for checking ID tokens outside a redirect flow. */
    OidcProvider.Endpoints googleEndpoints() {
        return google;
    }

    /** The provider a sign-in goes through: a built-in name or {@code custom:<key>}. */
    OAuthProvider forName(String provider) {
        if (provider.startsWith(CUSTOM_PREFIX)) {
            return custom(provider.substring(CUSTOM_PREFIX.length()));
        }
        BuiltInProvider builtIn = BuiltInProvider.find(provider)
                .orElseThrow(() -> ApiException.invalidInput("Unsupported OAuth provider: " + provider));
        return builtIn(builtIn);
    }

    private OAuthProvider builtIn(BuiltInProvider provider) {
        if (!provider.implemented()) {
            throw new ApiException(501, "AUTH_UNSUPPORTED_PROVIDER",
                    "OAuth provider '" + provider.wireName() + "' is not implemented yet.");
        }
        String name = provider.wireName();
        OAuthConfig config = configs.find(name).filter(c -> c.clientId() != null && !c.clientId().isBlank())
                .orElseThrow(() -> notConfigured(name));
        String secret = configs.secret(config).orElseThrow(() -> notConfigured(name));
        OAuthClient client = new OAuthClient(config.clientId(), secret,
                config.scopes() == null || config.scopes().isEmpty() ? provider.defaultScopes() : config.scopes());
        String callback = baseUrl.get() + "/api/auth/oauth/" + name + "/callback";
        return switch (provider) {
            case GOOGLE -> new OidcProvider(name, google, client, callback, OidcProvider.IdentitySource.ID_TOKEN, http, idTokens);
            case GITHUB -> new GitHubProvider(githubUrl, githubApiUrl, client, callback, http);
            default -> throw new IllegalStateException(name + " is marked implemented but has no provider class");
        };
    }

    private OAuthProvider custom(String key) {
        CustomOAuthConfig config = configs.findCustom(key).orElseThrow(() ->
                ApiException.notFound("NOT_FOUND", "Custom OAuth provider " + key + " is not configured."));
        String secret = configs.secret(config).orElseThrow(() -> new ApiException(400, "AUTH_OAUTH_CONFIG_ERROR",
                "Custom OAuth provider " + key + " is missing client secret."));
        OAuthClient client = new OAuthClient(config.clientId(), secret, List.of("openid", "profile", "email"));
        String callback = baseUrl.get() + "/api/auth/oauth/custom/" + key + "/callback";
        return new OidcProvider(key, discover(key, config.discoveryEndpoint()), client, callback,
                OidcProvider.IdentitySource.USER_INFO, http, idTokens);
    }

    /** The discovery document's endpoints, cached for a few minutes per URL. */
    private OidcProvider.Endpoints discover(String key, String discoveryUrl) {
        Instant now = clock.instant();
        Discovered cached = discovery.get(discoveryUrl);
        if (cached != null && Duration.between(cached.fetchedAt(), now).compareTo(DISCOVERY_CACHE) < 0) {
            return cached.endpoints();
        }
        JsonNode document = http.getJson(key, "discovery request", discoveryUrl, null);
        String authorization = document.path("authorization_endpoint").asText("");
        String token = document.path("token_endpoint").asText("");
        String userInfo = document.path("userinfo_endpoint").asText("");
        if (authorization.isEmpty() || token.isEmpty() || userInfo.isEmpty()) {
            throw new ProviderException("Discovery document for " + key + " is missing required endpoints "
                    + "(authorization_endpoint, token_endpoint, userinfo_endpoint).");
        }
        OidcProvider.Endpoints endpoints = new OidcProvider.Endpoints(authorization, token, userInfo,
                document.path("jwks_uri").asText(null), Set.of(document.path("issuer").asText("")));
        discovery.put(discoveryUrl, new Discovered(endpoints, now));
        return endpoints;
    }

    private static ApiException notConfigured(String provider) {
        return new ApiException(400, "AUTH_OAUTH_CONFIG_ERROR",
                provider + " OAuth is not properly configured. Please check your oauth configurations.",
                "Set clientId and clientSecret with PUT /api/auth/oauth/" + provider + "/config.");
    }
}

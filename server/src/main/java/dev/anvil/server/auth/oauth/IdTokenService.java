package dev.anvil.server.auth.oauth;

import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.auth.SessionIssuer;
import dev.anvil.server.auth.User;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.http.RequestBody;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/auth/id-token} (contract §2.5): a native app (or Google One Tap) that already has
 * a Google ID token signs in with it. The token must be signed by one of Google's published keys,
 * issued by Google, for the configured web client id or one of the native client ids, and not
 * expired; then the account is found or created like in the redirect flow.
 */
final class IdTokenService implements HttpService {

    private final OAuthConfigStore configs;
    private final Providers providers;
    private final IdTokenVerifier verifier;
    private final ProviderAccounts accounts;
    private final SessionIssuer sessions;
    private final RateLimit limit;

    IdTokenService(OAuthConfigStore configs, Providers providers, IdTokenVerifier verifier, ProviderAccounts accounts,
                   SessionIssuer sessions, RateLimit limit) {
        this.configs = configs;
        this.providers = providers;
        this.verifier = verifier;
        this.accounts = accounts;
        this.sessions = sessions;
        this.limit = limit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/id-token", this::signIn);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        limit.consume(req, res);
        JsonFields body = RequestBody.object(req);
        String provider = body.requiredString("provider");
        String token = body.requiredString("token");
        if (!provider.equals(BuiltInProvider.GOOGLE.wireName())) {
            throw ApiException.invalidInput("Provider " + provider + " is not supported for ID token sign-in. Supported: google");
        }
        OAuthConfig config = configs.find(provider).orElseThrow(IdTokenService::notConfigured);
        Set<String> audiences = new LinkedHashSet<>(config.nativeClientIds());
        if (config.clientId() != null && !config.clientId().isBlank()) {
            audiences.add(config.clientId());
        }
        if (audiences.isEmpty()) {
            throw notConfigured();
        }
        OidcProvider.Endpoints google = providers.googleEndpoints();
        JsonNode claims;
        try {
            claims = Json.mapper().valueToTree(
                    verifier.verify(provider, token, google.jwks(), google.issuers(), audiences).toJSONObject());
        } catch (IdTokenVerifier.InvalidIdToken e) {
            throw ApiException.invalidInput("Failed to verify Google ID token: " + e.getMessage());
        } catch (ProviderException e) {
            throw new ApiException(502, "UPSTREAM_FAILURE", e.getMessage());
        }
        ProviderIdentity identity;
        try {
            identity = OidcProvider.identity(provider, claims);
        } catch (ProviderException e) {
            throw ApiException.invalidInput("Invalid Google ID token: " + e.getMessage());
        }
        User user = accounts.signIn(identity);
        Json.send(res, sessions.signIn(req, res, user));
    }

    private static ApiException notConfigured() {
        return new ApiException(400, "AUTH_OAUTH_CONFIG_ERROR", "Google OAuth is not configured for ID token sign-in",
                "Set clientId or nativeClientIds with PUT /api/auth/oauth/google/config.");
    }
}

package dev.anvil.server.auth.oauth;

import java.time.Clock;
import java.util.function.Supplier;

import dev.anvil.server.auth.AuthDomain;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.secrets.SecretStore;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.http.HttpRouting;

/**
 * Builds OAuth sign-in from its parts and mounts its routes: {@code /api/auth/oauth/**} and
 * {@code /api/auth/id-token}. Sessions, users and the auth config are the auth domain's.
 */
public final class OAuth {

    private final OAuthConfigService configService;
    private final OAuthSignInService signInService;
    private final IdTokenService idTokenService;

    private OAuth(AnvilConfig config, DbClient db, SecretStore secrets, Credentials credentials, AuthDomain auth,
                  Clock clock, Supplier<String> baseUrl) {
        ProviderHttp http = new ProviderHttp(OAuthSettings.positiveSeconds(config, OAuthSettings.HTTP_TIMEOUT));
        IdTokenVerifier idTokens = new IdTokenVerifier(http, clock);
        OAuthConfigStore configs = new OAuthConfigStore(db, new ClientSecrets(secrets));
        Providers providers = new Providers(config, configs, http, idTokens, baseUrl, clock);
        OAuthState states = new OAuthState(credentials.accessTokens(),
                OAuthSettings.positiveSeconds(config, OAuthSettings.STATE_TTL), clock);
        ProviderAccounts accounts = new ProviderAccounts(db, auth.users(), auth.configs());
        OAuthFlow flow = new OAuthFlow(providers, states, new ExchangeCodes(db, clock), accounts, auth.users(), auth.configs());
        RateLimit idTokenLimit;
        try {
            idTokenLimit = new RateLimit("id-token", RateLimit.Rule.parse(config.get(OAuthSettings.RATE_LIMIT_ID_TOKEN)),
                    "Too many ID token sign-in attempts from this IP. Please try again later.", clock);
        } catch (IllegalArgumentException e) {
            throw new AnvilConfig.ConfigException(OAuthSettings.RATE_LIMIT_ID_TOKEN, e.getMessage());
        }
        configService = new OAuthConfigService(credentials, configs);
        signInService = new OAuthSignInService(flow, auth.sessions());
        idTokenService = new IdTokenService(configs, providers, idTokens, accounts, auth.sessions(), idTokenLimit);
    }

    public static OAuth create(AnvilConfig config, DbClient db, SecretStore secrets, Credentials credentials,
                               AuthDomain auth, Clock clock, Supplier<String> baseUrl) {
        return new OAuth(config, db, secrets, credentials, auth, clock, baseUrl);
    }

    public void register(HttpRouting.Builder routing) {
        // Admin routes first: /configs and /custom/configs must win over /{provider} and /custom/{key}.
        routing.register("/api/auth/oauth", configService, signInService);
        routing.register("/api/auth", idTokenService);
    }
}

package dev.anvil.server.auth.oauth;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

import dev.anvil.server.auth.AuthConfigStore;
import dev.anvil.server.auth.InvalidTokenException;
import dev.anvil.server.auth.RedirectAllowList;
import dev.anvil.server.auth.User;
import dev.anvil.server.auth.UserStore;
import dev.anvil.server.http.ApiException;

/**
 * The browser OAuth flow with PKCE, as {@code @insforge/sdk} drives it (contract §2.5):
 * <ol>
 *   <li>{@link #start}: the app's redirect URI is checked against the allow-list, a signed state is
 *       made, and the provider's authorization URL is returned;</li>
 *   <li>{@link #callback}: the provider sends the browser back with a code; the state is checked,
 *       the code traded for the account, the account turned into a user, and the browser sent on
 *       to the app with a one-time {@code insforge_code} (or {@code error});</li>
 *   <li>{@link #exchange}: the app trades that code and its PKCE verifier for a session.</li>
 * </ol>
 * Until the redirect URI is known to be genuine (a valid state, still allowed), failures are
 * answered as JSON errors; after that, as {@code ?error=} on the app's redirect URI.
 */
final class OAuthFlow {

    private static final System.Logger LOG = System.getLogger(OAuthFlow.class.getName());

    private final Providers providers;
    private final OAuthState states;
    private final ExchangeCodes codes;
    private final ProviderAccounts accounts;
    private final UserStore users;
    private final AuthConfigStore authConfigs;

    OAuthFlow(Providers providers, OAuthState states, ExchangeCodes codes, ProviderAccounts accounts, UserStore users,
              AuthConfigStore authConfigs) {
        this.providers = providers;
        this.states = states;
        this.codes = codes;
        this.accounts = accounts;
        this.users = users;
        this.authConfigs = authConfigs;
    }

    /** The provider's authorization URL for a sign-in that will land on {@code redirectUri}. */
    String start(String provider, String redirectUri, String codeChallenge, Map<String, String> additionalParams) {
        checkAllowed(redirectUri);
        OAuthProvider oauth;
        try {
            oauth = providers.forName(provider);
        } catch (ProviderException e) {
            // A custom provider's discovery document could not be read: the provider's fault, not the caller's.
            throw new ApiException(502, "UPSTREAM_FAILURE", e.getMessage());
        }
        OAuthState.Issued state = states.issue(provider, redirectUri, codeChallenge);
        String providerChallenge = OAuthState.challengeOf(states.providerVerifier(state.id()));
        return oauth.authorizationUrl(state.token(), providerChallenge, additionalParams);
    }

    /** What the provider sent back to the callback. */
    record Callback(String state, String code, String error, String errorDescription) {
    }

    /** Where to send the browser after the provider's callback: the app's redirect URI with a code or an error. */
    String callback(String provider, Callback callback) {
        if (callback.state() == null || callback.state().isEmpty()) {
            throw ApiException.invalidInput("State parameter is required");
        }
        OAuthState.Claims state;
        try {
            state = states.verify(callback.state());
        } catch (InvalidTokenException e) {
            throw ApiException.invalidInput(e.reason() == InvalidTokenException.Reason.EXPIRED
                    ? "The sign-in took too long (expired state parameter); please start it again"
                    : "Invalid state parameter");
        }
        if (!state.provider().equals(provider)) {
            throw ApiException.invalidInput("Provider mismatch between callback path and state");
        }
        // The allow-list may have changed since the sign-in started.
        checkAllowed(state.redirectUri());
        try {
            if (callback.error() != null) {
                String reason = callback.errorDescription() != null ? callback.errorDescription() : callback.error();
                throw new ProviderException(displayName(provider) + " sign-in failed: " + reason);
            }
            if (callback.code() == null || callback.code().isEmpty()) {
                throw new ProviderException("No authorization code provided");
            }
            ProviderIdentity identity = providers.forName(provider).identify(callback.code(), states.providerVerifier(state.id()));
            User user = accounts.signIn(identity);
            String code = codes.issue(user.id(), identity.provider(), state.codeChallenge());
            return withParam(state.redirectUri(), "insforge_code", code);
        } catch (ProviderException | ApiException e) {
            LOG.log(Level.INFO, "OAuth sign-in through " + provider + " failed: " + e.getMessage());
            return withParam(state.redirectUri(), "error", e.getMessage());
        }
    }

    /** The user a one-time code was issued for, if the verifier matches the challenge it was issued with. */
    User exchange(String code, String codeVerifier) {
        ExchangeCodes.Taken taken = codes.take(code).filter(ExchangeCodes.Taken::live)
                .orElseThrow(() -> ApiException.invalidInput("Invalid or expired code"));
        byte[] computed = OAuthState.challengeOf(codeVerifier).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(computed, taken.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(400, "AUTH_UNAUTHORIZED", "PKCE verification failed");
        }
        return users.byId(taken.userId())
                .orElseThrow(() -> ApiException.notFound("AUTH_USER_NOT_FOUND", "User not found"));
    }

    /** OAuth keeps InsForge's rule: an empty allow-list allows every redirect URI (contract §2.5). */
    private void checkAllowed(String redirectUri) {
        List<String> allowed = authConfigs.get().allowedRedirectUrls();
        if (!allowed.isEmpty() && !RedirectAllowList.allows(allowed, redirectUri)) {
            throw new ApiException(400, "INVALID_INPUT", redirectUri + " is not in the allowed redirect URLs",
                    "Please add this URL to the allowed redirect URLs in the authentication configuration.");
        }
    }

    private static String displayName(String provider) {
        return provider.startsWith(Providers.CUSTOM_PREFIX) ? provider.substring(Providers.CUSTOM_PREFIX.length()) : provider;
    }

    /** {@code url} with one more query parameter, before any fragment. */
    static String withParam(String url, String name, String value) {
        int hash = url.indexOf('#');
        String base = hash < 0 ? url : url.substring(0, hash);
        String fragment = hash < 0 ? "" : url.substring(hash);
        char separator = base.contains("?") ? (base.endsWith("?") || base.endsWith("&") ? '\0' : '&') : '?';
        return base + (separator == '\0' ? "" : String.valueOf(separator)) + AuthorizationUrl.encode(name) + "="
                + AuthorizationUrl.encode(value) + fragment;
    }
}

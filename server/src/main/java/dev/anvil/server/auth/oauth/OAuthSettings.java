package dev.anvil.server.auth.oauth;

import java.time.Duration;
import java.util.List;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.Setting;

/**
 * Settings of OAuth sign-in. The provider endpoints default to the real ones; they are settings so
 * a test (or a company proxy) can point a provider somewhere else.
 */
public final class OAuthSettings {

    public static final Setting HTTP_TIMEOUT = Setting.of("ANVIL_OAUTH_HTTP_TIMEOUT_SECONDS", "10",
            "Timeout of each call to an OAuth provider (discovery, token, user info, JWKS), in seconds");
    public static final Setting STATE_TTL = Setting.of("ANVIL_OAUTH_STATE_TTL_SECONDS", "600",
            "How long a user may take at the provider's sign-in page: lifetime of the signed OAuth state, in seconds");
    public static final Setting RATE_LIMIT_ID_TOKEN = Setting.of("ANVIL_RATE_LIMIT_ID_TOKEN", "30/900",
            "ID-token sign-ins (POST /api/auth/id-token) per client IP per window (max/windowSeconds; off disables)");
    public static final Setting GOOGLE_AUTHORIZE_URL = Setting.of("ANVIL_OAUTH_GOOGLE_AUTHORIZE_URL",
            "https://accounts.google.com/o/oauth2/v2/auth", "Google's authorization endpoint");
    public static final Setting GOOGLE_TOKEN_URL = Setting.of("ANVIL_OAUTH_GOOGLE_TOKEN_URL",
            "https://oauth2.googleapis.com/token", "Google's token endpoint");
    public static final Setting GOOGLE_JWKS_URL = Setting.of("ANVIL_OAUTH_GOOGLE_JWKS_URL",
            "https://www.googleapis.com/oauth2/v3/certs", "Google's signing keys (JWKS) that ID tokens are checked against");
    public static final Setting GOOGLE_ISSUER = Setting.of("ANVIL_OAUTH_GOOGLE_ISSUER", "https://accounts.google.com",
            "The issuer Google ID tokens must name (accounts.google.com without https:// is accepted too)");
    public static final Setting GITHUB_URL = Setting.of("ANVIL_OAUTH_GITHUB_URL", "https://github.com",
            "GitHub's web base URL (/login/oauth/authorize, /login/oauth/access_token)");
    public static final Setting GITHUB_API_URL = Setting.of("ANVIL_OAUTH_GITHUB_API_URL", "https://api.github.com",
            "GitHub's API base URL (/user, /user/emails)");

    public static final List<Setting> ALL = List.of(HTTP_TIMEOUT, STATE_TTL, RATE_LIMIT_ID_TOKEN, GOOGLE_AUTHORIZE_URL,
            GOOGLE_TOKEN_URL, GOOGLE_JWKS_URL, GOOGLE_ISSUER, GITHUB_URL, GITHUB_API_URL);

    private OAuthSettings() {
    }

    static Duration positiveSeconds(AnvilConfig config, Setting setting) {
        long seconds = config.getLong(setting);
        if (seconds <= 0) {
            throw new AnvilConfig.ConfigException(setting, "must be a positive number of seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    /** A base URL without its trailing slash, so paths can be appended. */
    static String baseUrl(AnvilConfig config, Setting setting) {
        String url = config.get(setting);
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

package dev.anvil.server.auth;

import java.time.Duration;
import java.util.List;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.Setting;

/** Settings of sign-in, tokens and sessions. */
public final class AuthSettings {

    public static final Setting ACCESS_TOKEN_TTL = Setting.of("ANVIL_ACCESS_TOKEN_TTL_SECONDS", "900",
            "Lifetime of access tokens (JWT) in seconds");
    public static final Setting CLOCK_SKEW = Setting.of("ANVIL_JWT_CLOCK_SKEW_SECONDS", "30",
            "Clock skew tolerated when checking token times (exp, nbf, iat), 0 to 30 seconds");
    public static final Setting REFRESH_TOKEN_TTL = Setting.of("ANVIL_REFRESH_TOKEN_TTL_SECONDS", "604800",
            "Lifetime of a refresh token (each refresh issues a new one) and of the refresh cookie, in seconds");
    public static final Setting REFRESH_REUSE_GRACE = Setting.of("ANVIL_REFRESH_REUSE_GRACE_SECONDS", "10",
            "A refresh token presented again this soon after it was rotated is treated as a concurrent refresh, "
                    + "not as theft (later reuse revokes the whole session)");
    public static final Setting ROOT_ADMIN_USERNAME = Setting.of("ROOT_ADMIN_USERNAME", "admin",
            "Username of the dashboard admin (POST /api/auth/admin/sessions)");
    public static final Setting ROOT_ADMIN_PASSWORD = Setting.optional("ROOT_ADMIN_PASSWORD",
            "Password of the dashboard admin. Unset (and no ADMIN_PASSWORD): admin sign-in is refused; there is no default password");
    public static final Setting ADMIN_EMAIL = Setting.optional("ADMIN_EMAIL",
            "Legacy name for ROOT_ADMIN_USERNAME (used when ROOT_ADMIN_PASSWORD is unset)");
    public static final Setting ADMIN_PASSWORD = Setting.optional("ADMIN_PASSWORD",
            "Legacy name for ROOT_ADMIN_PASSWORD");
    public static final Setting RATE_LIMIT_SIGN_IN = Setting.of("ANVIL_RATE_LIMIT_SIGN_IN", "20/900",
            "Failed password sign-ins (user and admin) allowed per client IP per window, as max/windowSeconds; off disables");
    public static final Setting RATE_LIMIT_SIGN_IN_EMAIL = Setting.of("ANVIL_RATE_LIMIT_SIGN_IN_EMAIL", "10/900",
            "Failed password sign-ins allowed per e-mail address per window (max/windowSeconds; off disables)");
    public static final Setting RATE_LIMIT_SIGN_UP = Setting.of("ANVIL_RATE_LIMIT_SIGN_UP", "30/900",
            "Sign-ups allowed per client IP per window (max/windowSeconds; off disables); admin callers are not limited");
    public static final Setting RATE_LIMIT_EMAIL_SEND = Setting.of("ANVIL_RATE_LIMIT_EMAIL_SEND", "5/900",
            "Requests that send a code or link (send-otp, send-verification, send-reset-password) per client IP per window; "
                    + "each address also waits the SMTP config's minIntervalSeconds between mails");
    public static final Setting RATE_LIMIT_VERIFY = Setting.of("ANVIL_RATE_LIMIT_VERIFY", "10/900",
            "Failed code checks (OTP sign-in, verify, exchange-reset-password-token, reset-password) per client IP per window");

    public static final List<Setting> ALL = List.of(ACCESS_TOKEN_TTL, CLOCK_SKEW, REFRESH_TOKEN_TTL, REFRESH_REUSE_GRACE,
            ROOT_ADMIN_USERNAME, ROOT_ADMIN_PASSWORD, ADMIN_EMAIL, ADMIN_PASSWORD, RATE_LIMIT_SIGN_IN,
            RATE_LIMIT_SIGN_IN_EMAIL, RATE_LIMIT_SIGN_UP, RATE_LIMIT_EMAIL_SEND, RATE_LIMIT_VERIFY);

    private AuthSettings() {
    }

    /** The configured clock skew, refused at start when outside 0–30 s. */
    public static Duration clockSkew(AnvilConfig config) {
        long seconds = config.getLong(CLOCK_SKEW);
        if (seconds < 0 || seconds > AccessTokens.CLOCK_SKEW.toSeconds()) {
            throw new AnvilConfig.ConfigException(CLOCK_SKEW, "must be between 0 and " + AccessTokens.CLOCK_SKEW.toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }
}

package dev.anvil.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.Setting;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.RateLimit;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The limits on auth endpoints (contract §2.6 plus what InsForge lacks): failed sign-ins per client
 * IP and per address, sign-ups per IP, e-mails per IP with a per-address pause, and failed code
 * checks per IP. Sign-in and code limits count failures only, so users who get it right are never
 * slowed down.
 */
final class AuthRateLimits {

    final RateLimit signInByAddress;
    final RateLimit signInByEmail;
    final RateLimit signUp;
    final RateLimit emailSend;
    final RateLimit emailCooldown;
    final RateLimit verify;

    /** @param cooldownSeconds the pause between two e-mails to one address (the SMTP config's minIntervalSeconds) */
    AuthRateLimits(AnvilConfig config, IntSupplier cooldownSeconds, Clock clock) {
        signInByAddress = new RateLimit("sign-in", rule(config, AuthSettings.RATE_LIMIT_SIGN_IN),
                "Too many failed sign-in attempts from this IP. Please try again later.", clock);
        signInByEmail = new RateLimit("sign-in-email", rule(config, AuthSettings.RATE_LIMIT_SIGN_IN_EMAIL),
                "Too many failed sign-in attempts for this account. Please try again later.", clock);
        signUp = new RateLimit("sign-up", rule(config, AuthSettings.RATE_LIMIT_SIGN_UP),
                "Too many sign-up requests from this IP. Please try again later.", clock);
        emailSend = new RateLimit("email-send", rule(config, AuthSettings.RATE_LIMIT_EMAIL_SEND),
                "Too many email requests from this IP. Please try again later.", clock);
        emailCooldown = new RateLimit("email-cooldown", () -> {
            int seconds = cooldownSeconds.getAsInt();
            return seconds <= 0 ? RateLimit.Rule.OFF : new RateLimit.Rule(1, Duration.ofSeconds(seconds));
        }, wait -> "Please wait " + wait + " seconds before requesting another code for this email", clock);
        verify = new RateLimit("verify", rule(config, AuthSettings.RATE_LIMIT_VERIFY),
                "Too many verification attempts from this IP. Please try again in 15 minutes.", clock);
    }

    /**
     * Runs a check of a mailed code or token under the verify limit: refused (429) while the
     * client's failures fill the window, and a check that fails (throws) counts as one more.
     */
    <T> T codeCheck(ServerRequest req, ServerResponse res, Supplier<T> check) {
        verify.check(req, res);
        try {
            return check.get();
        } catch (ApiException e) {
            verify.recordFailure(req);
            throw e;
        }
    }

    void codeCheck(ServerRequest req, ServerResponse res, Runnable check) {
        codeCheck(req, res, () -> {
            check.run();
            return null;
        });
    }

    private static RateLimit.Rule rule(AnvilConfig config, Setting setting) {
        return RateLimit.Rule.from(config, setting);
    }
}

package dev.anvil.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The refresh cookies of web sessions (contract §2.2): HttpOnly; Secure; SameSite=None; scoped to
 * {@code /api/auth} (users) or {@code /api/auth/admin} (admin). Secure even on plain http: browsers
 * treat localhost as a secure context, and a refresh token must never travel in clear elsewhere.
 */
final class SessionCookies {

    private final Duration maxAge;

    SessionCookies(Duration maxAge) {
        this.maxAge = maxAge;
    }

    static Optional<String> read(ServerRequest req, SessionType type) {
        return req.headers().cookies().first(type.cookieName()).map(String::trim).filter(v -> !v.isEmpty());
    }

    void set(ServerResponse res, SessionType type, String refreshToken) {
        res.headers().addCookie(builder(type, refreshToken).maxAge(maxAge).build());
    }

    /** Expires the cookie (Helidon drops Max-Age=0, so the expiry date does the clearing, as Express does). */
    void clear(ServerResponse res, SessionType type) {
        res.headers().addCookie(builder(type, "").expires(Instant.EPOCH).build());
    }

    private static SetCookie.Builder builder(SessionType type, String value) {
        return SetCookie.builder(type.cookieName(), value)
                .path(type.cookiePath())
                .httpOnly(true)
                .secure(true)
                .sameSite(SetCookie.SameSite.NONE);
    }
}

package dev.anvil.server.auth;

import java.util.Locale;

import io.helidon.webserver.http.ServerRequest;

/**
 * Who asked for a session ({@code ?client_type=}, contract §2.3). A browser ({@code web}, the
 * default — anything unrecognised counts as web) keeps its refresh token in an HttpOnly cookie and
 * proves each refresh with a CSRF token; native and server clients get the refresh token in the
 * body and send it back in the body.
 */
public enum ClientType {
    WEB, MOBILE, DESKTOP, SERVER;

    public static ClientType of(ServerRequest req) {
        String value = req.query().first("client_type").orElse("").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "mobile" -> MOBILE;
            case "desktop" -> DESKTOP;
            case "server" -> SERVER;
            default -> WEB;
        };
    }

    public boolean usesCookie() {
        return this == WEB;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

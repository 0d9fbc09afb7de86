package dev.anvil.server.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;

/** Requests and response readers the auth tests share. */
final class AuthCalls {

    static final String PASSWORD = "correct-horse-7";
    /** Auth tests sign in hundreds of times from 127.0.0.1; the rate-limit tests turn limits back on. */
    static final Map<String, String> NO_LIMITS = Map.of("ANVIL_RATE_LIMIT_SIGN_IN", "off",
            "ANVIL_RATE_LIMIT_SIGN_IN_EMAIL", "off", "ANVIL_RATE_LIMIT_SIGN_UP", "off",
            "ANVIL_RATE_LIMIT_EMAIL_SEND", "off", "ANVIL_RATE_LIMIT_VERIFY", "off");

    private AuthCalls() {
    }

    static String email(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    /** POST /api/auth/users with the anon key; {@code clientType} null = web. */
    static HttpCall.Reply signUp(TestServer server, String email, String password, String clientType) {
        return server.post("/api/auth/users" + query(clientType)).bearer(server.anonKey())
                .json(Map.of("email", email, "password", password)).send();
    }

    static HttpCall.Reply signIn(TestServer server, String email, String password, String clientType) {
        return server.post("/api/auth/sessions" + query(clientType)).json(Map.of("email", email, "password", password)).send();
    }

    /** Signs a new user up as a mobile client; returns the body ({user, accessToken, refreshToken}). */
    static JsonNode mobileUser(TestServer server, String prefix) {
        HttpCall.Reply reply = signUp(server, email(prefix), PASSWORD, "mobile");
        if (reply.status() != 200) {
            throw new AssertionError("sign-up failed: " + reply);
        }
        return reply.json();
    }

    static HttpCall.Reply refreshMobile(TestServer server, String refreshToken) {
        return server.post("/api/auth/refresh?client_type=mobile").json(Map.of("refreshToken", refreshToken)).send();
    }

    static HttpCall.Reply refreshWeb(TestServer server, String cookie, String csrf) {
        HttpCall call = server.post("/api/auth/refresh");
        if (cookie != null) {
            call.header("Cookie", "insforge_refresh_token=" + cookie);
        }
        if (csrf != null) {
            call.header("X-CSRF-Token", csrf);
        }
        return call.send();
    }

    static String query(String clientType) {
        return clientType == null ? "" : "?client_type=" + clientType;
    }

    /** The Set-Cookie header for {@code name}, if the reply set or cleared it. */
    static Optional<String> setCookie(HttpCall.Reply reply, String name) {
        return reply.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie"))
                .flatMap(e -> e.getValue().stream()).filter(v -> v.startsWith(name + "=")).reduce((a, b) -> b);
    }

    /** The value a Set-Cookie header assigns. */
    static String cookieValue(String setCookie) {
        String pair = setCookie.split(";", 2)[0];
        return pair.substring(pair.indexOf('=') + 1);
    }

    static List<String> cookieAttributes(String setCookie) {
        return List.of(setCookie.split(";\\s*"));
    }
}

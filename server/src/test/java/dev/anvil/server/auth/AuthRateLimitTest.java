package dev.anvil.server.auth;

import static dev.anvil.server.auth.AuthCalls.PASSWORD;
import static dev.anvil.server.auth.AuthCalls.email;
import static dev.anvil.server.auth.AuthCalls.signIn;
import static dev.anvil.server.auth.AuthCalls.signUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits on auth endpoints (targets.md safety, contract §2.6, §9): 429 {@code TOO_MANY_REQUESTS}
 * with {@code RateLimit-*} headers per client IP and per address, failures-only counting for
 * sign-in and codes, and {@code X-Forwarded-For} believed only behind a configured proxy.
 */
class AuthRateLimitTest {

    static TestServer server;
    static String user;

    @BeforeAll
    static void start() {
        server = TestServer.start("auth_limits", Map.of("ANVIL_RATE_LIMIT_SIGN_IN", "4/900", "ANVIL_RATE_LIMIT_SIGN_IN_EMAIL", "2/900",
                "ANVIL_RATE_LIMIT_SIGN_UP", "3/900", "ANVIL_RATE_LIMIT_EMAIL_SEND", "2/900", "ANVIL_RATE_LIMIT_VERIFY", "2/900"));
        user = email("limited");
        assertThat(signUp(server, user, PASSWORD, "mobile").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void failedSignInsAreLimitedPerAddressAndPerIpButSuccessesAreFree() {
        for (int i = 0; i < 6; i++) {
            assertThat(signIn(server, user, PASSWORD, "mobile").status()).as("successes do not count").isEqualTo(200);
        }
        String victim = email("victim");
        HttpCall.Reply first = signIn(server, victim, "guess-1", null);
        assertThat(first.status()).isEqualTo(401);
        assertThat(first.header("RateLimit-Limit").orElseThrow()).isEqualTo("2");
        assertThat(first.header("RateLimit-Remaining").orElseThrow()).isEqualTo("2");
        assertThat(signIn(server, victim, "guess-2", null).status()).isEqualTo(401);
        assertTooMany(signIn(server, victim, "guess-3", null), "2", "Too many failed sign-in attempts for this account. Please try again later.");

        // Two more failures on other addresses use up the per-IP budget of 4; then even a correct password waits.
        assertThat(signIn(server, email("other"), "x", null).status()).isEqualTo(401);
        assertThat(signIn(server, email("other"), "x", null).status()).isEqualTo(401);
        HttpCall.Reply blocked = signIn(server, user, PASSWORD, null);
        assertTooMany(blocked, "4", "Too many failed sign-in attempts from this IP. Please try again later.");
        int reset = Integer.parseInt(blocked.header("RateLimit-Reset").orElseThrow());
        assertThat(reset).isBetween(1, 900);
        assertThat(blocked.header("RateLimit-Policy").orElseThrow()).isEqualTo("4;w=900");

        // A forged X-Forwarded-For does not buy a fresh budget when no proxy is trusted.
        assertThat(server.post("/api/auth/sessions").header("X-Forwarded-For", "203.0.113.9")
                .json(Map.of("email", user, "password", PASSWORD)).send().status()).isEqualTo(429);
    }

    @Test
    void signUpsAreLimitedPerIpExceptForAdmins() {
        TestServer fresh = TestServer.start("auth_limits_signup", Map.of("ANVIL_RATE_LIMIT_SIGN_UP", "2/900"));
        try {
            assertThat(signUp(fresh, email("s1"), PASSWORD, null).status()).isEqualTo(200);
            assertThat(signUp(fresh, email("s2"), PASSWORD, null).status()).isEqualTo(200);
            assertTooMany(signUp(fresh, email("s3"), PASSWORD, null), "2", "Too many sign-up requests from this IP. Please try again later.");
            assertThat(fresh.post("/api/auth/users").bearer(fresh.apiKey()).json(Map.of("email", email("s4"), "password", PASSWORD))
                    .send().status()).isEqualTo(200);
        } finally {
            fresh.close();
        }
    }

    @Test
    void mailRequestsAndCodeChecksAreLimitedPerIp() {
        // No SMTP here: the first requests fail as "not configured", but still count.
        for (String path : new String[] {"/api/auth/email/send-otp", "/api/auth/email/send-reset-password"}) {
            assertThat(server.post(path).json(Map.of("email", email("m"))).send().status()).isEqualTo(400);
        }
        assertTooMany(server.post("/api/auth/email/send-verification").json(Map.of("email", email("m"))).send(), "2",
                "Too many email requests from this IP. Please try again later.");

        for (int i = 0; i < 2; i++) {
            assertThat(server.post("/api/auth/email/verify").json(Map.of("email", user, "otp", "000000")).send().status()).isEqualTo(400);
        }
        assertTooMany(server.post("/api/auth/sessions").json(Map.of("method", "otp", "email", user, "otp", "000000")).send(), "2",
                "Too many verification attempts from this IP. Please try again in 15 minutes.");
        assertThat(server.post("/api/auth/email/exchange-reset-password-token").json(Map.of("email", user, "code", "000000")).send().status())
                .isEqualTo(429);
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBudget() {
        try (TestServer proxied = TestServer.start("auth_limits_proxy", Map.of("ANVIL_TRUSTED_PROXY_HOPS", "1",
                "ANVIL_RATE_LIMIT_SIGN_IN", "1/900"))) {
            HttpCall.Reply first = proxied.post("/api/auth/sessions").header("X-Forwarded-For", "198.51.100.1")
                    .json(Map.of("email", email("p"), "password", "x")).send();
            assertThat(first.status()).isEqualTo(401);
            assertThat(proxied.post("/api/auth/sessions").header("X-Forwarded-For", "198.51.100.1")
                    .json(Map.of("email", email("p"), "password", "x")).send().status()).isEqualTo(429);
            // The client the proxy saw is the right-most entry; entries further left are the client's own claim.
            assertThat(proxied.post("/api/auth/sessions").header("X-Forwarded-For", "198.51.100.1, 198.51.100.2")
                    .json(Map.of("email", email("p"), "password", "x")).send().status()).isEqualTo(401);
            assertThat(proxied.post("/api/auth/sessions").header("X-Forwarded-For", "198.51.100.7, 198.51.100.2")
                    .json(Map.of("email", email("p"), "password", "x")).send().status()).isEqualTo(429);
        }
    }

    @Test
    void aMalformedLimitStopsTheServerWithTheSettingsName() {
        assertThatThrownBy(() -> TestServer.start("auth_limits_bad", Map.of("ANVIL_RATE_LIMIT_VERIFY", "ten per minute")))
                .hasMessageContaining("ANVIL_RATE_LIMIT_VERIFY");
    }

    static void assertTooMany(HttpCall.Reply reply, String limit, String message) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(429);
        assertThat(reply.json().get("error").asText()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(reply.json().get("statusCode").asInt()).isEqualTo(429);
        assertThat(reply.json().get("message").asText()).isEqualTo(message);
        assertThat(reply.header("RateLimit-Limit").orElseThrow()).isEqualTo(limit);
        assertThat(reply.header("RateLimit-Remaining").orElseThrow()).isEqualTo("0");
        assertThat(reply.header("Retry-After")).isPresent();
    }
}

package dev.anvil.server.auth;

import static dev.anvil.server.auth.AuthCalls.PASSWORD;
import static dev.anvil.server.auth.AuthCalls.cookieAttributes;
import static dev.anvil.server.auth.AuthCalls.cookieValue;
import static dev.anvil.server.auth.AuthCalls.email;
import static dev.anvil.server.auth.AuthCalls.setCookie;
import static dev.anvil.server.auth.RefreshSessionsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin side of auth (contract §2.6, §8): root-admin sessions with their own cookie, user
 * management, the auth config, SMTP config validation, e-mail templates, the key routes and JWKS.
 */
class AdminAuthTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        Map<String, String> settings = new HashMap<>(AuthCalls.NO_LIMITS);
        settings.put("ROOT_ADMIN_USERNAME", "root");
        settings.put("ROOT_ADMIN_PASSWORD", "root-password-1");
        server = TestServer.start("admin_auth", settings);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpCall.Reply adminSignIn(TestServer target, String username, String password) {
        return target.post("/api/auth/admin/sessions").json(Map.of("username", username, "password", password)).send();
    }

    @Test
    void theRootAdminSignsInRefreshesAndSignsOutWithItsOwnCookie() throws Exception {
        HttpCall.Reply signedIn = adminSignIn(server, "root", "root-password-1");

        assertThat(signedIn.status()).as(signedIn.toString()).isEqualTo(200);
        assertThat(signedIn.json().get("admin").get("sub").asText()).isEqualTo("local:root");
        String accessToken = signedIn.json().get("accessToken").asText();
        assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getClaim("role")).isEqualTo("project_admin");
        String cookie = setCookie(signedIn, "insforge_admin_refresh_token").orElseThrow();
        assertThat(cookieAttributes(cookie)).contains("Path=/api/auth/admin", "HttpOnly", "Secure", "SameSite=None");
        String csrf = signedIn.json().get("csrfToken").asText();

        assertThat(server.get("/api/auth/users").bearer(accessToken).send().status()).isEqualTo(200);
        HttpCall.Reply current = server.get("/api/auth/admin/sessions/current").bearer(accessToken).send();
        assertThat(current.json().get("admin").get("sub").asText()).isEqualTo("local:root");

        String token = cookieValue(cookie);
        assertError(server.post("/api/auth/refresh").header("Cookie", "insforge_refresh_token=" + token).header("X-CSRF-Token", csrf)
                .send(), 401, "AUTH_UNAUTHORIZED", "Invalid refresh session type");
        HttpCall.Reply refreshed = server.post("/api/auth/admin/refresh").header("Cookie", "insforge_admin_refresh_token=" + token)
                .header("X-CSRF-Token", csrf).send();
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(refreshed.json().get("admin").get("sub").asText()).isEqualTo("local:root");
        assertThat(refreshed.json().get("csrfToken").asText()).isEqualTo(csrf);
        String rotated = cookieValue(setCookie(refreshed, "insforge_admin_refresh_token").orElseThrow());

        HttpCall.Reply out = server.post("/api/auth/admin/logout").header("Cookie", "insforge_admin_refresh_token=" + rotated)
                .header("X-CSRF-Token", csrf).send();
        assertThat(out.status()).isEqualTo(200);
        assertThat(setCookie(out, "insforge_admin_refresh_token").orElseThrow()).contains("Path=/api/auth/admin");
        assertThat(server.post("/api/auth/admin/refresh").header("Cookie", "insforge_admin_refresh_token=" + rotated)
                .header("X-CSRF-Token", csrf).send().status()).isEqualTo(401);
    }

    static Stream<Arguments> adminSignInErrors() {
        return Stream.of(
                Arguments.of("wrong password", Map.of("username", "root", "password", "nope"), 401, "AUTH_UNAUTHORIZED", "Invalid admin credentials"),
                Arguments.of("wrong username", Map.of("username", "admin", "password", "root-password-1"), 401, "AUTH_UNAUTHORIZED",
                        "Invalid admin credentials"),
                Arguments.of("missing username", Map.of("password", "x"), 400, "INVALID_INPUT", "username: Required"),
                Arguments.of("blank username", Map.of("username", " ", "password", "x"), 400, "INVALID_INPUT", "username: Username is required"),
                Arguments.of("missing password", Map.of("username", "root"), 400, "INVALID_INPUT", "password: Required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminSignInErrors")
    void adminSignInErrors(String name, Map<String, Object> body, int status, String code, String message) {
        assertError(server.post("/api/auth/admin/sessions").json(body).send(), status, code, message);
    }

    @Test
    void withoutAConfiguredPasswordAdminSignInIsRefusedAndLegacyNamesWork() {
        try (TestServer bare = TestServer.start("admin_none")) {
            assertError(adminSignIn(bare, "admin", ""), 401, "AUTH_UNAUTHORIZED", "Admin sign-in is disabled on this server");
            assertError(adminSignIn(bare, "admin", "admin"), 401, "AUTH_UNAUTHORIZED", "Admin sign-in is disabled on this server");
        }
        try (TestServer legacy = TestServer.start("admin_legacy", Map.of("ADMIN_EMAIL", "ops@example.com", "ADMIN_PASSWORD", "legacy-pw"))) {
            HttpCall.Reply reply = legacy.post("/api/auth/admin/sessions?client_type=mobile")
                    .json(Map.of("email", "ops@example.com", "password", "legacy-pw")).send();
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.json().get("admin").get("sub").asText()).isEqualTo("local:ops@example.com");
            assertThat(reply.json().get("refreshToken").asText()).isNotBlank();
        }
    }

    @Test
    void adminSessionsCurrentNeedsAnAdminToken() {
        assertError(server.get("/api/auth/admin/sessions/current").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com"))
                .send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertError(server.get("/api/auth/admin/sessions/current").send(), 401, "AUTH_INVALID_CREDENTIALS", "No token provided");
    }

    @Test
    void usersAreListedSearchedReadAndDeleted() {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpCall.Reply created = server.post("/api/auth/users").bearer(server.apiKey())
                    .json(Map.of("email", "list-" + tag + "-" + i + "@example.com", "password", PASSWORD, "name", "Lister " + tag)).send();
            ids.add(created.json().get("user").get("id").asText());
        }

        HttpCall.Reply page = server.get("/api/auth/users?limit=2&offset=0&search=" + tag).bearer(server.apiKey()).send();
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().get("data")).hasSize(2);
        assertThat(page.json().get("pagination").get("total").asLong()).isEqualTo(3);
        assertThat(page.json().get("pagination").get("limit").asInt()).isEqualTo(2);
        assertThat(page.json().get("data").get(0).get("email").asText()).isEqualTo("list-" + tag + "-2@example.com");
        HttpCall.Reply byName = server.get("/api/auth/users?search=Lister%20" + tag).bearer(server.adminToken()).send();
        assertThat(byName.json().get("pagination").get("total").asLong()).isEqualTo(3);
        HttpCall.Reply defaults = server.get("/api/auth/users").bearer(server.apiKey()).send();
        assertThat(defaults.json().get("pagination").get("limit").asInt()).isEqualTo(10);
        assertThat(defaults.json().get("pagination").get("offset").asInt()).isZero();

        HttpCall.Reply one = server.get("/api/auth/users/" + ids.get(0)).bearer(server.apiKey()).send();
        assertThat(one.json().get("email").asText()).isEqualTo("list-" + tag + "-0@example.com");
        assertThat(one.json().has("password")).isFalse();

        HttpCall.Reply deleted = server.call("DELETE", "/api/auth/users").bearer(server.apiKey())
                .json(Map.of("userIds", List.of(ids.get(0), ids.get(1), UUID.randomUUID().toString()))).send();
        assertThat(deleted.json().get("message").asText()).isEqualTo("Users deleted successfully");
        assertThat(deleted.json().get("deletedCount").asInt()).isEqualTo(2);
        assertError(server.get("/api/auth/users/" + ids.get(0)).bearer(server.apiKey()).send(), 404, "AUTH_USER_NOT_FOUND", "User not found");
    }

    static Stream<Arguments> userAdminErrors() {
        Function<String, Function<TestServer, HttpCall.Reply>> delete = body -> s -> s.call("DELETE", "/api/auth/users")
                .bearer(s.apiKey()).json(body).send();
        return Stream.of(
                Arguments.of("list without credential", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users").send(),
                        401, "AUTH_INVALID_CREDENTIALS", "No admin token provided"),
                Arguments.of("list as a user", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users")
                        .bearer(s.userToken(UUID.randomUUID().toString(), "u@example.com")).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required"),
                Arguments.of("list with the anon key", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users").bearer(s.anonKey()).send(),
                        403, "AUTH_UNAUTHORIZED", "Admin access required"),
                Arguments.of("limit not a number", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users?limit=ten")
                        .bearer(s.apiKey()).send(), 400, "INVALID_INPUT", "limit: Expected number, received string"),
                Arguments.of("limit zero", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users?limit=0").bearer(s.apiKey()).send(),
                        400, "INVALID_INPUT", "limit: must be between 1 and 1000"),
                Arguments.of("get: not a uuid", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/users/42").bearer(s.apiKey()).send(),
                        400, "INVALID_INPUT", "Invalid user ID format"),
                Arguments.of("delete: no ids", delete.apply("{\"userIds\":[]}"), 400, "INVALID_INPUT", "userIds: At least one user ID is required"),
                Arguments.of("delete: missing", delete.apply("{}"), 400, "INVALID_INPUT", "userIds: Required"),
                Arguments.of("delete: bad id", delete.apply("{\"userIds\":[\"x\"]}"), 400, "INVALID_INPUT", "userIds.0: Invalid user ID format"),
                Arguments.of("delete: not an array", delete.apply("{\"userIds\":\"x\"}"), 400, "INVALID_INPUT", "userIds: Expected array, received string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userAdminErrors")
    void userAdminErrors(String name, Function<TestServer, HttpCall.Reply> call, int status, String code, String message) {
        assertError(call.apply(server), status, code, message);
    }

    @Test
    void theAuthConfigIsReadAndPartlyUpdated() {
        JsonNode before = server.get("/api/auth/config").bearer(server.apiKey()).send().json();
        assertThat(before.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(before.get("passwordMinLength").asInt()).isEqualTo(6);
        assertThat(before.get("verifyEmailMethod").asText()).isEqualTo("code");
        assertThat(before.get("allowedRedirectUrls")).isEmpty();

        HttpCall.Reply updated = server.call("PUT", "/api/auth/config").bearer(server.apiKey())
                .json(Map.of("allowedRedirectUrls", List.of("https://app.example.com/**", "https://*.example.org/done"),
                        "resetPasswordMethod", "link")).send();
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("allowedRedirectUrls")).hasSize(2);
        assertThat(updated.json().get("resetPasswordMethod").asText()).isEqualTo("link");
        assertThat(updated.json().get("passwordMinLength").asInt()).isEqualTo(6);

        JsonNode publicConfig = server.get("/api/auth/public-config").send().json();
        assertThat(publicConfig.has("allowedRedirectUrls")).isFalse();
        assertThat(publicConfig.get("resetPasswordMethod").asText()).isEqualTo("link");
        List<String> keys = new ArrayList<>();
        publicConfig.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("oAuthProviders", "customOAuthProviders", "requireEmailVerification",
                "passwordMinLength", "requireNumber", "requireLowercase", "requireUppercase", "requireSpecialChar",
                "verifyEmailMethod", "resetPasswordMethod", "disableSignup");

        server.call("PUT", "/api/auth/config").bearer(server.apiKey())
                .json(Map.of("allowedRedirectUrls", List.of(), "resetPasswordMethod", "code")).send();
    }

    static Stream<Arguments> configErrors() {
        return Stream.of(
                Arguments.of(Map.of("passwordMinLength", 3), "INVALID_INPUT", "passwordMinLength: Number must be greater than or equal to 4"),
                Arguments.of(Map.of("passwordMinLength", 129), "INVALID_INPUT", "passwordMinLength: Number must be less than or equal to 128"),
                Arguments.of(Map.of("verifyEmailMethod", "sms"), "INVALID_INPUT",
                        "verifyEmailMethod: Invalid enum value. Expected 'code' | 'link', received 'sms'"),
                Arguments.of(Map.of("requireNumber", "yes"), "INVALID_INPUT", "requireNumber: Expected boolean, received string"),
                Arguments.of(Map.of("allowedRedirectUrls", List.of("https://ok.example.com", "javascript:alert(1)")), "INVALID_INPUT",
                        "allowedRedirectUrls.1: Invalid URL or wildcard URL"),
                Arguments.of(Map.of("requireEmailVerification", true), "EMAIL_PROVIDER_NOT_CONFIGURED",
                        "An email provider must be configured before email verification can be required."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configErrors")
    void configErrorsChangeNothing(Map<String, Object> patch, String code, String message) {
        String before = server.get("/api/auth/config").bearer(server.apiKey()).send().text();
        assertError(server.call("PUT", "/api/auth/config").bearer(server.apiKey()).json(patch).send(), 400, code, message);
        assertThat(server.get("/api/auth/config").bearer(server.apiKey()).send().text()).isEqualTo(before);
    }

    @Test
    void smtpConfigStartsEmptyAndIsValidated() {
        JsonNode empty = server.get("/api/auth/smtp-config").bearer(server.apiKey()).send().json();
        assertThat(empty.get("enabled").asBoolean()).isFalse();
        assertThat(empty.get("hasPassword").asBoolean()).isFalse();
        assertThat(empty.has("password")).isFalse();

        Map<String, Object> complete = new HashMap<>(Map.of("enabled", true, "host", "127.0.0.1", "port", 587,
                "username", "u", "password", "p", "senderEmail", "a@example.com", "senderName", "A"));
        assertError(put("/api/auth/smtp-config", Map.of("port", 587)), 400, "INVALID_INPUT", "enabled: Required");
        Map<String, Object> badPort = new HashMap<>(complete);
        badPort.put("port", 2526);
        assertError(put("/api/auth/smtp-config", badPort), 400, "INVALID_INPUT", "port: Port must be one of: 25, 465, 587, 2525");
        assertError(put("/api/auth/smtp-config", Map.of("enabled", true, "port", 587, "senderEmail", "nope")), 400, "INVALID_INPUT",
                "host: SMTP host is required, username: SMTP username is required, senderEmail: Invalid sender email, "
                        + "senderName: Sender name is required");
        assertError(put("/api/auth/smtp-config", complete), 400, "INVALID_INPUT",
                "SMTP host resolves to a private or loopback address, which is not allowed");
        Map<String, Object> emptyPassword = new HashMap<>(complete);
        emptyPassword.put("password", "");
        assertError(put("/api/auth/smtp-config", emptyPassword), 400, "INVALID_INPUT", "password: SMTP password is required");
        assertThat(server.get("/api/auth/smtp-config").bearer(server.apiKey()).send().json().get("id"))
                .as("refused updates stored nothing").isEqualTo(empty.get("id"));

        HttpCall.Reply disabled = put("/api/auth/smtp-config", Map.of("enabled", false, "port", 465, "password", "kept-secret"));
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        assertThat(disabled.json().get("hasPassword").asBoolean()).isTrue();
        assertThat(Sql.one(server, "SELECT password_encrypted FROM email.config")).doesNotContain("kept-secret").matches("[0-9a-f]+:[0-9a-f]+:[0-9a-f]+");
    }

    @Test
    void withoutSmtpMailFlowsSayItIsNotConfigured() {
        for (String path : new String[] {"/api/auth/email/send-otp", "/api/auth/email/send-verification", "/api/auth/email/send-reset-password"}) {
            HttpCall.Reply reply = server.post(path).json(Map.of("email", email("nomail"))).send();
            assertError(reply, 400, "EMAIL_PROVIDER_NOT_CONFIGURED", "SMTP is not configured or not enabled");
        }
    }

    @Test
    void emailTemplatesAreListedAndEdited() {
        JsonNode list = server.get("/api/auth/email-templates").bearer(server.apiKey()).send().json();
        List<String> types = new ArrayList<>();
        list.get("data").forEach(t -> types.add(t.get("templateType").asText()));
        assertThat(types).containsExactly("email-verification-code", "email-verification-link", "request-otp",
                "reset-password-code", "reset-password-link");

        HttpCall.Reply edited = put("/api/auth/email-templates/request-otp", Map.of("subject", "Code", "bodyHtml", "<b>{{ token }}</b>"));
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.json().get("bodyHtml").asText()).isEqualTo("<b>{{ token }}</b>");
        assertError(put("/api/auth/email-templates/nope", Map.of("subject", "s", "bodyHtml", "b")), 404, "EMAIL_TEMPLATE_NOT_FOUND",
                "Email template not found: nope");
        assertError(put("/api/auth/email-templates/request-otp", Map.of("subject", "", "bodyHtml", "b")), 400, "INVALID_INPUT",
                "subject: Subject is required");
        assertError(server.get("/api/auth/email-templates").bearer(server.anonKey()).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
    }

    @Test
    void keyRoutesHandTheCurrentKeysToAdminsOnly() {
        assertThat(server.get("/api/metadata/anon-key").bearer(server.apiKey()).send().json().get("anonKey").asText())
                .isEqualTo(server.anonKey());
        assertThat(server.get("/api/metadata/api-key").header("x-api-key", server.apiKey()).send().json().get("apiKey").asText())
                .isEqualTo(server.apiKey());
        HttpCall.Reply anon = server.post("/api/auth/tokens/anon").bearer(server.adminToken()).send();
        assertThat(anon.json().get("accessToken").asText()).isEqualTo(server.anonKey());
        assertThat(anon.json().get("message").asText()).isNotBlank();

        assertError(server.get("/api/metadata/api-key").bearer(server.anonKey()).send(), 403, "AUTH_UNAUTHORIZED", "Admin access required");
        assertError(server.get("/api/metadata/anon-key").send(), 401, "AUTH_INVALID_CREDENTIALS", "No admin token provided");
        assertError(server.post("/api/auth/tokens/anon").bearer(server.userToken(UUID.randomUUID().toString(), "u@example.com")).send(),
                403, "AUTH_UNAUTHORIZED", "Admin access required");
    }

    @Test
    void jwksIsPublishedAtBothPathsAndVerifiesIssuedTokens() throws Exception {
        HttpCall.Reply root = server.get("/.well-known/jwks.json").send();
        HttpCall.Reply mirror = server.get("/api/.well-known/jwks.json").send();
        assertThat(root.status()).isEqualTo(200);
        assertThat(mirror.text()).isEqualTo(root.text());

        JWKSet jwks = JWKSet.parse(root.text());
        RSAKey key = (RSAKey) jwks.getKeys().get(0);
        assertThat(key.isPrivate()).isFalse();
        assertThat(root.json().get("keys").get(0).get("alg").asText()).isEqualTo("RS256");
        assertThat(root.json().get("keys").get(0).get("use").asText()).isEqualTo("sig");

        String token = AuthCalls.signUp(server, email("jwks"), PASSWORD, "mobile").json().get("accessToken").asText();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
    }

    private static HttpCall.Reply put(String path, Object body) {
        return server.call("PUT", path).bearer(server.apiKey()).json(body).send();
    }
}

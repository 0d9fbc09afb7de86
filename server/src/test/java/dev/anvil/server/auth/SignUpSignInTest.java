package dev.anvil.server.auth;

import static dev.anvil.server.auth.AuthCalls.PASSWORD;
import static dev.anvil.server.auth.AuthCalls.email;
import static dev.anvil.server.auth.AuthCalls.setCookie;
import static dev.anvil.server.auth.AuthCalls.signIn;
import static dev.anvil.server.auth.AuthCalls.signUp;
import static dev.anvil.server.auth.RefreshSessionsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /api/auth/users} and {@code POST /api/auth/sessions} (contract §2.5, §14): every error
 * row with its status, code and message, sign-up needing a credential, admin-created users, the
 * password policy and bcrypt's 72-byte limit, and hashes written by InsForge still signing in.
 */
class SignUpSignInTest {

    static TestServer server;
    static String existing;

    @BeforeAll
    static void start() {
        server = TestServer.start("sign_up_in", AuthCalls.NO_LIMITS);
        existing = email("existing");
        assertThat(signUp(server, existing, PASSWORD, "mobile").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A sign-up request variant: how it is sent. */
    record Call(String name, Function<TestServer, HttpCall.Reply> send) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Call signUpWith(String name, Object body) {
        return new Call(name, s -> s.post("/api/auth/users").bearer(s.anonKey()).json(body).send());
    }

    static Stream<Arguments> signUpErrors() {
        String fresh = email("fresh");
        return Stream.of(
                Arguments.of(new Call("no credential", s -> s.post("/api/auth/users").json(Map.of("email", fresh, "password", PASSWORD)).send()),
                        401, "AUTH_INVALID_CREDENTIALS", "No token provided"),
                Arguments.of(new Call("unknown anon key", s -> s.post("/api/auth/users").bearer("anon_" + "1".repeat(64))
                        .json(Map.of("email", fresh, "password", PASSWORD)).send()), 401, "AUTH_INVALID_CREDENTIALS", "Invalid anon key"),
                Arguments.of(signUpWith("missing email", Map.of("password", PASSWORD)), 400, "INVALID_INPUT", "email: Required"),
                Arguments.of(signUpWith("email not a string", Map.of("email", 5, "password", PASSWORD)), 400, "INVALID_INPUT",
                        "email: Expected string, received number"),
                Arguments.of(signUpWith("malformed email", Map.of("email", "not-an-email", "password", PASSWORD)), 400, "INVALID_INPUT",
                        "email: Invalid email format"),
                Arguments.of(signUpWith("missing password", Map.of("email", fresh)), 400, "INVALID_INPUT", "password: Required"),
                Arguments.of(signUpWith("password below the policy", Map.of("email", fresh, "password", "abc")), 400, "INVALID_INPUT",
                        "Password must contain at least 6 characters long"),
                Arguments.of(signUpWith("password over 72 bytes", Map.of("email", fresh, "password", "é".repeat(37))), 400, "INVALID_INPUT",
                        "Password must be at most 72 bytes long (bcrypt ignores anything longer)"),
                Arguments.of(signUpWith("blank name", Map.of("email", fresh, "password", PASSWORD, "name", "  ")), 400, "INVALID_INPUT",
                        "name: Name is required"),
                Arguments.of(signUpWith("redirectTo not a URL", Map.of("email", fresh, "password", PASSWORD, "redirectTo", "nope")), 400,
                        "INVALID_INPUT", "redirectTo: Invalid url"),
                Arguments.of(signUpWith("body is an array", "[]"), 400, "INVALID_INPUT", "Request body must be a JSON object"),
                Arguments.of(new Call("duplicate e-mail in other letter case", s -> s.post("/api/auth/users").bearer(s.anonKey())
                        .json(Map.of("email", existing.toUpperCase(), "password", PASSWORD)).send()), 409, "AUTH_EMAIL_EXISTS",
                        "User already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signUpErrors")
    void signUpErrorsAsTheContractSays(Call call, int status, String code, String message) {
        long before = userCount();
        assertError(call.send().apply(server), status, code, message);
        assertThat(userCount()).as("a refused sign-up creates nothing").isEqualTo(before);
    }

    static Stream<Arguments> signInErrors() {
        return Stream.of(
                Arguments.of("wrong password", Map.of("email", existing, "password", "wrong-password"), 401, "AUTH_UNAUTHORIZED", "Invalid credentials"),
                Arguments.of("unknown e-mail", Map.of("email", email("nobody"), "password", PASSWORD), 401, "AUTH_UNAUTHORIZED", "Invalid credentials"),
                Arguments.of("empty password", Map.of("email", existing, "password", ""), 401, "AUTH_UNAUTHORIZED", "Invalid credentials"),
                Arguments.of("password over 72 bytes", Map.of("email", existing, "password", "x".repeat(73)), 400, "INVALID_INPUT",
                        "Password must be at most 72 bytes long (bcrypt ignores anything longer)"),
                Arguments.of("missing e-mail", Map.of("password", PASSWORD), 400, "INVALID_INPUT", "email: Required"),
                Arguments.of("missing password", Map.of("email", existing), 400, "INVALID_INPUT", "password: Required"),
                Arguments.of("malformed e-mail", Map.of("email", "x@", "password", PASSWORD), 400, "INVALID_INPUT", "email: Invalid email format"),
                Arguments.of("unknown method", Map.of("method", "magic", "email", existing), 400, "INVALID_INPUT",
                        "method: Invalid discriminator value. Expected 'password' | 'otp'"),
                Arguments.of("otp that is not 6 digits", Map.of("method", "otp", "email", existing, "otp", "12ab56"), 400, "INVALID_INPUT",
                        "otp: OTP code must be a 6-digit numeric code"),
                Arguments.of("otp never sent", Map.of("method", "otp", "email", existing, "otp", "123456"), 400, "INVALID_INPUT",
                        "Invalid or expired verification code"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signInErrors")
    void signInErrorsAsTheContractSays(String name, Map<String, Object> body, int status, String code, String message) {
        HttpCall.Reply reply = server.post("/api/auth/sessions").json(body).send();
        assertError(reply, status, code, message);
        assertThat(setCookie(reply, "insforge_refresh_token")).isEmpty();
    }

    @Test
    void signInIgnoresLetterCaseAndAcceptsAnAbsentOrNullMethod() {
        HttpCall.Reply upper = signIn(server, existing.toUpperCase(), PASSWORD, null);
        assertThat(upper.status()).as(upper.toString()).isEqualTo(200);
        assertThat(upper.json().get("user").get("email").asText()).isEqualTo(existing);

        Map<String, Object> withNullMethod = new java.util.HashMap<>(Map.of("email", existing, "password", PASSWORD));
        withNullMethod.put("method", null);
        assertThat(server.post("/api/auth/sessions").json(withNullMethod).send().status()).isEqualTo(200);
        assertThat(server.post("/api/auth/sessions").json(Map.of("method", "password", "email", existing, "password", PASSWORD))
                .send().status()).isEqualTo(200);
    }

    @Test
    void signUpAnswersWithTheUserSchema() {
        String address = email("Schema").toUpperCase();
        HttpCall.Reply reply = server.post("/api/auth/users").bearer(server.anonKey())
                .json(Map.of("email", address, "password", PASSWORD, "name", "  Ann  ")).send();

        JsonNode user = reply.json().get("user");
        assertThat(user.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(user.get("email").asText()).isEqualTo(address.toLowerCase());
        assertThat(user.get("emailVerified").asBoolean()).isFalse();
        assertThat(user.get("providers")).hasSize(1);
        assertThat(user.get("providers").get(0).asText()).isEqualTo("email");
        assertThat(user.get("profile").get("name").asText()).isEqualTo("Ann");
        assertThat(user.get("metadata").isObject()).isTrue();
        assertThat(user.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(reply.json().get("requireEmailVerification").asBoolean()).isFalse();
        assertThat(Sql.one(server, "SELECT password FROM auth.users WHERE id = ?::uuid", user.get("id").asText()))
                .startsWith("$2a$10$");
    }

    @Test
    void adminsCreateUsersWithoutASession() {
        for (String credential : new String[] {server.apiKey(), server.adminToken()}) {
            String address = email("by-admin");
            HttpCall.Reply reply = server.post("/api/auth/users").bearer(credential)
                    .json(Map.of("email", address, "password", PASSWORD, "autoConfirm", true)).send();

            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(setCookie(reply, "insforge_refresh_token")).isEmpty();
            assertThat(reply.json().has("csrfToken")).isFalse();
            assertThat(reply.json().has("refreshToken")).isFalse();
            assertThat(reply.json().get("user").get("emailVerified").asBoolean()).isTrue();
            assertThat(Sql.one(server, "SELECT count(*) FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE u.email = ?",
                    address)).isEqualTo("0");
        }
        // autoConfirm from a non-admin is ignored.
        HttpCall.Reply anon = server.post("/api/auth/users").bearer(server.anonKey())
                .json(Map.of("email", email("self"), "password", PASSWORD, "autoConfirm", true)).send();
        assertThat(anon.json().get("user").get("emailVerified").asBoolean()).isFalse();
    }

    @Test
    void disabledSignUpRefusesTheAnonKeyButNotAdmins() {
        config(Map.of("disableSignup", true));
        try {
            assertError(signUp(server, email("closed"), PASSWORD, null), 403, "AUTH_SIGNUP_DISABLED", "User signups are disabled for this project.");
            assertThat(server.post("/api/auth/users").bearer(server.apiKey()).json(Map.of("email", email("admin-made"), "password", PASSWORD))
                    .send().status()).isEqualTo(200);
            assertThat(signIn(server, existing, PASSWORD, null).status()).as("existing users still sign in").isEqualTo(200);
        } finally {
            config(Map.of("disableSignup", false));
        }
    }

    @Test
    void thePasswordPolicyComesFromTheAuthConfig() {
        config(Map.of("passwordMinLength", 10, "requireNumber", true, "requireUppercase", true, "requireSpecialChar", true));
        try {
            assertError(signUp(server, email("policy"), "abcdefghijk", null), 400, "INVALID_INPUT",
                    "Password must contain at least 10 characters long, at least one number, at least one uppercase letter, "
                            + "at least one special character");
            assertThat(signUp(server, email("policy"), "Abcdefgh1!", null).status()).isEqualTo(200);
        } finally {
            config(Map.of("passwordMinLength", 6, "requireNumber", false, "requireUppercase", false, "requireSpecialChar", false));
        }
    }

    @Test
    void hashesWrittenByInsForgeStillSignIn() {
        String address = email("legacy");
        String bcryptjsHash = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(10, "legacy-pass".toCharArray());
        Sql.update(server, "INSERT INTO auth.users (email, password) VALUES (?, ?)", address, bcryptjsHash);

        assertThat(signIn(server, address, "legacy-pass", "mobile").status()).isEqualTo(200);
        assertError(signIn(server, address, "wrong", "mobile"), 401, "AUTH_UNAUTHORIZED", "Invalid credentials");
    }

    @Test
    void aPasswordlessUserCannotSignInWithAPassword() {
        String address = email("otp-only");
        Sql.update(server, "INSERT INTO auth.users (email, password, email_verified) VALUES (?, NULL, true)", address);
        assertError(signIn(server, address, "", null), 401, "AUTH_UNAUTHORIZED", "Invalid credentials");
        assertError(signIn(server, address, PASSWORD, null), 401, "AUTH_UNAUTHORIZED", "Invalid credentials");
    }

    private static void config(Map<String, Object> patch) {
        HttpCall.Reply reply = server.call("PUT", "/api/auth/config").bearer(server.apiKey()).json(patch).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    }

    private static long userCount() {
        return Long.parseLong(Sql.one(server, "SELECT count(*) FROM auth.users"));
    }
}

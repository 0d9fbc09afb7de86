package dev.anvil.server.auth;

import static dev.anvil.server.auth.RefreshSessionsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code GET /api/auth/sessions/current} and the profile routes (contract §2.5), every error row. */
class CurrentUserProfileTest {

    static TestServer server;
    static JsonNode session;

    @BeforeAll
    static void start() {
        server = TestServer.start("current_profile", AuthCalls.NO_LIMITS);
        session = AuthCalls.mobileUser(server, "current");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String userId() {
        return session.get("user").get("id").asText();
    }

    @Test
    void currentSessionReturnsTheStoredUser() {
        HttpCall.Reply reply = server.get("/api/auth/sessions/current").bearer(session.get("accessToken").asText()).send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("user")).isEqualTo(session.get("user"));
    }

    static Stream<Arguments> currentSessionErrors() {
        String ghost = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("no credential", (Function<HttpCall, HttpCall>) c -> c, 401, "AUTH_INVALID_CREDENTIALS", "No token provided"),
                Arguments.of("anon key", bearer(TestServer::anonKey), 401, "AUTH_UNAUTHORIZED", "Invalid token"),
                Arguments.of("API key", bearer(TestServer::apiKey), 401, "AUTH_UNAUTHORIZED", "Invalid token"),
                Arguments.of("admin session token", bearer(TestServer::adminToken), 401, "AUTH_INVALID_CREDENTIALS", "User not authenticated"),
                Arguments.of("garbage", bearer(s -> "a.b.c"), 401, "AUTH_UNAUTHORIZED", "Invalid token"),
                Arguments.of("token of a deleted user", bearer(s -> s.userToken(ghost, "ghost@example.com")), 401, "AUTH_UNAUTHORIZED",
                        "User not found"));
    }

    static Function<HttpCall, HttpCall> bearer(Function<TestServer, String> credential) {
        return call -> call.bearer(credential.apply(server));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSessionErrors")
    void currentSessionErrors(String name, Function<HttpCall, HttpCall> credential, int status, String code, String message) {
        assertError(credential.apply(server.get("/api/auth/sessions/current")).send(), status, code, message);
    }

    @Test
    void profilesArePublicAndPatchedByShallowMerge() {
        String token = session.get("accessToken").asText();
        HttpCall.Reply first = server.call("PATCH", "/api/auth/profiles/current").bearer(token)
                .json(Map.of("profile", Map.of("name", "Ann", "avatar_url", "https://example.com/a.png"))).send();
        assertThat(first.status()).as(first.toString()).isEqualTo(200);

        HttpCall.Reply second = server.call("PATCH", "/api/auth/profiles/current").bearer(token)
                .json(Map.of("profile", Map.of("bio", "hello", "name", "Annie"))).send();
        assertThat(second.json().get("id").asText()).isEqualTo(userId());
        assertThat(second.json().get("profile").get("name").asText()).isEqualTo("Annie");
        assertThat(second.json().get("profile").get("avatar_url").asText()).isEqualTo("https://example.com/a.png");
        assertThat(second.json().get("profile").get("bio").asText()).isEqualTo("hello");

        HttpCall.Reply read = server.get("/api/auth/profiles/" + userId()).send();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("profile")).isEqualTo(second.json().get("profile"));
    }

    static Stream<Arguments> profileErrors() {
        return Stream.of(
                Arguments.of("read: not a uuid", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/profiles/nope").send(),
                        400, "INVALID_INPUT", "Invalid user ID format"),
                Arguments.of("read: unknown user", (Function<TestServer, HttpCall.Reply>) s -> s.get("/api/auth/profiles/"
                        + UUID.randomUUID()).send(), 404, "AUTH_USER_NOT_FOUND", "User not found"),
                Arguments.of("patch: no token", (Function<TestServer, HttpCall.Reply>) s -> s.call("PATCH", "/api/auth/profiles/current")
                        .json(Map.of("profile", Map.of())).send(), 401, "AUTH_INVALID_CREDENTIALS", "No token provided"),
                Arguments.of("patch: anon key", (Function<TestServer, HttpCall.Reply>) s -> s.call("PATCH", "/api/auth/profiles/current")
                        .bearer(s.anonKey()).json(Map.of("profile", Map.of())).send(), 401, "AUTH_UNAUTHORIZED", "Invalid token"),
                Arguments.of("patch: missing profile", (Function<TestServer, HttpCall.Reply>) s -> s.call("PATCH", "/api/auth/profiles/current")
                        .bearer(session.get("accessToken").asText()).json(Map.of()).send(), 400, "INVALID_INPUT", "profile: Required"),
                Arguments.of("patch: profile not an object", (Function<TestServer, HttpCall.Reply>) s -> s.call("PATCH", "/api/auth/profiles/current")
                        .bearer(session.get("accessToken").asText()).json(Map.of("profile", "x")).send(), 400, "INVALID_INPUT",
                        "profile: Expected object, received string"),
                Arguments.of("patch: user gone", (Function<TestServer, HttpCall.Reply>) s -> s.call("PATCH", "/api/auth/profiles/current")
                        .bearer(s.userToken(UUID.randomUUID().toString(), "gone@example.com")).json(Map.of("profile", Map.of("a", 1))).send(),
                        404, "AUTH_USER_NOT_FOUND", "User not found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profileErrors")
    void profileErrors(String name, Function<TestServer, HttpCall.Reply> call, int status, String code, String message) {
        assertError(call.apply(server), status, code, message);
    }
}

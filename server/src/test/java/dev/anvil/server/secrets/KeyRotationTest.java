package dev.anvil.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** Contract §7: rotating the admin API key and the anon key with grace periods. */
class KeyRotationTest {

    /** For checks that rotate freely; tests about a key's history start their own server. */
    static TestServer shared;

    @BeforeAll
    static void start() {
        shared = TestServer.start("rotate_shared");
    }

    @AfterAll
    static void stop() {
        shared.close();
    }

    static HttpCall.Reply rotate(TestServer server, String credential, String which, Object body) {
        return server.post("/api/secrets/" + which + "/rotate").header("x-api-key", credential).json(body).send();
    }

    static int status(TestServer server, String apiKey) {
        return server.get("/api/secrets").header("x-api-key", apiKey).send().status();
    }

    @Test
    void theOldApiKeyWorksDuringTheGracePeriodAndStopsAfterIt() {
        try (TestServer server = TestServer.start("rotate_api")) {
            String oldKey = server.apiKey();
            HttpCall.Reply reply = rotate(server, oldKey, "api-key", Map.of());
            assertThat(reply.status()).as(reply.text()).isEqualTo(200);
            JsonNode body = reply.json();
            assertThat(body.path("success").asBoolean()).isTrue();
            assertThat(body.path("message").asText()).isEqualTo("API key rotated successfully. Old key will remain valid during grace period.");
            String newKey = body.path("apiKey").asText();
            assertThat(newKey).matches("ik_[0-9a-f]{64}").isNotEqualTo(oldKey);
            assertThat(Instant.parse(body.path("oldKeyExpiresAt").asText()))
                    .as("default grace is 24 hours").isCloseTo(Instant.now().plus(24, ChronoUnit.HOURS), within(1, ChronoUnit.MINUTES));

            assertThat(status(server, newKey)).isEqualTo(200);
            assertThat(status(server, oldKey)).as("old key in its grace period").isEqualTo(200);
            assertThat(server.apiKey()).isEqualTo(newKey);
            assertThat(oldKeyNames(server, "API_KEY")).singleElement().asString().matches("API_KEY_OLD_\\d{13}");

            // The grace period runs out (made to happen now rather than in a day).
            server.anvil().database().client().execute()
                    .dml("UPDATE system.secrets SET expires_at = now() - interval '1 second' WHERE key LIKE 'API\\_KEY\\_OLD\\_%'");
            server.anvil().credentials().projectKeys().reload();
            HttpCall.Reply refused = server.get("/api/secrets").header("x-api-key", oldKey).send();
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.json().path("error").asText()).isEqualTo("AUTH_INVALID_API_KEY");
            assertThat(status(server, newKey)).isEqualTo(200);

            // The next rotation clears the expired row away.
            String third = rotate(server, newKey, "api-key", Map.of("gracePeriodHours", 1)).json().path("apiKey").asText();
            assertThat(oldKeyNames(server, "API_KEY")).singleElement().isNotNull();
            assertThat(status(server, third)).isEqualTo(200);
            assertThat(status(server, newKey)).isEqualTo(200);
        }
    }

    @Test
    void aZeroGracePeriodRetiresTheOldKeyAtOnce() {
        try (TestServer server = TestServer.start("rotate_api_now")) {
            String oldKey = server.apiKey();
            HttpCall.Reply reply = server.post("/api/secrets/api-key/rotate").bearer(server.adminToken())
                    .json(Map.of("gracePeriodHours", 0)).send();
            assertThat(reply.status()).as("an admin session may rotate too").isEqualTo(200);
            String newKey = reply.json().path("apiKey").asText();
            assertThat(status(server, oldKey)).isEqualTo(401);
            assertThat(status(server, newKey)).isEqualTo(200);
        }
    }

    @Test
    void theAnonKeyRotatesWithItsOwnGracePeriod() {
        try (TestServer server = TestServer.start("rotate_anon")) {
            String oldAnon = server.anonKey();
            JsonNode body = rotate(server, server.apiKey(), "anon-key", Map.of()).json();
            assertThat(body.path("message").asText()).isEqualTo("Anon key rotated successfully. Old key will remain valid during grace period.");
            String newAnon = body.path("anonKey").asText();
            assertThat(newAnon).matches("anon_[0-9a-f]{64}");
            assertThat(Instant.parse(body.path("oldKeyExpiresAt").asText()))
                    .as("default grace is 7 days").isCloseTo(Instant.now().plus(Duration.ofHours(168)), within(1, ChronoUnit.MINUTES));
            var keys = server.anvil().credentials().projectKeys();
            assertThat(keys.isAnonKey(newAnon)).isTrue();
            assertThat(keys.isAnonKey(oldAnon)).isTrue();
            assertThat(server.anonKey()).isEqualTo(newAnon);

            server.anvil().database().client().execute()
                    .dml("UPDATE system.secrets SET expires_at = now() - interval '1 second' WHERE key LIKE 'ANON\\_KEY\\_OLD\\_%'");
            keys.reload();
            assertThat(keys.isAnonKey(oldAnon)).isFalse();
            assertThat(keys.isAnonKey(newAnon)).isTrue();
        }
    }

    static Stream<Arguments> gracePeriods() {
        return Stream.of(
                Arguments.of("api-key", "168", 200, null),
                Arguments.of("api-key", "\"12\"", 200, null),
                Arguments.of("api-key", "169", 400, "Invalid request: Number must be less than or equal to 168"),
                Arguments.of("api-key", "-1", 400, "Invalid request: Number must be greater than or equal to 0"),
                Arguments.of("api-key", "1.5", 400, "Invalid request: Expected integer, received float"),
                Arguments.of("api-key", "\"abc\"", 400, "Invalid request: Expected number, received nan"),
                Arguments.of("anon-key", "720", 200, null),
                Arguments.of("anon-key", "721", 400, "Invalid request: Number must be less than or equal to 720"));
    }

    @ParameterizedTest(name = "{0} gracePeriodHours={1} -> {2}")
    @MethodSource("gracePeriods")
    void gracePeriodsAreValidated(String which, String grace, int status, String message) {
        String before = which.equals("api-key") ? shared.apiKey() : shared.anonKey();
        HttpCall.Reply reply = rotate(shared, shared.apiKey(), which, "{\"gracePeriodHours\": " + grace + "}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        if (message != null) {
            assertThat(reply.json().path("error").asText()).isEqualTo("INVALID_INPUT");
            assertThat(reply.json().path("message").asText()).isEqualTo(message);
            assertThat(which.equals("api-key") ? shared.apiKey() : shared.anonKey()).as("nothing rotated").isEqualTo(before);
        }
    }

    @Test
    void onlyAdminsRotate() {
        int oldKeys = oldKeyNames(shared, "API_KEY").size();
        HttpCall.Reply anon = shared.post("/api/secrets/api-key/rotate").bearer(shared.anonKey()).json(Map.of()).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(shared.post("/api/secrets/anon-key/rotate").json(Map.of()).send().status()).isEqualTo(401);
        assertThat(oldKeyNames(shared, "API_KEY")).hasSize(oldKeys);
    }

    @Test
    void aRestartWithTheRotatedAwayKeyInTheEnvironmentKeepsTheNewKey() {
        String configured = "ik_" + "c3".repeat(32);
        try (TestServer server = TestServer.start("rotate_env", Map.of("ACCESS_API_KEY", configured))) {
            String rotated = rotate(server, configured, "api-key", Map.of()).json().path("apiKey").asText();
            try (TestServer restarted = server.replica()) {
                assertThat(restarted.apiKey()).as("a leaked key that was rotated away must not come back").isEqualTo(rotated);
                assertThat(status(restarted, rotated)).isEqualTo(200);
            }
        }
    }

    private static List<String> oldKeyNames(TestServer server, String key) {
        List<String> names = new ArrayList<>();
        for (JsonNode secret : server.get("/api/secrets").header("x-api-key", server.apiKey()).send().json().path("secrets")) {
            if (secret.path("key").asText().startsWith(key + "_OLD_")) {
                names.add(secret.path("key").asText());
            }
        }
        return names;
    }
}

package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract §1: reflect the origin with credentials, expose Content-Range and Preference-Applied. */
class CorsTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("cors");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-CSRF-Token", "Prefer", "Accept-Profile", "Content-Profile", "Range", "x-api-key"})
    void preflightAllowsTheHeadersClientsSend(String header) {
        HttpCall.Reply reply = server.call("OPTIONS", "/api/database/records/todos")
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "PATCH")
                .header("Access-Control-Request-Headers", "authorization," + header.toLowerCase())
                .send();

        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.header("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(reply.header("access-control-allow-credentials")).hasValue("true");
        assertThat(reply.header("access-control-allow-methods").orElseThrow()).contains("PATCH", "DELETE", "PUT");
        assertThat(reply.header("access-control-allow-headers").orElseThrow().toLowerCase()).contains(header.toLowerCase());
    }

    @Test
    void preflightWithoutRequestedHeadersListsTheKnownOnes() {
        HttpCall.Reply reply = server.call("OPTIONS", "/api/auth/refresh")
                .header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST")
                .send();

        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.header("access-control-allow-headers").orElseThrow())
                .contains("X-CSRF-Token", "Prefer", "Accept-Profile", "Content-Profile", "Range", "x-api-key");
    }

    @Test
    void actualRequestReflectsOriginAndExposesPostgrestHeaders() {
        HttpCall.Reply reply = server.get("/api/health").header("Origin", "https://app.example.com").send();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(reply.header("access-control-allow-credentials")).hasValue("true");
        assertThat(reply.header("access-control-expose-headers").orElseThrow()).contains("Content-Range", "Preference-Applied");
        assertThat(reply.header("vary").orElseThrow()).contains("Origin");
    }

    @Test
    void errorsCarryCorsHeadersTooSoBrowsersCanReadThem() {
        HttpCall.Reply reply = server.get("/api/nope").header("Origin", "https://app.example.com").send();

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.header("access-control-allow-origin")).hasValue("https://app.example.com");
    }

    @Test
    void requestsWithoutOriginGetNoCorsHeaders() {
        assertThat(server.get("/api/health").send().header("access-control-allow-origin")).isEmpty();
    }
}

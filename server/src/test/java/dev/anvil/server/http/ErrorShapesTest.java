package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error leaves the server in InsForge's shape {error, message, statusCode, nextActions?}. */
class ErrorShapesTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("errors", Map.of("ANVIL_MAX_BODY_MB", "1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void assertErrorBody(HttpCall.Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = reply.json();
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("statusCode").asInt()).isEqualTo(status);
        assertThat(body.get("message").isTextual()).isTrue();
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void unknownRouteIsNotFoundWithThePath() {
        HttpCall.Reply reply = server.get("/api/definitely/not/here").send();

        assertErrorBody(reply, 404, "NOT_FOUND");
        assertThat(reply.json().get("message").asText()).isEqualTo("Endpoint /api/definitely/not/here not found");
        assertThat(reply.json().has("nextActions")).isFalse();
    }

    @Test
    void unknownRouteOutsideApiIsAlsoJson() {
        assertErrorBody(server.call("DELETE", "/nothing").send(), 404, "NOT_FOUND");
    }

    @Test
    void queryStringsOfPostgrestSizeAreServed() {
        // postgrest-js puts every value of an in.(...) filter in the URL; Helidon's default limit was 4 KiB.
        String ids = "1,".repeat(10_000) + "1";
        assertErrorBody(server.get("/api/definitely/not/here?id=in.(" + ids + ")").send(), 404, "NOT_FOUND");
    }

    @Test
    void requestLineOverTheLimitIs414WithAdvice() {
        HttpCall.Reply reply = server.get("/api/definitely/not/here?id=in.(" + "1,".repeat(17_000) + "1)").send();

        assertErrorBody(reply, 414, "URI_TOO_LONG");
        assertThat(reply.json().get("nextActions").asText()).contains("32 KiB");
    }

    @Test
    void malformedJsonIsInvalidInputNot500() {
        HttpCall.Reply reply = server.post("/api/usage/mcp").header("x-api-key", server.apiKey()).json("{\"tool_name\": ").send();

        assertErrorBody(reply, 400, "INVALID_INPUT");
        assertThat(reply.json().get("nextActions").asText()).isEqualTo("Please ensure your request body contains valid JSON");
    }

    @Test
    void wrongJsonTypesAreValidationErrors() {
        HttpCall.Reply notObject = server.post("/api/usage/mcp").header("x-api-key", server.apiKey()).json("[1,2]").send();
        assertErrorBody(notObject, 400, "INVALID_INPUT");

        HttpCall.Reply wrongType = server.post("/api/usage/mcp").header("x-api-key", server.apiKey())
                .json(Map.of("tool_name", 42)).send();
        assertErrorBody(wrongType, 400, "INVALID_INPUT");
        assertThat(wrongType.json().get("message").asText()).isEqualTo("tool_name: Expected string, received number");

        HttpCall.Reply missing = server.post("/api/usage/mcp").header("x-api-key", server.apiKey()).json(Map.of()).send();
        assertThat(missing.json().get("message").asText()).isEqualTo("tool_name: Required");
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"tool_name\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        HttpCall.Reply reply = server.post("/api/usage/mcp").header("x-api-key", server.apiKey()).json(big).send();

        assertErrorBody(reply, 413, "PAYLOAD_TOO_LARGE");
        assertThat(server.get("/api/usage/mcp").header("x-api-key", server.apiKey()).send().json().get("records"))
                .isEmpty();
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        InputStream endless = new InputStream() {
            long sent;

            @Override
            public int read() {
                return sent++ < 3L * 1024 * 1024 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent >= 3L * 1024 * 1024) {
                    return -1;
                }
                int n = Math.min(len, chunk.length);
                System.arraycopy(chunk, 0, b, off, n);
                sent += n;
                return n;
            }
        };
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/usage/mcp"))
                .header("x-api-key", server.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> endless))
                .build();
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException closedEarly) {
            // The server may answer 413 and close before the client finished sending; that is a refusal too.
            return;
        }
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"statusCode\":413");
    }

    @Test
    void databaseErrorsRaisedThroughDbClientKeepTheirMeaning() throws Exception {
        // A constraint the platform's own DbClient statements trip must answer per §9, not 500.
        try (var connection = server.anvil().database().connection(); var statement = connection.createStatement()) {
            statement.execute("ALTER TABLE system.mcp_usage ADD CONSTRAINT tool_not_forbidden CHECK (tool_name <> 'forbidden-tool')");
        }
        HttpCall.Reply reply = server.post("/api/usage/mcp").header("x-api-key", server.apiKey())
                .json(Map.of("tool_name", "forbidden-tool")).send();

        assertErrorBody(reply, 400, "DATABASE_CONSTRAINT_VIOLATION");
    }

    @Test
    void validRequestStillWorks() {
        HttpCall.Reply reply = server.post("/api/usage/mcp").header("x-api-key", server.apiKey())
                .json(Map.of("tool_name", "run-raw-sql", "success", true)).send();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("success").asBoolean()).isTrue();
    }
}

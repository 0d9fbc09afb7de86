package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** Function writes are rate limited per client address (§5.1); reads are not. */
class FunctionWriteRateLimitTest {

    @Test
    void writesBeyondTheLimitGet429WithRateLimitHeaders() {
        try (TestServer server = TestServer.start("function_rate", Map.of("ANVIL_RATE_LIMIT_FUNCTION_WRITES", "2/600"))) {
            HttpCall.Reply first = server.call("DELETE", "/api/functions/missing-1").header("x-api-key", server.apiKey()).send();
            HttpCall.Reply second = server.call("DELETE", "/api/functions/missing-2").header("x-api-key", server.apiKey()).send();
            HttpCall.Reply third = server.call("DELETE", "/api/functions/missing-3").header("x-api-key", server.apiKey()).send();

            assertThat(first.status()).isEqualTo(404);
            assertThat(second.status()).isEqualTo(404);
            assertThat(second.header("RateLimit-Remaining")).hasValue("0");
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.json().get("error").asText()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(third.header("Retry-After")).isPresent();
            assertThat(server.get("/api/functions").header("x-api-key", server.apiKey()).send().status())
                    .as("reads are not limited").isEqualTo(200);
        }
    }
}

package dev.anvil.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("health");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthReportsStatusVersionServiceAndTime() {
        HttpCall.Reply reply = server.get("/api/health").send();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = reply.json();
        assertThat(body.fieldNames()).toIterable().containsExactly("status", "version", "service", "timestamp");
        assertThat(body.get("status").asText()).isEqualTo("ok");
        assertThat(body.get("service").asText()).isEqualTo("Anvil");
        assertThat(Instant.parse(body.get("timestamp").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(body.get("version").isTextual()).isTrue();
        assertThat(body.get("version").asText()).isEqualTo(System.getProperty("anvil.project.version"));
    }

    @Test
    void versionIsSemverAtLeastWhatMcpNeeds() {
        String version = server.get("/api/health").send().json().get("version").asText();

        assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
        int[] parts = java.util.Arrays.stream(version.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int comparison = parts[0] != 1 ? Integer.compare(parts[0], 1)
                : parts[1] != 5 ? Integer.compare(parts[1], 5) : Integer.compare(parts[2], 1);
        assertThat(comparison).as("version %s must be >= 1.5.1 for @insforge/mcp", version).isGreaterThanOrEqualTo(0);
    }

    private static double requestCount(String prometheusText) {
        return prometheusText.lines()
                .filter(line -> line.startsWith("requests_count_total{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void observeEndpointsServeHealthAndPrometheusMetrics() {
        HttpCall.Reply health = server.get("/observe/health").send();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks").get(0).get("name").asText()).isEqualTo("database");

        HttpCall.Reply metrics = server.get("/observe/metrics").header("Accept", "text/plain").send();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        // Helidon's meter names: the JVM's, and the count of requests (this one included).
        assertThat(metrics.text()).contains("# TYPE memory_usedHeap_bytes gauge", "# TYPE thread_count gauge",
                "# TYPE requests_count_total counter");
        assertThat(requestCount(metrics.text())).isGreaterThanOrEqualTo(2);
        HttpCall.Reply later = server.get("/observe/metrics").send();
        assertThat(requestCount(later.text())).as("each request is counted").isGreaterThan(requestCount(metrics.text()));
    }
}

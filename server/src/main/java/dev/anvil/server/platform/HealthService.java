package dev.anvil.server.platform;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /api/health}: liveness for clients. {@code @insforge/mcp} refuses to start unless
 * {@code version} is a semver string, and gates tools on it (≥ 1.5.1 for all of them).
 * Deeper checks (database reachable) live under Helidon's {@code /observe/health}.
 */
public final class HealthService implements HttpService {

    public static final String SERVICE_NAME = "Anvil";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health);
    }

    private void health(ServerRequest req, ServerResponse res) {
        Json.send(res, body());
    }

    /** Serialises one health body so the JSON machinery is initialised before the first request. */
    public static void warmUp() {
        Json.bytes(body());
    }

    private static ObjectNode body() {
        ObjectNode body = Json.object();
        body.put("status", "ok");
        body.put("version", Version.current());
        body.put("service", SERVICE_NAME);
        body.put("timestamp", Instant.now().toString());
        return body;
    }
}

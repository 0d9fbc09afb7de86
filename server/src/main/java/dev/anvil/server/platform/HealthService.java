package dev.anvil.server.platform;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.anvil.server.http.Json;
import io.helidon.http.HeaderNames;
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
        res.header(HeaderNames.CONTENT_TYPE, Json.CONTENT_TYPE);
        res.send(body(Instant.now()));
    }

    /**
     * Written without Jackson: this is what readiness probes and clients ask first after a start,
     * and Jackson is initialised in the background once the server listens ({@link Json#warmUp}).
     * Every value is a constant of the build or an ISO-8601 instant, none needs escaping.
     */
    static byte[] body(Instant now) {
        return ("{\"status\":\"ok\",\"version\":\"" + Version.current() + "\",\"service\":\"" + SERVICE_NAME
                + "\",\"timestamp\":\"" + now + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}

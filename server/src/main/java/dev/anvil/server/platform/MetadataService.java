package dev.anvil.server.platform;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The key routes of {@code /api/metadata} (contract §8), for admins: {@code GET /anon-key} →
 * {@code {anonKey}} and {@code GET /api-key} → {@code {apiKey}}, always the current keys.
 */
public final class MetadataService implements HttpService {

    private final Credentials credentials;

    public MetadataService(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/anon-key", this::anonKey)
                .get("/api-key", this::apiKey);
    }

    private void anonKey(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode reply = Json.object();
        reply.put("anonKey", credentials.projectKeys().anonKey());
        Json.send(res, reply);
    }

    private void apiKey(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode reply = Json.object();
        reply.put("apiKey", credentials.projectKeys().apiKey());
        Json.send(res, reply);
    }
}

package dev.anvil.server.platform;

import java.sql.Timestamp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.QueryParams;
import dev.anvil.server.http.RequestBody;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * MCP tool usage (contract §8): {@code @insforge/mcp} reports every tool call with
 * {@code POST /api/usage/mcp} using the API key; admins read them back with {@code GET}.
 */
public final class UsageService implements HttpService {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final Credentials credentials;
    private final DbClient db;

    public UsageService(Credentials credentials, DbClient db) {
        this.credentials = credentials;
        this.db = db;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/mcp", this::record)
                .get("/mcp", this::list);
    }

    private void record(ServerRequest req, ServerResponse res) {
        credentials.apiKey(req);
        JsonFields body = RequestBody.object(req);
        String tool = body.requiredString("tool_name");
        if (tool.isBlank() || tool.length() > 255) {
            throw ApiException.invalidInput("tool_name: must be 1 to 255 characters");
        }
        boolean success = body.bool("success").orElse(true);
        db.execute().insert("INSERT INTO system.mcp_usage (tool_name, success) VALUES (?, ?)", tool, success);
        ObjectNode reply = Json.object();
        reply.put("success", true);
        Json.send(res, reply);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        int limit = QueryParams.intParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        ArrayNode records = Json.mapper().createArrayNode();
        try (var rows = db.execute().query("SELECT id::text AS id, tool_name, success, created_at FROM system.mcp_usage "
                + "ORDER BY created_at DESC LIMIT ?", limit)) {
            rows.forEach(row -> {
                ObjectNode item = records.addObject();
                item.put("id", row.column("id").get(String.class));
                item.put("tool_name", row.column("tool_name").get(String.class));
                item.put("success", row.column("success").get(Boolean.class));
                item.put("created_at", row.column("created_at").get(Timestamp.class).toInstant().toString());
            });
        }
        ObjectNode reply = Json.object();
        reply.set("records", records);
        Json.send(res, reply);
    }
}

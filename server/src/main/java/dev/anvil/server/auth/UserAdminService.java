package dev.anvil.server.auth;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.QueryParams;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Admin user management (contract §2.6): list, read and delete users, and the deprecated anon-token route. */
final class UserAdminService implements HttpService {

    private final Credentials credentials;
    private final UserStore users;

    UserAdminService(Credentials credentials, UserStore users) {
        this.credentials = credentials;
        this.users = users;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/users", this::list)
                .delete("/users", this::delete)
                .get("/users/{userId}", this::read)
                .post("/tokens/anon", this::anonKey);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        int limit = QueryParams.intParam(req, "limit", 10, 1, 1000);
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        UserStore.Page page = users.list(limit, offset, req.query().first("search").orElse(null));
        ObjectNode reply = Json.object();
        ArrayNode data = reply.putArray("data");
        page.users().forEach(user -> data.add(user.toJson()));
        reply.putObject("pagination").put("offset", offset).put("limit", limit).put("total", page.total());
        Json.send(res, reply);
    }

    private void read(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String userId = AuthInput.userId(req.path().pathParameters().get("userId"));
        Json.send(res, users.byId(userId).orElseThrow(AuthErrors::userNotFound).toJson());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        JsonNode ids = RequestBody.object(req).node("userIds").orElseThrow(() -> ApiException.invalidInput("userIds: Required"));
        if (!ids.isArray()) {
            throw ApiException.invalidInput("userIds: Expected array, received " + ids.getNodeType().name().toLowerCase());
        }
        if (ids.isEmpty()) {
            throw ApiException.invalidInput("userIds: At least one user ID is required");
        }
        List<String> userIds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).isTextual() || !AuthInput.isUuid(ids.get(i).asText())) {
                throw ApiException.invalidInput("userIds." + i + ": Invalid user ID format");
            }
            userIds.add(ids.get(i).asText().toLowerCase());
        }
        ObjectNode reply = Json.object();
        reply.put("message", "Users deleted successfully");
        reply.put("deletedCount", users.delete(userIds));
        AuditLog.record(req, "DELETE_USERS", "AUTH", Json.object().put("deletedCount", reply.get("deletedCount").asInt())
                .set("userIds", Json.mapper().valueToTree(userIds)));
        Json.send(res, reply);
    }

    /** Deprecated in InsForge but used by {@code @insforge/mcp}: hands the anon key to admins. */
    private void anonKey(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode reply = Json.object();
        reply.put("accessToken", credentials.projectKeys().anonKey());
        reply.put("message", "Anonymous key retrieved successfully (it does not expire; rotate it to revoke it)");
        Json.send(res, reply);
    }
}
